import { publicUrlFetch } from '../agent-target/public-url-fetch.ts';
import { awakeSleep } from '../core/awake-sleep.ts';
import { type Clock, sleep } from '../core/clock.ts';
import { createSeededIds, type IdGenerator } from '../core/ids.ts';
import { createSeededRandom } from '../core/random.ts';
import type { FakeCoval } from '../coval/fake-coval.ts';
import type { RunFakes } from '../fakes/fake-stack.ts';
import type { OtlpRequest } from '../otlp/model.ts';
import { attr, text } from '../otlp/span-attributes.ts';
import { createInboundCall, type InboundCall } from '../twilio/call-params.ts';
import { type RelaySession, startRelaySession } from '../twilio/relay-session.ts';
import { postVoiceWebhook } from '../twilio/voice-webhook.ts';
import { orderedSteps } from './ordered-steps.ts';
import type { RaceCluster } from './race-cluster.ts';
import type { ArrivalObservation, ExportObservation, RaceCallIdentity, RaceObservation, RegistrationObservation } from './race-observation.ts';
import { callerNumber, callLetter, callPrompt, planSteps, RACE_AGENT_NUMBER, type RacePayload, type RacePlan, type RaceStep } from './race-plan.ts';

/** Bounded waits of one race run (ms on the run's clock). */
export interface RaceTimeouts {
  /** Each registration POST. */
  readonly registrationMs: number;
  /** The voice webhook, the handshake, and the agent's first `text` frame after the prompt. */
  readonly arrivalMs: number;
  /** The socket to close after the hang-up. */
  readonly hangUpMs: number;
  /** After the hang-ups: stop waiting for exports once none arrived for this long. */
  readonly exportQuietMs: number;
  /** After the hang-ups: stop waiting for exports after this long in any case. */
  readonly exportDeadlineMs: number;
  /** How far past the TTL an expiry wait goes. */
  readonly expiryMarginMs: number;
}

/** Defaults for loopback agents: generous for real failures, small where every run pays. */
export const DEFAULT_RACE_TIMEOUTS: RaceTimeouts = Object.freeze({
  registrationMs: 10_000,
  arrivalMs: 10_000,
  hangUpMs: 5_000,
  exportQuietMs: 100,
  exportDeadlineMs: 5_000,
  expiryMarginMs: 300,
});

/** Inputs of {@link runRacePlan}. */
export interface RaceRunOptions {
  readonly cluster: RaceCluster;
  readonly payload: RacePayload;
  readonly clock: Clock;
  readonly fetch: typeof globalThis.fetch;
  /** Seeds this run's ids (unique per run so an agent never sees an id twice). */
  readonly runSeed: number;
  readonly timeouts?: Partial<RaceTimeouts>;
}

interface LiveCall {
  readonly identity: RaceCallIdentity;
  readonly call: InboundCall;
  readonly ids: IdGenerator;
  session?: RelaySession;
}

