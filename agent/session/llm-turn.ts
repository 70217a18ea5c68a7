/**
 * One round of a reply: streaming one LLM completion into a turn (every token spoken at once) and
 * running the tool calls it asked for. The session owns cycles and frames; these functions only
 * read whether their cycle was cut and hand each token to the session's `speak`.
 */
import type { ChatMessage, LlmClient, LlmDelta, LlmToolCall } from '../llm/llm-client.ts';
import type { ToolCallAccumulator } from '../llm/tool-call-accumulator.ts';
import type { Clock, TimerHandle } from '../platform/clock.ts';
import type { AgentLogger } from '../platform/logger.ts';
import type { EndCallRequest, ToolOutcome, ToolRegistry } from '../tools/tool-registry.ts';
import { ABORTED, AbortableSteps, orAbort } from './abort-race.ts';
import type { ConversationRecord, TurnDraft } from './conversation-record.ts';
import { describeError, MAX_ERROR_CHARS } from './describe-error.ts';

/** What a round reads of the reply it belongs to. */
export interface TurnCycle {
  readonly id: number;
  readonly controller: AbortController;
  readonly cancelled: boolean;
}

/**
 * Everything a round needs, built once per session so the per-token path allocates nothing.
 * `log` is read at each use: the session's logger gains the call's ids once it is set up.
 */
export interface LlmTurnContext<C extends TurnCycle> {
  readonly clock: Clock;
  readonly llm: LlmClient;
  readonly tools: ToolRegistry;
  readonly record: ConversationRecord;
  readonly idleTimeoutMs: number;
  readonly log: AgentLogger;
  /** Sends one token of `turn`; false when it could not (the cycle is then cancelled). */
  readonly speak: (cycle: C, turn: TurnDraft, token: string) => boolean;
}

/** Streams one completion into `turn`; returns an error message if the LLM failed, else undefined. */
export async function streamTurn<C extends TurnCycle>(ctx: LlmTurnContext<C>, cycle: C, turn: TurnDraft, calls: ToolCallAccumulator): Promise<string | undefined> {
  const { clock, idleTimeoutMs } = ctx;
  const idle = new AbortController();
  const signal = AbortSignal.any([cycle.controller.signal, idle.signal]);
  // One idle timer per turn, not one per delta: each delta only records when it came, and the
  // timer, when it fires early, re-arms for the rest of the quiet period. Setting and clearing
  // a timer for every token was the largest share of the session's own allocations.
  let lastDeltaAt = clock.now();
  let timer: TimerHandle | undefined;
  const checkIdle = (): void => {
    const quietMs = clock.now() - lastDeltaAt;
    if (quietMs >= idleTimeoutMs) idle.abort('idle-timeout');
    else timer = clock.setTimer(idleTimeoutMs - quietMs, checkIdle);
  };
  timer = clock.setTimer(idleTimeoutMs, checkIdle);
  const steps = new AbortableSteps(signal);
  let iterator: AsyncIterator<LlmDelta> | undefined;
  let finished = false;
  try {
    iterator = ctx.llm.streamChat({ messages: ctx.record.requestMessages(), tools: ctx.tools.definitions, signal })[Symbol.asyncIterator]();
    for (;;) {
      const step = await steps.next(iterator);
      if (cycle.cancelled) return undefined;
      if (step === ABORTED) return `LLM stream produced nothing for ${idleTimeoutMs} ms`;
      if (step.done) {
        finished = true;
        return undefined;
      }
      lastDeltaAt = clock.now();
      const delta = step.value;
      turn.firstDeltaAtMs ??= clock.epochMs();
      switch (delta?.type) {
        case 'content':
          if (typeof delta.text === 'string' && delta.text !== '' && !ctx.speak(cycle, turn, delta.text)) return undefined;
          break;
        case 'tool-call':
          if (Number.isInteger(delta.index)) calls.add(delta);
          break;
        case 'finish':
          turn.finishReason = String(delta.reason);
          break;
        case 'usage':
          turn.usage = { inputTokens: Number(delta.inputTokens) || 0, outputTokens: Number(delta.outputTokens) || 0 };
          break;
        default:
          ctx.log.debug({ delta: String((delta as { type?: unknown } | undefined)?.type) }, 'ignored an unknown LLM delta');
      }
    }
  } catch (err) {
    if (cycle.cancelled) return undefined;
    if (idle.signal.aborted) return `LLM stream produced nothing for ${idleTimeoutMs} ms`;
    return describeError(err);
  } finally {
    timer?.cancel();
    steps.dispose();
    // Release the HTTP stream without waiting: an aborted or broken client may never settle.
    if (!finished && iterator?.return) {
      try {
        void Promise.resolve(iterator.return()).catch(() => undefined);
      } catch {
        // A client whose return() throws has nothing left to release.
      }
    }
  }
}

/** Runs the turn's tool calls in order; returns undefined if the cycle was cut meanwhile. */
export async function runTools<C extends TurnCycle>(ctx: LlmTurnContext<C>, cycle: C, turn: TurnDraft, calls: readonly LlmToolCall[]): Promise<{ endCall?: EndCallRequest } | undefined> {
  const { clock } = ctx;
  const results: ChatMessage[] = [];
  let endCall: EndCallRequest | undefined;
  for (const call of calls) {
    const startedAt = clock.epochMs();
    let outcome: ToolOutcome | typeof ABORTED;
    try {
      outcome = await orAbort(ctx.tools.run(call.name, call.arguments), cycle.controller.signal);
    } catch (err) {
      outcome = { error: `tool '${call.name}' failed: ${describeError(err)}` };
    }
    if (outcome === ABORTED || cycle.cancelled) {
      ctx.log.info({ cycle: cycle.id, tool: call.name, callId: call.id }, 'tool result discarded: the reply was cut short');
      return undefined;
    }
    const error = 'error' in outcome ? String(outcome.error).slice(0, MAX_ERROR_CHARS) : undefined;
    const content = 'error' in outcome ? JSON.stringify({ error }) : String(outcome.result);
    ctx.record.addToolTurn({
      kind: 'tool',
      callId: call.id,
      name: call.name,
      arguments: call.arguments,
      startedAtMs: startedAt,
      endedAtMs: clock.epochMs(),
      result: content,
      ...(error === undefined ? {} : { error }),
    });
    results.push({ role: 'tool', toolCallId: call.id, content });
    if ('error' in outcome) ctx.log.info({ cycle: cycle.id, tool: call.name, callId: call.id, error }, 'tool failed');
    else {
      ctx.log.info({ cycle: cycle.id, tool: call.name, callId: call.id }, 'tool ran');
      if (outcome.endCall) endCall = outcome.endCall;
    }
  }
  ctx.record.completeToolRound(turn, calls, results);
  return endCall ? { endCall } : {};
}
