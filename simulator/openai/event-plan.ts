import type { LlmChunkRecord } from './history.ts';

/**
 * A response's SSE events, planned before the first is written. `chunks` describe each event (and
 * become history records once written); `render` produces its bytes only when it is written, so
 * the write path allocates one string per event.
 */
export interface EventPlan {
  readonly chunks: readonly LlmChunkRecord[];
  render(index: number): string;
  /** Destroy the connection after this many events (never sending the terminator); undefined: no cut. */
  readonly cutAfterChunks: number | undefined;
}

/** Usage in OpenAI's chat wire shape. */
export function chatUsageJson(usage: { promptTokens: number; completionTokens: number; totalTokens: number }): string {
  return `{"prompt_tokens":${usage.promptTokens},"completion_tokens":${usage.completionTokens},"total_tokens":${usage.totalTokens},"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`;
}
