/**
 * When the agent first answered a moment of the call (a prompt), and the bound it had: the answer
 * bound plus the time the fake LLM made it wait (CR-ANSWERS-PROMPT, ROB-SURVIVES-BAD-FRAMES).
 */
import type { CallRecord, RunRecord } from '../scenario/run-record.ts';
import { typedFrames, type TypedFrame } from './call-view.ts';
import { callLlmRequests, llmWaitMs } from './llm-view.ts';
import { CHECK_TOLERANCES } from './tolerances.ts';

/** The agent's first answer after `at`, and whether it came within the bound. */
export interface AnswerTiming {
  readonly answer?: TypedFrame;
  readonly delayMs?: number;
  readonly boundMs: number;
  /** The part of the bound spent waiting for the fake LLM. */
  readonly llmMs: number;
  readonly inTime: boolean;
}

/** An agent frame that starts answering: a non-empty text token, a play or an end. */
export function answerFrames(call: CallRecord): TypedFrame[] {
  return typedFrames(call, 'in').filter((f) => (f.type === 'text' && typeof f.body.token === 'string' && f.body.token !== '') || f.type === 'play' || f.type === 'end');
}

/** The first answer at or after `at` and the bound it had to meet. */
export function answerAfter(record: RunRecord, call: CallRecord, at: number): AnswerTiming {
  const answer = answerFrames(call).find((f) => f.frame.at >= at);
  const answerAt = answer?.frame.at ?? Number.POSITIVE_INFINITY;
  const llmMs = callLlmRequests(record, call)
    .filter((r) => r.receivedAtMs >= at && r.receivedAtMs < answerAt)
    .reduce((sum, r) => sum + llmWaitMs(r), 0);
  const boundMs = CHECK_TOLERANCES.answerBoundMs + llmMs;
  if (!answer) return { boundMs, llmMs, inTime: false };
  const delayMs = answerAt - at;
  return { answer, delayMs, boundMs, llmMs, inTime: delayMs <= boundMs };
}
