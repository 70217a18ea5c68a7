import { AgentErrors } from '../errors.ts';
import type { LlmClient } from '../llm/llm-client.ts';
import { ToolCallAccumulator } from '../llm/tool-call-accumulator.ts';
import type { Clock } from '../platform/clock.ts';
import type { AgentLogger } from '../platform/logger.ts';
import type { ClaimResult } from '../registry/simulation-registry.ts';
import { decodeInbound, type RawFrameData } from '../relay/decode-inbound.ts';
import type { DtmfFrame, InboundFrame, InterruptFrame, PromptFrame, SetupFrame } from '../relay/inbound-frames.ts';
import { endFrame, textFrame, type OutboundFrame } from '../relay/outbound-frames.ts';
import type { EndCallRequest, ToolRegistry } from '../tools/tool-registry.ts';
import type { CallLog, UserTurn } from './call-log.ts';
import { ConversationRecord, truncateTurns, type TurnDraft } from './conversation-record.ts';
import { describeError, MAX_ERROR_CHARS } from './describe-error.ts';
import { type LlmTurnContext, runTools, streamTurn } from './llm-turn.ts';

/** What a session needs from outside; it does no I/O of its own. */
export interface RelaySessionDeps {
  readonly clock: Clock;
  readonly logger: AgentLogger;
  readonly llm: LlmClient;
  readonly tools: ToolRegistry;
  /** Claims the simulation output id for the caller (`SimulationRegistry.claim`). Must settle. */
  readonly claim: (query: { readonly from?: string }) => Promise<ClaimResult>;
  /** Sends one frame to Twilio; may throw if the socket is gone (the cycle then stops). */
  readonly send: (frame: OutboundFrame) => void;
  readonly systemPrompt: string;
  /** Tool rounds allowed per caller turn; when the model wants more, a short sentence ends the cycle. */
  readonly maxToolIterations: number;
  /** Inbound frames larger than this are dropped unread (default 64 KiB). */
  readonly maxFrameBytes?: number;
  /** An LLM stream that produces no delta for this long fails like any LLM error (default 15 s). */
  readonly llmIdleTimeoutMs?: number;
  /** Called once, right after the `end` frame was sent, with its `handoffData`. */
  readonly onEnd?: (handoffData: string) => void;
}

/**
 * Where a call is: before `setup`, waiting for the caller, answering, handed back to TwiML
 * (`end` sent), or closed.
 */
export type RelaySessionState = 'awaiting-setup' | 'listening' | 'responding' | 'ended' | 'closed';

/** One call's ConversationRelay conversation (docs/agent-session.md). */
export interface RelaySession {
  /** Feeds one WebSocket message exactly as received; never throws. */
  handleRaw(data: RawFrameData, isBinary: boolean): void;
  /** Aborts in-flight work, waits for it (and the claim) to settle and returns the call's log. Idempotent. */
  close(reason?: string): Promise<CallLog>;
  /** Resolves once nothing is in flight (no LLM cycle, no claim); for tests and draining. */
  whenIdle(): Promise<void>;
  /** Resolves once the session sent `end` and wants the socket closed; never rejects. */
  readonly ended: Promise<void>;
  readonly state: RelaySessionState;
  readonly callSid: string | undefined;
  readonly simulationOutputId: string | undefined;
}

/** Spoken when the LLM fails; the turn records the failure. */
export const APOLOGY_TEXT = "I'm sorry, I'm having trouble right now. Could you say that again?";
/** Spoken when the model keeps asking for tools past the bound. */
export const TOOL_LIMIT_TEXT = "I'm sorry, I couldn't finish that request. Could you try asking another way?";
/** Default {@link RelaySessionDeps.llmIdleTimeoutMs}. */
export const DEFAULT_LLM_IDLE_TIMEOUT_MS = 15_000;

/** One talk cycle: the answer to one caller turn, across tool rounds, closed by one `last:true`. */
interface Cycle {
  readonly id: number;
  readonly controller: AbortController;
  readonly turns: TurnDraft[];
  current?: TurnDraft;
  cancelled: boolean;
  spoke: boolean;
  truncated: boolean;
}

function validate(deps: RelaySessionDeps): void {
  const problems: string[] = [];
  if (!Number.isInteger(deps.maxToolIterations) || deps.maxToolIterations < 0) problems.push(`maxToolIterations must be an integer >= 0 (actual: ${deps.maxToolIterations})`);
  if (deps.maxFrameBytes !== undefined && !(Number.isInteger(deps.maxFrameBytes) && deps.maxFrameBytes > 0)) problems.push(`maxFrameBytes must be a positive integer (actual: ${deps.maxFrameBytes})`);
  if (deps.llmIdleTimeoutMs !== undefined && !(deps.llmIdleTimeoutMs > 0)) problems.push(`llmIdleTimeoutMs must be > 0 (actual: ${deps.llmIdleTimeoutMs})`);
  if (typeof deps.systemPrompt !== 'string') problems.push('systemPrompt must be a string');
  if (problems.length > 0) throw new AgentErrors.AGENT_ERR_SESSION_OPTIONS_INVALID(problems.join('; '));
}