function stepLabel(step: RaceStep, letter: string): string {
  if (step.kind === 'arrive') return `call ${letter} arrives`;
  return step.duplicate ? `register ${letter} again` : `register ${letter}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The call a batch belongs to: by `call.sid`, else by the call's unique prompt in `stt.transcription`. */
function ownerOf(request: OtlpRequest, calls: readonly RaceCallIdentity[]): { owner: number | undefined; callSid?: string } {
  let callSid: string | undefined;
  const transcripts: string[] = [];
  for (const rs of request.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        callSid ??= text(attr(span, 'call.sid'));
        const said = text(attr(span, 'stt.transcription'));
        if (said !== undefined) transcripts.push(said);
      }
    }
  }
  const bySid = callSid === undefined ? undefined : calls.find((c) => c.callSid === callSid);
  if (bySid !== undefined) return { owner: bySid.index, callSid: callSid as string };
  const byPrompt = calls.find((c) => transcripts.some((t) => t.includes(c.prompt)));
  return { owner: byPrompt?.index, ...(callSid === undefined ? {} : { callSid }) };
}

function exportsOf(coval: FakeCoval, calls: readonly RaceCallIdentity[], clock: Clock): ExportObservation[] {
  const out: ExportObservation[] = [];
  const offset = clock.epochMs() - clock.now();
  for (const id of coval.store.simulationIds()) {
    for (const batch of coval.store.batches(id)) {
      const { owner, callSid } = ownerOf(batch.request, calls);
      out.push({ simulationId: id, owner, ...(callSid === undefined ? {} : { callSid }), spanCount: batch.spanCount, receivedAtMs: batch.receivedAtMs - offset });
    }
  }
  return out.sort((a, b) => a.receivedAtMs - b.receivedAtMs);
}

/**
 * Runs one generated race over real sockets (architecture §4): each step starts only after the
 * previous one's evidence (a registration's HTTP response; an arrival's first `text` frame answering
 * its prompt, which the agent sends only after it processed `setup`), so the agent observes exactly
 * the generated order. Then every call hangs up and the exports are collected: until every call
 * that connected has exported, or until none arrived for `exportQuietMs`.
 */
export async function runRacePlan(plan: RacePlan, options: RaceRunOptions): Promise<RaceObservation> {
  const { cluster, clock, payload } = options;
  const timeouts: RaceTimeouts = { ...DEFAULT_RACE_TIMEOUTS, ...options.timeouts };
  const random = createSeededRandom(options.runSeed);
  const agentFetch = publicUrlFetch(options.fetch, cluster.publicUrl, cluster.baseUrl);
  const calls: LiveCall[] = plan.calls.map((_, index) => {
    const ids = createSeededIds(random.derive(`call-${index}`));
    const call = createInboundCall(ids, { from: callerNumber(index), to: RACE_AGENT_NUMBER });
    const identity: RaceCallIdentity = {
      index,
      letter: callLetter(index),
      from: call.from,
      to: call.to,
      callSid: call.callSid,
      simulationOutputId: ids.simulationOutputId(),
      prompt: callPrompt(index),
    };
    return { identity, call, ids };
  });
  const identities = calls.map((c) => c.identity);
  const steps = planSteps(plan);
  const observed: (RegistrationObservation | ArrivalObservation)[] = new Array(steps.length);
  const startedAtMs = clock.now();
  let error: string | undefined;
  let stopped = false;
  const died = cluster.exited.then((exit) => {
    error ??= `an agent replica exited (code ${exit.code}, signal ${exit.signal})`;
    stopped = true;
  });

  cluster.beginRun();
  const fakes: RunFakes = await cluster.stack.beginRun({ random: random.derive('openai'), script: undefined, acceptUnknownIds: true, faults: [] });
  try {
    const register = async (position: number, step: Extract<RaceStep, { kind: 'register' }>): Promise<void> => {
      const live = calls[step.call] as LiveCall;
      const before = cluster.routeCount();
      const sentAtMs = clock.now();
      const dial = await fakes.coval.dial({
        registerUrl: `${cluster.publicUrl}${cluster.paths.register}`,
        simulationOutputId: live.identity.simulationOutputId,
        ...(payload === 'id' ? {} : { fromNumber: live.call.from }),
        ...(payload === 'id+from+to' ? { toNumber: live.call.to } : {}),
        payload,
        headers: { 'x-api-key': cluster.covalApiKey },
        fetch: agentFetch,
        timeoutMs: timeouts.registrationMs,
      });
      const route = cluster.routesSince(before).find((r) => r.kind === 'http');
      observed[position] = {
        kind: 'register',
        call: step.call,
        duplicate: step.duplicate,
        payload: dial.payload,
        sentAtMs,
        answeredAtMs: clock.now(),
        outcome: dial.outcome,
        ...(dial.status === undefined ? {} : { status: dial.status }),
        ...(dial.error === undefined ? {} : { error: dial.error }),
        ...(route === undefined ? {} : { replica: route.target }),
      };
    };

    const arrive = async (position: number, step: Extract<RaceStep, { kind: 'arrive' }>): Promise<void> => {
      const live = calls[step.call] as LiveCall;
      const ttlMs = cluster.ttlMs;
      const expiryWaitMs = step.expire && ttlMs !== undefined ? ttlMs + timeouts.expiryMarginMs : 0;
      if (expiryWaitMs > 0) await sleep(clock, expiryWaitMs);
      if (step.gapMs > 0) await sleep(clock, step.gapMs);
      const before = cluster.routeCount();
      const base = { kind: 'arrive' as const, call: step.call, gapMs: step.gapMs, expiryWaitMs };
      const routed = (): Pick<ArrivalObservation, 'webhookReplica' | 'socketReplica'> => {
        const routes = cluster.routesSince(before);
        const hook = routes.find((r) => r.kind === 'http');
        const socket = routes.find((r) => r.kind === 'ws');
        return { ...(hook === undefined ? {} : { webhookReplica: hook.target }), ...(socket === undefined ? {} : { socketReplica: socket.target }) };
      };
      const webhook = await postVoiceWebhook({
        url: `${cluster.publicUrl}${cluster.paths.webhook}`,
        authToken: cluster.twilioAuthToken,
        call: live.call,
        fetch: agentFetch,
        clock,
        timeoutMs: timeouts.arrivalMs,
      });
      const webhookStatus = webhook.exchange.response?.status;
      const withStatus = webhookStatus === undefined ? base : { ...base, webhookStatus };
      if (!webhook.ok) {
        observed[position] = { ...withStatus, ...routed(), failure: `the voice webhook failed (${webhook.failure.kind}${webhookStatus === undefined ? '' : ` ${webhookStatus}`})` };
        return;
      }
      const setupSentAtMs = clock.now();
      const session = startRelaySession({
        twiml: webhook.twiml,
        call: live.call,
        authToken: cluster.twilioAuthToken,
        clock,
        ids: live.ids,
        fetch: agentFetch,
        // The greeting is not what is raced: play it at once so the prompt is not a barge-in.
        charsPerSecond: 1_000_000,
        connectTimeoutMs: timeouts.arrivalMs,
      });
      live.session = session;
      const ready = await session.ready;
      if (ready.status !== 'open') {
        observed[position] = { ...withStatus, setupSentAtMs, ...routed(), failure: `the relay handshake failed (${ready.reason})` };
        return;
      }
      try {
        await session.waitForPlaybackIdle({ timeoutMs: timeouts.arrivalMs });
        await session.say(live.identity.prompt);
        await session.client.waitFor((f) => f.dir === 'in' && (f.parsed as { type?: unknown } | undefined)?.type === 'text', {
          timeoutMs: timeouts.arrivalMs,
          description: `the agent's first text frame answering "${live.identity.prompt}"`,
        });
        observed[position] = { ...withStatus, setupSentAtMs, answeredAtMs: clock.now(), ...routed() };
      } catch (failure) {
        observed[position] = { ...withStatus, setupSentAtMs, ...routed(), failure: errorText(failure) };
      }
    };

    const runStep = orderedSteps(steps.map((s) => stepLabel(s, callLetter(s.call))));
    await Promise.all(
      calls.map(async (live) => {
        for (const [position, step] of steps.entries()) {
          if (step.call !== live.identity.index) continue;
          await runStep(stepLabel(step, live.identity.letter), async () => {
            if (stopped) return;
            try {
              await Promise.race([step.kind === 'register' ? register(position, step) : arrive(position, step), died]);
            } catch (failure) {
              error ??= `${stepLabel(step, live.identity.letter)}: ${errorText(failure)}`;
              stopped = true;
            }
          });
        }
      }),
    );

    await Promise.all(
      calls.map(async (live) => {
        const session = live.session;
        if (session === undefined) return;
        const closed = await Promise.race([session.hangUp().then(() => true), sleep(clock, timeouts.hangUpMs).then(() => false)]);
        if (!closed) {
          session.client.terminate();
          await Promise.race([session.done, sleep(clock, timeouts.hangUpMs)]);
        }
      }),
    );

    const waitStart = clock.now();
    if (!stopped) await awaitExports(fakes.coval, calls, identities, clock, timeouts);
    const exportWaitMs = clock.now() - waitStart;
    const exports = exportsOf(fakes.coval, identities, clock);
    return {
      payload,
      ...(cluster.ttlMs === undefined ? {} : { ttlMs: cluster.ttlMs }),
      calls: identities,
      steps: observed.filter((s) => s !== undefined),
      exports,
      exportWaitMs,
      startedAtMs,
      endedAtMs: clock.now(),
      ...(error === undefined ? {} : { error }),
    };
  } finally {
    for (const live of calls) live.session?.client.terminate();
    await fakes.end();
  }
}

