import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LlmDelta } from '../../../agent/llm/llm-client.ts';
import { createOpenAiLlmClient } from '../../../agent/llm/openai-llm-client.ts';
import { createReferenceToolRegistry } from '../../../agent/tools/reference-tools.ts';
import { barrier } from '../session/session-harness.ts';
import { chunk, sse, usageChunk } from './openai-sse.ts';

const BASE_URL = 'http://llm.test/v1';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function collect(iterable: AsyncIterable<LlmDelta>): Promise<LlmDelta[]> {
  const out: LlmDelta[] = [];
  for await (const delta of iterable) out.push(delta);
  return out;
}

describe('createOpenAiLlmClient', () => {
  it('streams chat.completions with tools and usage, mapping chunks to deltas', async () => {
    const bodies: unknown[] = [];
    server.use(
      http.post('*/chat/completions', async ({ request }) => {
        bodies.push(await request.json());
        return sse([
          chunk({ role: 'assistant', content: '' }),
          chunk({ content: 'Hi' }),
          chunk({ content: ' there' }),
          chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup_appointment', arguments: '' } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] }),
          chunk({}, 'tool_calls'),
          usageChunk(12, 5),
          '[DONE]',
        ]);
      }),
    );
    const llm = createOpenAiLlmClient({ apiKey: 'sk-test', baseURL: BASE_URL, model: 'gpt-test' });
    const tools = createReferenceToolRegistry().definitions;
    const deltas = await collect(
      llm.streamChat({
        messages: [
          { role: 'system', content: 'sys' },
          { role: 'user', content: 'hello' },
          { role: 'assistant', content: '', toolCalls: [{ id: 'c0', name: 'get_lab_results', arguments: '{}' }] },
          { role: 'tool', toolCallId: 'c0', content: '{"error":"down"}' },
          { role: 'assistant', content: 'Sorry.' },
        ],
        tools,
        signal: new AbortController().signal,
      }),
    );
    expect(deltas).toEqual([
      { type: 'content', text: 'Hi' },
      { type: 'content', text: ' there' },
      { type: 'tool-call', index: 0, id: 'call_1', name: 'lookup_appointment' },
      { type: 'tool-call', index: 0, arguments: '{}' },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', inputTokens: 12, outputTokens: 5 },
    ]);
    expect(bodies[0]).toMatchObject({
      model: 'gpt-test',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'hello' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c0', type: 'function', function: { name: 'get_lab_results', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c0', content: '{"error":"down"}' },
        { role: 'assistant', content: 'Sorry.' },
      ],
    });
    expect((bodies[0] as { tools: unknown[] }).tools).toEqual(tools);
  });

  it('throws on an HTTP error without retrying', async () => {
    let calls = 0;
    server.use(
      http.post('*/chat/completions', () => {
        calls++;
        return HttpResponse.json({ error: { message: 'overloaded', type: 'server_error' } }, { status: 503 });
      }),
    );
    const llm = createOpenAiLlmClient({ apiKey: 'sk-test', baseURL: BASE_URL, model: 'gpt-test' });
    await expect(collect(llm.streamChat({ messages: [], tools: [], signal: new AbortController().signal }))).rejects.toMatchObject({ status: 503 });
    expect(calls).toBe(1);
  });

  it('aborting the signal makes a stalled stream throw at once', async () => {
    const stall = barrier();
    server.use(http.post('*/chat/completions', () => sse([chunk({ content: 'Hel' }), stall.promise, chunk({ content: 'lo' })])));
    const llm = createOpenAiLlmClient({ apiKey: 'sk-test', baseURL: BASE_URL, model: 'gpt-test' });
    const controller = new AbortController();
    const iterator = llm.streamChat({ messages: [], tools: [], signal: controller.signal })[Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toEqual({ done: false, value: { type: 'content', text: 'Hel' } });
    const pending = iterator.next();
    controller.abort('interrupt');
    await expect(pending).rejects.toThrow(/abort/i);
    stall.open();
  });

  it('aborting cancels the HTTP response body, whatever the transport', async () => {
    const stall = barrier();
    const cancelled = barrier();
    const fetchStub: typeof fetch = async () => sse([chunk({ content: 'Hel' }), stall.promise], cancelled.open);
    const llm = createOpenAiLlmClient({ apiKey: 'sk-test', baseURL: BASE_URL, model: 'gpt-test', fetch: fetchStub });
    const controller = new AbortController();
    const iterator = llm.streamChat({ messages: [], tools: [], signal: controller.signal })[Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next();
    controller.abort('interrupt');
    await expect(pending).rejects.toThrow(/abort/i);
    await cancelled.promise;
    stall.open();
  });

  it('a broken SSE payload is an error', async () => {
    server.use(http.post('*/chat/completions', () => sse([chunk({ content: 'Hi' }), 'garbage' as unknown as '[DONE]'])));
    const llm = createOpenAiLlmClient({ apiKey: 'sk-test', baseURL: BASE_URL, model: 'gpt-test' });
    await expect(collect(llm.streamChat({ messages: [], tools: [], signal: new AbortController().signal }))).rejects.toThrow();
  });

  it('uses an injected fetch when given one', async () => {
    const seen: string[] = [];
    const fetchStub: typeof fetch = async (input) => {
      seen.push(input instanceof Request ? input.url : String(input));
      return sse([chunk({ content: 'ok' }, 'stop'), '[DONE]']);
    };
    const llm = createOpenAiLlmClient({ apiKey: 'sk-test', baseURL: 'http://other.test/v1', model: 'm', fetch: fetchStub });
    const deltas = await collect(llm.streamChat({ messages: [{ role: 'user', content: 'x' }], tools: [], signal: new AbortController().signal }));
    expect(deltas).toEqual([
      { type: 'content', text: 'ok' },
      { type: 'finish', reason: 'stop' },
    ]);
    expect(seen).toEqual(['http://other.test/v1/chat/completions']);
  });
});
