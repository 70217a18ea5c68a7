/**
 * The chat-completion surface the relay session depends on. Production uses OpenAI's SDK
 * ({@link createOpenAiLlmClient}); tests script the stream ({@link createScriptedLlmClient}).
 */

/** A tool call the model made, fully accumulated. */
export interface LlmToolCall {
  readonly id: string;
  readonly name: string;
  /** The arguments exactly as streamed (a JSON string, possibly malformed). */
  readonly arguments: string;
}

/** One message of the conversation history, in the order the model sees it. */
export type ChatMessage =
  | { readonly role: 'system'; readonly content: string }
  | { readonly role: 'user'; readonly content: string }
  | { readonly role: 'assistant'; readonly content: string; readonly toolCalls?: readonly LlmToolCall[] }
  | { readonly role: 'tool'; readonly toolCallId: string; readonly content: string };

/** A JSON Schema object describing a tool's arguments. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** A tool offered to the model, in OpenAI's `tools` shape. */
export interface ToolDefinition {
  readonly type: 'function';
  readonly function: {
    readonly name: string;
    readonly description: string;
    readonly parameters: JsonSchema;
  };
}

/** One piece of a streamed completion. */
export type LlmDelta =
  /** Text to speak, exactly as the model produced it. */
  | { readonly type: 'content'; readonly text: string }
  /** A fragment of tool call number `index`; id/name/arguments concatenate across fragments. */
  | { readonly type: 'tool-call'; readonly index: number; readonly id?: string; readonly name?: string; readonly arguments?: string }
  /** The choice's `finish_reason` (`stop`, `tool_calls`, `length`, …). */
  | { readonly type: 'finish'; readonly reason: string }
  /** Token counts, usually in the last chunk (`stream_options.include_usage`). */
  | { readonly type: 'usage'; readonly inputTokens: number; readonly outputTokens: number };

/** One streamed completion request. */
export interface LlmRequest {
  readonly messages: readonly ChatMessage[];
  readonly tools: readonly ToolDefinition[];
  /** Aborting it must end the stream promptly (the iterator then throws). */
  readonly signal: AbortSignal;
}

/**
 * A streaming chat-completion client. Failures (HTTP errors, timeouts, broken streams) surface
 * as the iterator throwing; the session turns them into a spoken apology.
 */
export interface LlmClient {
  streamChat(request: LlmRequest): AsyncIterable<LlmDelta>;
}
