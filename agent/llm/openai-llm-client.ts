import { APIUserAbortError, OpenAI } from 'openai';
import type { ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { ChatMessage, LlmClient, LlmDelta, LlmRequest, ToolDefinition } from './llm-client.ts';

/** Options for {@link createOpenAiLlmClient}. */
export interface OpenAiLlmClientOptions {
  readonly apiKey: string;
  /** An OpenAI-compatible endpoint (the kit's fake LLM, a proxy); defaults to OpenAI. */
  readonly baseURL?: string;
  readonly model: string;
  /** Injected transport; defaults to the global fetch, as the SDK does. */
  readonly fetch?: typeof fetch;
  /** Longest wait for the response to start, in ms (default 30 s). */
  readonly timeoutMs?: number;
  /** SDK retries on 429/5xx/network errors (default 0: a caller waiting on backoff hears silence). */
  readonly maxRetries?: number;
  /**
   * True when `fetch` errors a response body that is still streaming once the request's signal
   * aborts, as the Fetch standard requires and Node's global fetch does. Bodies are then read as
   * they come; otherwise (the default, e.g. mocked transports) each body is wrapped so an abort
   * cancels it (decision 0126), at the cost of a second stream per response.
   */
  readonly fetchAbortsBodies?: boolean;
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
 * Ties each response body to the request's abort signal. The SDK ends a stream quietly when its
 * body read fails with an abort, but whether aborting a fetch also ends a body that is already
 * streaming depends on the fetch implementation; cancelling the reader ourselves makes an
 * interrupt release the HTTP stream at once with any transport.
 */
function linkBodiesToSignal(fetchImpl: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    const signal = init?.signal;
    if (!signal || !response.body) return response;
    const reader = response.body.getReader();
    const onAbort = (): void => {
      reader.cancel(signal.reason).catch(() => undefined);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (!done) {
            controller.enqueue(value);
            return;
          }
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) controller.error(new APIUserAbortError());
          else controller.close();
        } catch (err) {
          signal.removeEventListener('abort', onAbort);
          controller.error(err);
        }
      },
      cancel(reason) {
        signal.removeEventListener('abort', onAbort);
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/**
 * An {@link LlmClient} over the `openai` SDK: `chat.completions.create` with `stream: true`,
 * the session's tools and usage reporting; the request's signal aborts the HTTP stream.
 */
export function createOpenAiLlmClient(options: OpenAiLlmClientOptions): LlmClient {
  const transport: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const client = new OpenAI({
    apiKey: options.apiKey,
    ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
    // Without an injected transport this is the SDK's own default, the global fetch.
    fetch: options.fetchAbortsBodies === true ? transport : linkBodiesToSignal(transport),
    timeout: options.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS,
    maxRetries: options.maxRetries ?? 0,
    // Failures reach the session as thrown errors and are logged there, with the call's ids.
    logLevel: 'off',
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
      for await (const chunk of stream) {
        if (request.signal.aborted) break;
        yield* deltasOf(chunk);
      }
      // The SDK ends an aborted stream without an error; callers must not mistake it for a full answer.
      if (request.signal.aborted) throw new APIUserAbortError();
    },
  };
}
