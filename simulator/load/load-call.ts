import type { AgentHandle } from '../agent-target/agent-handle.ts';
import { type Clock, sleep } from '../core/clock.ts';
import { createSeededIds } from '../core/ids.ts';
import { createSeededRandom } from '../core/random.ts';
import { sendPreCallWebhook } from '../coval/dialer.ts';
import type { FakeCoval } from '../coval/fake-coval.ts';
import type { StoredBatch } from '../coval/trace-store.ts';
import { createInboundCall } from '../twilio/call-params.ts';
import type { RelayFrame } from '../twilio/relay-client.ts';
import { startRelaySession } from '../twilio/relay-session.ts';
import { postVoiceWebhook } from '../twilio/voice-webhook.ts';
import type { LatencyHistogram } from './latency-histogram.ts';
import { LatencyMatcher } from './latency-matcher.ts';
import { callerNumberOf, promptText, simulationIdOf, traceIdentity, transcriptionsOf, type TraceIdentity } from './load-identity.ts';
import type { LoadTimeouts } from './load-options.ts';

/** The agent's number every load call dials. */
export const LOAD_AGENT_NUMBER = '+15550100999';
/** Fast enough that the playback model never holds a reply "audible" across prompts. */
const CHARS_PER_SECOND = 1_000_000;

/** What the calls of one run share. */
export interface LoadCallContext {
  readonly agent: AgentHandle;
  /** Reaches the agent's public URL at its local one (X-Forwarded-Proto). */
  readonly fetch: typeof globalThis.fetch;
  readonly clock: Clock;
  readonly coval: FakeCoval;
  readonly seed: number;
  readonly prompts: number;
  /** Pause after each complete reply, ms (0: none). */
  readonly thinkMs: number;
  readonly timeouts: LoadTimeouts;
  readonly authToken: string;
  /** Live calls' matchers, by call number (the fake LLM hook finds them here). */
  readonly matchers: Map<number, LatencyMatcher>;
  readonly histograms: {
    readonly agentAdded: LatencyHistogram;
    readonly promptToFirstFrame: LatencyHistogram;
    readonly hangUpToTrace: LatencyHistogram;
  };
}

/** How one call ended. */
export interface LoadCallOutcome {
  readonly index: number;
  /** Absent when the call went through; else the step that failed and why. */
  readonly failure?: { readonly kind: 'registration' | 'webhook' | 'connect' | 'reply' | 'hang-up' | 'error'; readonly message: string };
  readonly protocolErrors: number;
  /** Only for calls that hung up cleanly: what arrived at the fake Coval. */
  readonly trace?: TraceIdentity | 'lost';
  readonly matching: ReturnType<LatencyMatcher['counts']>;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One complete call: registration by the fake Coval dialer, the signed voice webhook, the relay
 * socket with `setup`, `prompts` caller prompts each answered by a streamed reply, the hang-up,
 * then the trace batch. Never throws for what the agent does.
 */
export async function runLoadCall(ctx: LoadCallContext, index: number): Promise<LoadCallOutcome> {
  const { agent, clock, timeouts } = ctx;
  const matcher = new LatencyMatcher();
  const simulationOutputId = simulationIdOf(ctx.seed, index);
  const ids = createSeededIds(createSeededRandom(ctx.seed).derive(`load-call-${index}`));
  const call = createInboundCall(ids, { from: callerNumberOf(index), to: LOAD_AGENT_NUMBER });
  let protocolErrors = 0;
  const done = (extra: Partial<LoadCallOutcome>): LoadCallOutcome => {
    ctx.matchers.delete(index);
    return { index, protocolErrors, matching: matcher.counts(), ...extra };
  };

  ctx.matchers.set(index, matcher);
  try {
    const dial = await sendPreCallWebhook(
      {
        registerUrl: `${agent.publicUrl}${agent.paths.register}`,
        simulationOutputId,
        fromNumber: call.from,
        toNumber: call.to,
        headers: { 'x-api-key': agent.covalApiKey },
      },
      clock,
      ctx.fetch,
      timeouts.requestMs,
    );
    if (dial.status !== 200) return done({ failure: { kind: 'registration', message: `register answered ${dial.status ?? dial.outcome}${dial.error ? `: ${dial.error}` : ''}` } });

    const webhook = await postVoiceWebhook({ url: `${agent.publicUrl}${agent.paths.webhook}`, authToken: ctx.authToken, call, fetch: ctx.fetch, clock, timeoutMs: timeouts.requestMs });
    if (!webhook.ok) return done({ failure: { kind: 'webhook', message: `voice webhook failed: ${JSON.stringify(webhook.failure)}` } });

    const session = startRelaySession({
      twiml: webhook.twiml,
      call,
      authToken: ctx.authToken,
      clock,
      ids,
      fetch: ctx.fetch,
      charsPerSecond: CHARS_PER_SECOND,
      connectTimeoutMs: timeouts.requestMs,
      // Frames are timed as they arrive; keeping them for a record no one reads slowed the kit.
      keepFrames: false,
    });
    const ready = await session.ready;
    if (ready.status !== 'open') {
      await session.done;
      return done({ failure: { kind: 'connect', message: `relay handshake failed: ${ready.reason}` } });
    }

    let promptSentAt: number | undefined;
    session.client.onFrame((frame: RelayFrame) => {
      if (promptSentAt !== undefined) {
        ctx.histograms.promptToFirstFrame.record(frame.at - promptSentAt);
        promptSentAt = undefined;
      }
      const parsed = frame.parsed as { type?: unknown; token?: unknown } | undefined;
      if (parsed?.type === 'text' && typeof parsed.token === 'string') {
        const latency = matcher.textReceived(parsed.token, frame.at);
        if (latency !== undefined) ctx.histograms.agentAdded.record(latency);
      }
    });

    for (let k = 1; k <= ctx.prompts; k++) {
      const from = session.cycleCount;
      promptSentAt = clock.now();
      await session.say(promptText(index, k));
      try {
        await session.waitForReply({ timeoutMs: timeouts.replyMs, fromCycle: from, until: 'received' });
      } catch (error) {
        const record = await Promise.race([session.hangUp(), session.done]);
        protocolErrors = record.protocolErrors.length;
        return done({ failure: { kind: 'reply', message: `prompt ${k}: ${message(error)}` } });
      }
      if (ctx.thinkMs > 0) await sleep(clock, ctx.thinkMs);
    }

    // The waiter is in place before the socket closes: the agent exports on close.
    let traceAt: number | undefined;
    const batch: Promise<StoredBatch | undefined> = ctx.coval.waitForBatch(simulationOutputId, { timeoutMs: timeouts.traceMs }).then(
      (b) => {
        traceAt = clock.now();
        return b;
      },
      () => undefined,
    );
    const hungUpAt = clock.now();
    const record = await session.hangUp();
    protocolErrors = record.protocolErrors.length;
    if (record.end?.cause !== 'caller-hangup') {
      void batch;
      return done({ failure: { kind: 'hang-up', message: `the session ended by ${record.end?.cause ?? 'nothing'} (close ${record.end?.close?.code ?? '?'}) instead of the caller's hang-up` } });
    }
    const stored = await batch;
    if (stored === undefined || traceAt === undefined) return done({ trace: 'lost' });
    ctx.histograms.hangUpToTrace.record(traceAt - hungUpAt);
    return done({ trace: traceIdentity(index, transcriptionsOf(stored.request)) });
  } catch (error) {
    return done({ failure: { kind: 'error', message: message(error) } });
  }
}