/**
 * Creates the state machine for one ConversationRelay call (docs/agent-session.md). It decodes
 * frames, claims the simulation id on `setup`, runs the agentic LLM loop per caller turn and
 * streams every token at once, and records the call for the span builder.
 */
export function createRelaySession(deps: RelaySessionDeps): RelaySession {
  validate(deps);
  const { clock } = deps;
  const idleTimeoutMs = deps.llmIdleTimeoutMs ?? DEFAULT_LLM_IDLE_TIMEOUT_MS;
  const createdAtMs = clock.epochMs();

  let log = deps.logger;
  let setup: SetupFrame | undefined;
  let startedAtMs: number | undefined;
  let simulationOutputId: string | undefined;
  let correlationMethod: 'caller-id' | 'fifo' | undefined;
  let endSent = false;
  let closed = false;
  let closing: Promise<CallLog> | undefined;
  let cycleSeq = 0;
  let current: Cycle | undefined;
  let lastSpoken: Cycle | undefined;
  let signalEnded: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => {
    signalEnded = resolve;
  });
  const inFlight = new Set<Promise<void>>();
  const record = new ConversationRecord(deps.systemPrompt);
  // Built once, so streaming a token allocates no context; `log` changes once the call is set up.
  const turnContext: LlmTurnContext<Cycle> = {
    clock,
    llm: deps.llm,
    tools: deps.tools,
    record,
    idleTimeoutMs,
    speak,
    get log() {
      return log;
    },
  };

  function track(work: Promise<void>): void {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  }

  // ── sending ──────────────────────────────────────────────────────────────

  function send(frame: OutboundFrame): boolean {
    if (closed || endSent) return false;
    try {
      deps.send(frame);
      return true;
    } catch (err) {
      log.warn({ frameType: frame.type, err: describeError(err) }, 'sending a frame to Twilio failed; stopping the current reply');
      return false;
    }
  }

  /** Sends one token of `turn`; a failed send cancels the cycle. */
  function speak(cycle: Cycle, turn: TurnDraft, token: string): boolean {
    if (!send(textFrame(token, false))) {
      cancelCycle(cycle, 'send-failed');
      return false;
    }
    if (turn.firstTokenSentAtMs === undefined) turn.firstTokenSentAtMs = clock.epochMs();
    turn.sent += token;
    cycle.spoke = true;
    lastSpoken = cycle;
    return true;
  }

  // ── call log ─────────────────────────────────────────────────────────────

  function buildCallLog(endedAtMs: number): CallLog {
    return record.buildCallLog(
      {
        callSid: setup?.callSid ?? '',
        ...(setup?.sessionId === undefined ? {} : { sessionId: setup.sessionId }),
        ...(setup?.from === undefined ? {} : { from: setup.from }),
        ...(setup?.to === undefined ? {} : { to: setup.to }),
        ...(simulationOutputId === undefined ? {} : { simulationOutputId }),
        ...(correlationMethod === undefined ? {} : { correlationMethod }),
        startedAtMs: startedAtMs ?? createdAtMs,
      },
      endedAtMs,
    );
  }

  // ── cycles ───────────────────────────────────────────────────────────────

  function startTurn(cycle: Cycle, requestedAtMs: number): TurnDraft {
    const draft = record.startTurn(requestedAtMs);
    cycle.turns.push(draft);
    cycle.current = draft;
    return draft;
  }

  /** Stops a cycle for good: nothing more of it is sent, and its open turn ends now, cut short. */
  function cancelCycle(cycle: Cycle, reason: 'interrupt' | 'superseded' | 'closed' | 'send-failed'): void {
    if (cycle.cancelled) return;
    cycle.cancelled = true;
    const turn = cycle.current;
    if (turn && turn.endedAtMs === undefined) {
      turn.endedAtMs = clock.epochMs();
      turn.interrupted = true;
    }
    cycle.current = undefined;
    cycle.controller.abort(reason);
    if (current === cycle) current = undefined;
    log.info({ cycle: cycle.id, reason, sentChars: turn?.sent.length ?? 0 }, 'reply cut short');
  }

  /** Rewrites a cycle's turns to what the caller heard (once per cycle). */
  function truncate(cycle: Cycle, heard: string): void {
    cycle.truncated = true;
    truncateTurns(cycle.turns, heard);
  }

  function finishCycle(cycle: Cycle, endCall?: EndCallRequest): void {
    if (cycle.cancelled) return;
    cycle.current = undefined;
    if (current === cycle) current = undefined;
    if (!send(textFrame('', true))) {
      log.warn({ cycle: cycle.id }, 'could not close the talk cycle');
      return;
    }
    if (!endCall) return;
    const frame = endFrame({
      reasonCode: 'agent-ended-call',
      reason: endCall.reason,
      ...(endCall.summary === undefined ? {} : { summary: endCall.summary }),
    });
    const handoffData = frame.handoffData ?? '';
    if (!send(frame)) return;
    endSent = true;
    log.info({ reason: endCall.reason }, 'sent end: handing the call back to TwiML');
    signalEnded();
    try {
      deps.onEnd?.(handoffData);
    } catch (err) {
      log.error({ err: describeError(err) }, 'onEnd callback threw');
    }
  }

  /** Speaks a fixed sentence as its own failed turn (the tool-round bound). */
  function speakFixed(cycle: Cycle, text: string, error: string): void {
    const turn = startTurn(cycle, clock.epochMs());
    turn.error = error;
    speak(cycle, turn, text);
    turn.endedAtMs = clock.epochMs();
  }

  async function runCycle(cycle: Cycle, requestedAtMs: number): Promise<void> {
    let requestedAt = requestedAtMs;
    for (let round = 0; ; round++) {
      const turn = startTurn(cycle, requestedAt);
      const calls = new ToolCallAccumulator();
      const failure = await streamTurn(turnContext, cycle, turn, calls);
      if (cycle.cancelled) return;
      if (failure !== undefined) {
        log.error({ cycle: cycle.id, round, error: failure, sentChars: turn.sent.length }, 'LLM call failed; apologising');
        turn.error = failure;
        const gap = turn.sent !== '' && !/\s$/.test(turn.sent) ? ' ' : '';
        if (!speak(cycle, turn, gap + APOLOGY_TEXT)) return;
        turn.endedAtMs = clock.epochMs();
        finishCycle(cycle);
        return;
      }
      turn.endedAtMs = clock.epochMs();
      if (calls.dropped > 0) log.warn({ cycle: cycle.id, dropped: calls.dropped }, 'ignored tool-call fragments beyond the per-turn limit');
      const toolCalls = calls.calls((index) => `call_${cycle.id}_${round}_${index}`);
      if (toolCalls.length === 0) {
        finishCycle(cycle);
        return;
      }
      if (round >= deps.maxToolIterations) {
        log.warn({ cycle: cycle.id, rounds: round, dropped: toolCalls.map((c) => c.name) }, 'tool-round limit reached; not running the requested tools');
        speakFixed(cycle, TOOL_LIMIT_TEXT, `tool-round limit reached (${deps.maxToolIterations}); the model kept asking for tools`);
        finishCycle(cycle);
        return;
      }
      const outcome = await runTools(turnContext, cycle, turn, toolCalls);
      if (outcome === undefined || cycle.cancelled) return;
      if (outcome.endCall) {
        finishCycle(cycle, outcome.endCall);
        return;
      }
      requestedAt = clock.epochMs();
    }
  }

  function startCycle(requestedAtMs: number): void {
    const cycle: Cycle = { id: ++cycleSeq, controller: new AbortController(), turns: [], cancelled: false, spoke: false, truncated: false };
    current = cycle;
    const work = runCycle(cycle, requestedAtMs).catch((err: unknown) => {
      // A bug, not an LLM failure: stop the cycle cleanly rather than leave the caller hanging.
      log.error({ cycle: cycle.id, err: describeError(err) }, 'reply failed unexpectedly');
      if (!cycle.cancelled) {
        if (cycle.current) cycle.current.endedAtMs ??= clock.epochMs();
        finishCycle(cycle);
      }
    });
    track(work);
  }

  // ── frames ───────────────────────────────────────────────────────────────

  function onSetup(frame: SetupFrame): void {
    if (setup) {
      log.warn({ otherCallSid: frame.callSid }, 'ignored a second setup frame');
      return;
    }
    setup = frame;
    startedAtMs = clock.epochMs();
    log = deps.logger.child({ callSid: frame.callSid });
    log.info({ from: frame.from, to: frame.to, sessionId: frame.sessionId, callStatus: frame.callStatus }, 'call set up');
    const query = frame.from === undefined || frame.from === '' ? {} : { from: frame.from };
    const claiming = (async () => {
      try {
        const result = await deps.claim(query);
        if (result.status === 'claimed') {
          simulationOutputId = result.simulationOutputId;
          correlationMethod = result.matchedBy;
          log = deps.logger.child({ callSid: frame.callSid, simulationOutputId });
          log.info({ status: 'claimed', matchedBy: result.matchedBy, ageMs: result.ageMs, purged: result.purgedExpired }, 'claimed simulation id');
        } else {
          log.warn({ status: 'none', from: frame.from, purged: result.purgedExpired }, 'no simulation id for this call; its trace will not be exported');
        }
      } catch (err) {
        log.error({ err: describeError(err), from: frame.from }, 'claiming the simulation id failed; the trace will not be exported');
      }
    })();
    track(claiming);
  }

  function acceptsCallerInput(frameType: string): boolean {
    if (!setup) {
      log.warn({ frameType }, `ignored ${frameType} before setup`);
      return false;
    }
    if (endSent) {
      log.info({ frameType }, `ignored ${frameType}: the call is being handed back`);
      return false;
    }
    return true;
  }

  function beginUserTurn(turn: UserTurn, message: string): void {
    if (current) cancelCycle(current, 'superseded');
    record.addUserTurn(turn, message);
    startCycle(turn.receivedAtMs);
  }

  function onPrompt(frame: PromptFrame, receivedAtMs: number): void {
    if (!acceptsCallerInput('prompt')) return;
    if (!frame.last) {
      log.debug({ chars: frame.voicePrompt.length }, 'ignored a partial prompt');
      return;
    }
    if (frame.voicePrompt.trim() === '') {
      log.info({}, 'ignored an empty prompt');
      return;
    }
    log.info({ chars: frame.voicePrompt.length, lang: frame.lang }, 'caller said something');
    beginUserTurn(
      { kind: 'user', source: 'speech', text: frame.voicePrompt, receivedAtMs, ...(frame.lang === undefined ? {} : { lang: frame.lang }) },
      frame.voicePrompt,
    );
  }

  function onDtmf(frame: DtmfFrame, receivedAtMs: number): void {
    if (!acceptsCallerInput('dtmf')) return;
    const text = `The caller pressed ${frame.digit}`;
    log.info({ digit: frame.digit }, 'caller pressed a key');
    beginUserTurn({ kind: 'user', source: 'dtmf', text, receivedAtMs }, text);
  }

  function onInterrupt(frame: InterruptFrame): void {
    if (!acceptsCallerInput('interrupt')) return;
    const inFlight = current;
    if (inFlight) cancelCycle(inFlight, 'interrupt');
    const target = lastSpoken && !lastSpoken.truncated ? lastSpoken : undefined;
    if (target) truncate(target, frame.utteranceUntilInterrupt);
    log.info(
      {
        cutReply: inFlight?.id,
        truncatedReply: target?.id,
        heardChars: frame.utteranceUntilInterrupt.length,
        durationUntilInterruptMs: frame.durationUntilInterruptMs,
      },
      'caller interrupted',
    );
  }

  function dispatch(frame: InboundFrame, receivedAtMs: number): void {
    switch (frame.type) {
      case 'setup':
        onSetup(frame);
        return;
      case 'prompt':
        onPrompt(frame, receivedAtMs);
        return;
      case 'dtmf':
        onDtmf(frame, receivedAtMs);
        return;
      case 'interrupt':
        onInterrupt(frame);
        return;
      case 'error':
        log.warn({ description: frame.description.slice(0, MAX_ERROR_CHARS) }, 'Twilio reported an error');
        return;
      case 'info':
        log.debug({ name: frame.name, value: typeof frame.value === 'string' ? frame.value.slice(0, 200) : frame.value }, 'Twilio info event');
        return;
    }
  }

  return {
    handleRaw(data, isBinary) {
      try {
        const receivedAtMs = clock.epochMs();
        if (closed) {
          log.warn({}, 'ignored a frame after the session closed');
          return;
        }
        const decoded = decodeInbound(data, isBinary, deps.maxFrameBytes);
        if (!decoded.ok) {
          const { ok: _ok, ...problem } = decoded;
          log.warn(problem, `dropped an inbound frame: ${decoded.problem}`);
          return;
        }
        dispatch(decoded.frame, receivedAtMs);
      } catch (err) {
        log.error({ err: describeError(err) }, 'handling an inbound frame failed; frame dropped');
      }
    },

    close(reason = 'socket closed') {
      if (closing) return closing;
      const closedAtMs = clock.epochMs();
      if (current) cancelCycle(current, 'closed');
      closed = true;
      log.info({ reason, events: record.eventCount }, 'session closed');
      closing = (async () => {
        while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
        return buildCallLog(closedAtMs);
      })();
      return closing;
    },

    async whenIdle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },

    ended,

    get state(): RelaySessionState {
      if (closed) return 'closed';
      if (endSent) return 'ended';
      if (!setup) return 'awaiting-setup';
      return current ? 'responding' : 'listening';
    },
    get callSid() {
      return setup?.callSid;
    },
    get simulationOutputId() {
      return simulationOutputId;
    },
  };
}