import { chunkText, countTokens, tokenPieces } from './chunk-text.ts';
import type { LlmUsage } from './history.ts';
import type { OpenAiIds } from './openai-ids.ts';
import type { LlmChunking, LlmReply, LlmStreamShape } from './script.ts';

/** Timing and chunking used when a reply does not say. */
export interface ReplyDefaults {
  readonly chunk: LlmChunking;
  readonly firstTokenMs: number;
  readonly interTokenMs: number;
}

/** A planned tool call with its argument fragments. */
export interface PlannedToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
  readonly pieces: readonly string[];
}

/** A reply resolved against a request: pieces to stream, timing, finish reason and usage. */
export interface ReplyPlan {
  readonly text: string;
  readonly textPieces: readonly string[];
  readonly toolCalls: readonly PlannedToolCall[];
  readonly finishReason: string;
  readonly firstTokenMs: number;
  readonly interTokenMs: number;
  readonly cutAfterChunks: number | undefined;
  readonly shape: LlmStreamShape;
  readonly usage: LlmUsage;
  readonly warnings: readonly string[];
}

/** What a plan needs from the request. */
export interface ReplyContext {
  readonly promptTokens: number;
  readonly maxTokens: number | undefined;
  readonly declaredTools: readonly string[];
}

/** Resolves a scripted (non-error) reply into a plan; tool call ids come from `ids` unless scripted. */
export function planReply(reply: LlmReply, context: ReplyContext, ids: OpenAiIds, defaults: ReplyDefaults): ReplyPlan {
  const chunking = reply.chunk ?? defaults.chunk;
  let text = reply.text ?? '';
  let toolCalls: PlannedToolCall[] = (reply.toolCalls ?? []).map((call) => {
    const args = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {});
    return { id: call.id ?? ids.toolCall(), name: call.name, arguments: args, pieces: chunkText(args, chunking) };
  });
  let finishReason = reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop');
  const warnings: string[] = [];
  const textTokens = tokenPieces(text);
  if (context.maxTokens !== undefined && textTokens.length > context.maxTokens) {
    // OpenAI stops generating at the limit: the text is cut and any later tool call never happens.
    text = textTokens.slice(0, context.maxTokens).join('');
    toolCalls = [];
    finishReason = reply.finishReason ?? 'length';
    warnings.push(`reply truncated to max tokens ${context.maxTokens}`);
  }
  for (const call of toolCalls) {
    if (!context.declaredTools.includes(call.name)) warnings.push(`scripted tool '${call.name}' is not among the request's tools`);
  }
  let completionTokens = countTokens(text);
  for (const call of toolCalls) completionTokens += countTokens(call.arguments) + countTokens(call.name) + 3;
  return {
    text,
    textPieces: chunkText(text, chunking),
    toolCalls,
    finishReason,
    firstTokenMs: reply.firstTokenMs ?? defaults.firstTokenMs,
    interTokenMs: reply.interTokenMs ?? defaults.interTokenMs,
    cutAfterChunks: reply.cutAfterChunks,
    shape: reply.streamShape ?? {},
    usage: { promptTokens: context.promptTokens, completionTokens, totalTokens: context.promptTokens + completionTokens },
    warnings,
  };
}
