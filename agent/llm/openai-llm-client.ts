import { OpenAI } from 'openai';
import type { ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { ChatMessage, LlmClient, LlmDelta, LlmRequest, ToolDefinition } from './llm-client.ts';

/** Options for {@link createOpenAiLlmClient}. */
export interface OpenAiLlmClientOptions {
  readonly apiKey: string;
  /** An OpenAI-compatible endpoint (the kit's fake LLM, a proxy); defaults to OpenAI. */
  readonly baseURL?: string;
  readonly model: string;
  /** Injected transport; defaults to the SDK's (global fetch). */
  readonly fetch?: typeof fetch;
  /** Longest wait for the response to start, in ms (default 30 s). */
  readonly timeoutMs?: number;
  /** SDK retries on 429/5xx/network errors (default 0: a caller waiting on backoff hears silence). */
  readonly maxRetries?: number;
}

/** Default {@link OpenAiLlmClientOptions.timeoutMs}. */
export const DEFAULT_LLM_TIMEOUT_MS = 30_000;

function toOpenAiMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    case 'assistant':
      if (message.toolCalls && message.toolCalls.length > 0) {
        return {
          role: 'assistant',
          content: message.content === '' ? null : message.content,
          tool_calls: message.toolCalls.map((call) => ({
            id: call.id,
            type: 'function' as const,
            function: { name: call.name, arguments: call.arguments },
          })),
        };
      }
      return { role: 'assistant', content: message.content };
  }
}

function toOpenAiTool(tool: ToolDefinition): ChatCompletionTool {
  return {
    type: 'function',
    function: { name: tool.function.name, description: tool.function.description, parameters: { ...tool.function.parameters } },
  };
}

function* deltasOf(chunk: ChatCompletionChunk): Generator<LlmDelta> {
  for (const choice of chunk.choices ?? []) {
    // The agent asks for one choice; any other index would be a second, unrelated answer.
    if (choice.index !== 0) continue;
    const delta = choice.delta;
    if (typeof delta?.content === 'string' && delta.content !== '') yield { type: 'content', text: delta.content };
    for (const call of delta?.tool_calls ?? []) {
      yield {
        type: 'tool-call',
        index: call.index,
        ...(call.id ? { id: call.id } : {}),
        ...(call.function?.name ? { name: call.function.name } : {}),
        ...(call.function?.arguments ? { arguments: call.function.arguments } : {}),
      };
    }
    if (choice.finish_reason) yield { type: 'finish', reason: choice.finish_reason };
  }
  if (chunk.usage) {
    yield { type: 'usage', inputTokens: chunk.usage.prompt_tokens ?? 0, outputTokens: chunk.usage.completion_tokens ?? 0 };
  }
}

/**
 * An {@link LlmClient} over the `openai` SDK: `chat.completions.create` with `stream: true`,
 * the session's tools and usage reporting; the request's signal aborts the HTTP stream.
 */
export function createOpenAiLlmClient(options: OpenAiLlmClientOptions): LlmClient {
  const client = new OpenAI({
    apiKey: options.apiKey,
    ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    timeout: options.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS,
    maxRetries: options.maxRetries ?? 0,
  });
  return {
    async *streamChat(request: LlmRequest): AsyncIterable<LlmDelta> {
      const stream = await client.chat.completions.create(
        {
          model: options.model,
          messages: request.messages.map(toOpenAiMessage),
          ...(request.tools.length > 0 ? { tools: request.tools.map(toOpenAiTool) } : {}),
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal: request.signal },
      );
      for await (const chunk of stream) yield* deltasOf(chunk);
    },
  };
}
