import { HttpResponse } from 'msw';

/** An OpenAI chat.completion.chunk with one choice. */
export function chunk(delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-test', choices: [{ index: 0, delta, finish_reason: finishReason }] };
}

/** The usage-only final chunk that `stream_options.include_usage` adds. */
export function usageChunk(prompt: number, completion: number): Record<string, unknown> {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-test', choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } };
}

/** An SSE response: each part is a chunk, `'[DONE]'`, or a promise to wait on before going on. */
export function sse(parts: ReadonlyArray<Record<string, unknown> | '[DONE]' | Promise<unknown>>, onCancel?: () => void): HttpResponse<ReadableStream> {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      for (const part of parts) {
        if (part instanceof Promise) {
          await part;
          continue;
        }
        controller.enqueue(encoder.encode(`data: ${typeof part === 'string' ? part : JSON.stringify(part)}\n\n`));
      }
      controller.close();
    },
    cancel() {
      onCancel?.();
    },
  });
  return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } });
}