/**
 * Waits until every connected call has exported, or no export arrived for the quiet window, or the
 * deadline. The quiet window is awake time (`awakeSleep`): on a starved event loop the embedded
 * agent's exports are queued behind the same stall, so only time the process could run counts.
 */
async function awaitExports(coval: FakeCoval, calls: readonly LiveCall[], identities: readonly RaceCallIdentity[], clock: Clock, timeouts: RaceTimeouts): Promise<void> {
  const start = clock.now();
  let quiet = 0;
  let seen = -1;
  const connected = calls.filter((c) => c.session?.setup !== undefined).map((c) => c.identity.index);
  for (;;) {
    const exports = exportsOf(coval, identities, clock);
    if (exports.length !== seen) {
      seen = exports.length;
      quiet = 0;
    }
    if (connected.every((i) => exports.some((e) => e.owner === i))) return;
    const left = Math.min(timeouts.exportQuietMs - quiet, timeouts.exportDeadlineMs - (clock.now() - start));
    if (left <= 0) return;
    const waiting = identities.map((c) => c.simulationOutputId).filter((id) => coval.store.batches(id).length === 0);
    const controller = new AbortController();
    const sleeping = awakeSleep(clock, left, controller.signal);
    await Promise.race([sleeping, ...waiting.map((id) => coval.waitForBatch(id, { timeoutMs: left, signal: controller.signal }).catch(() => undefined))]);
    controller.abort();
    quiet += await sleeping;
  }
}
