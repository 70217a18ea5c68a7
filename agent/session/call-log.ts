/**
 * What happened on one call, in the order it happened: the relay session appends to it and the
 * span builder reads it after the socket closes. All times are wall-clock epoch milliseconds from
 * the injected clock (fractional allowed); nothing here is computed from the system clock.
 */

/** Token counts reported by the LLM for one completion (OpenAI `usage`). */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** A final caller utterance (`prompt` with `last:true`) or a key press turned into a user turn. */
export interface UserTurn {
  readonly kind: 'user';
  readonly source: 'speech' | 'dtmf';
  /** The transcript (`voicePrompt`) or the text given to the LLM for a key press. */
  readonly text: string;
  /** When the `prompt`/`dtmf` frame arrived. */
  readonly receivedAtMs: number;
  /** `lang` of the prompt, when given. */
  readonly lang?: string;
}

/** One LLM completion: a streamed answer, a tool-call request, or a failure. */
export interface AssistantTurn {
  readonly kind: 'assistant';
  /** When the turn's input was complete: the prompt's arrival, or the last tool result. */
  readonly requestedAtMs: number;
  /** When the first `text` frame of this turn was sent; absent when none was sent. */
  readonly firstTokenSentAtMs?: number;
  /**
   * When the first streamed delta of any kind (text or tool-call) arrived from the LLM; absent when
   * none did. The span builder uses it as the `llm` TTFB of a turn that only requested tools.
   */
  readonly firstDeltaAtMs?: number;
  /** When the stream ended (or was cut by an interrupt, a newer prompt, or an error). */
  readonly endedAtMs: number;
  /** The text the caller heard: everything sent, or `utteranceUntilInterrupt` after an interrupt. */
  readonly text: string;
  /** `finish_reason` from the stream (`stop`, `tool_calls`, `length`, …); absent if it never came. */
  readonly finishReason?: string;
  readonly usage?: TokenUsage;
  /** Set when the caller barged in or a newer prompt cancelled the turn. */
  readonly interrupted: boolean;
  /** Set when the LLM call failed; the turn then carries the spoken apology as `text`. */
  readonly error?: string;
}

/** A tool the LLM asked for, and what running it gave back. */
export interface ToolTurn {
  readonly kind: 'tool';
  readonly callId: string;
  readonly name: string;
  /** The arguments exactly as the LLM streamed them (a JSON string). */
  readonly arguments: string;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  /** The result given back to the LLM (a JSON string). */
  readonly result: string;
  /** Set when the tool failed; the span gets ERROR status with this message. */
  readonly error?: string;
}

/** One entry of a {@link CallLog}. */
export type CallEvent = UserTurn | AssistantTurn | ToolTurn;

/** Everything the span builder needs about one finished call. */
export interface CallLog {
  readonly callSid: string;
  readonly sessionId?: string;
  readonly from?: string;
  readonly to?: string;
  /** The claimed simulation output id; no export happens without one. */
  readonly simulationOutputId?: string;
  /**
   * How the simulation output id was matched to this call (the registry's `matchedBy`); exported as
   * the resource attribute `coval.correlation.method`. Absent when no id was claimed.
   */
  readonly correlationMethod?: 'caller-id' | 'fifo';
  /** When `setup` arrived. */
  readonly startedAtMs: number;
  /** When the socket closed. */
  readonly endedAtMs: number;
  readonly events: readonly CallEvent[];
}
