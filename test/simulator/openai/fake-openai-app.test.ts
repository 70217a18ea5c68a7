import OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../simulator/core/manual-clock.ts';
import { textWritten } from '../../../simulator/openai/history.ts';
import { startFakeOpenAi } from '../../support/fake-openai-harness.ts';

const weatherTool: ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};
const bookTool: ChatCompletionTool = { type: 'function', function: { name: 'book_table', parameters: { type: 'object' } } };

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** Assembles tool calls from stream deltas the way agents do. */
function assembleToolCalls(chunks: ChatCompletionChunk[]): { id: string; name: string; arguments: string }[] {
  const calls: { id: string; name: string; arguments: string }[] = [];
  for (const chunk of chunks) {
    for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
      const call = (calls[delta.index] ??= { id: '', name: '', arguments: '' });
      if (delta.id) call.id = delta.id;
      if (delta.function?.name) call.name = delta.function.name;
      call.arguments += delta.function?.arguments ?? '';
    }
  }
  return calls;
}

describe('buildFakeOpenAi', () => {
  it('streams chat chunks shaped like OpenAI: role chunk, content, empty finish delta, [DONE]', async () => {
    const clock = new ManualClock();
    const { client, app } = await startFakeOpenAi({ clock, seed: 3, script: [{ reply: { text: 'Hi there.' } }] });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hello' }] });
    const chunks = await collect(stream);

    expect(chunks.map((c) => c.choices[0]?.delta)).toEqual([
      { role: 'assistant', content: '', refusal: null },
      { content: 'Hi' },
      { content: ' there' },
      { content: '.' },
      {},
    ]);
    expect(chunks.map((c) => c.choices[0]?.finish_reason)).toEqual([null, null, null, null, 'stop']);
    const first = chunks[0] as ChatCompletionChunk & { usage?: unknown };
    expect(first.id).toMatch(/^chatcmpl-[A-Za-z0-9]{29}$/);
    expect(first).toMatchObject({ object: 'chat.completion.chunk', created: Math.floor(clock.epochMs() / 1000), model: 'gpt-4o-mini' });
    expect(first.system_fingerprint).toMatch(/^fp_[0-9a-f]{10}$/);
    expect(first.choices[0]).toEqual({ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null });
    expect('usage' in first).toBe(false);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    const record = app.openai.history.last();
    expect(record?.chunks.at(-1)?.kind).toBe('done');
    expect(record?.outcome).toBe('completed');
  });

  it('streams tool calls in OpenAI fragments that assemble into the scripted calls', async () => {
    const { client, app } = await startFakeOpenAi({
      script: [{ when: { user: 'Weather in Paris?' }, reply: { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] } }],
    });
    const chunks = await collect(
      await client.chat.completions.create({
        model: 'gpt-4o',
        stream: true,
        tools: [weatherTool],
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
      }),
    );

    const calls = assembleToolCalls(chunks);
    expect(calls).toEqual([{ id: expect.stringMatching(/^call_[A-Za-z0-9]{24}$/), name: 'get_weather', arguments: '{"city":"Paris"}' }]);
    // The tool-only reply opens with the role on the first fragment, which carries id, type, name and empty arguments.
    expect(chunks[0]?.choices[0]?.delta).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ index: 0, id: calls[0]?.id, type: 'function', function: { name: 'get_weather', arguments: '' } }],
      refusal: null,
    });
    expect(chunks[1]?.choices[0]?.delta).toEqual({ tool_calls: [{ index: 0, function: { arguments: '{"' } }] });
    expect(chunks.at(-1)?.choices[0]).toMatchObject({ delta: {}, finish_reason: 'tool_calls' });
    expect(app.openai.history.last()?.reply?.toolCalls).toEqual(calls);
    expect(app.openai.history.last()?.warnings).toEqual([]);
  });

  it('sends a usage chunk with empty choices, and usage null on every other chunk, when include_usage is set', async () => {
    const { client } = await startFakeOpenAi({ script: [{ reply: { text: 'One two three.' } }] });
    const chunks = await collect(
      await client.chat.completions.create({
        model: 'gpt-4o',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'count' }],
      }),
    );

    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 4, total_tokens: 11 });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('answers without stream with a chat.completion object', async () => {
    const { client } = await startFakeOpenAi({
      script: [{ reply: { text: 'Sure.', toolCalls: [{ name: 'book_table', arguments: '{"seats":2}' }] } }],
    });
    const completion = await client.chat.completions.create({
      model: 'gpt-4.1',
      tools: [bookTool],
      messages: [{ role: 'user', content: 'Book for two' }],
    });

    expect(completion).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion',
      model: 'gpt-4.1',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Sure.',
            refusal: null,
            tool_calls: [{ id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'book_table', arguments: '{"seats":2}' } }],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), total_tokens: expect.any(Number) },
    });
  });

  it('lists models and retrieves any model id', async () => {
    const { client } = await startFakeOpenAi({ models: ['gpt-4o-mini', 'gpt-4o'] });
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toEqual(['gpt-4o-mini', 'gpt-4o']);
    expect(page.data[0]).toMatchObject({ object: 'model', owned_by: 'system' });
    expect((await client.models.retrieve('my-finetune')).id).toBe('my-finetune');
  });

  it('refuses a request without a bearer token with a 401 in OpenAI shape', async () => {
    const { url, app } = await startFakeOpenAi();
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(body.error).toEqual({ message: expect.stringContaining("You didn't provide an API key"), type: 'invalid_request_error', param: null, code: null });
    expect(app.openai.history.last()).toMatchObject({ status: 401, outcome: 'http-error', match: { kind: 'rejected' }, turn: null });
  });

  it('refuses a key outside apiKeys with invalid_api_key', async () => {
    const { client } = await startFakeOpenAi({ apiKeys: ['sk-the-right-one'] });
    await expect(client.models.list()).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  it('answers a malformed body with 400 invalid_request_error and records the raw text', async () => {
    const { url, app } = await startFakeOpenAi();
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-x' },
      body: '{"model":',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('could not parse the JSON body');
    expect(app.openai.history.last()?.bodyText).toBe('{"model":');
  });

  it('rejects a request without messages with missing_required_parameter', async () => {
    const { client } = await startFakeOpenAi();
    const call = client.chat.completions.create({ model: 'gpt-4o' } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming);
    await expect(call).rejects.toMatchObject({
      status: 400,
      error: { message: "Missing required parameter: 'messages'.", type: 'invalid_request_error', param: 'messages', code: 'missing_required_parameter' },
    });
  });

  it('rejects a history whose tool calls have no tool results, as OpenAI does after a bad interrupt cut', async () => {
    const { client } = await startFakeOpenAi();
    const messages: ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
      { role: 'user', content: 'Never mind.' },
    ];
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages })).rejects.toMatchObject({
      status: 400,
      error: { param: 'messages.[1].role', message: expect.stringContaining('did not have response messages: call_1') },
    });
  });

  it('answers unknown paths with 404 and wrong methods with 405 in OpenAI shape', async () => {
    const { url } = await startFakeOpenAi();
    const notFound = await fetch(`${url}/v1/embeddings`, { method: 'POST', headers: { authorization: 'Bearer k' } });
    expect(notFound.status).toBe(404);
    expect(((await notFound.json()) as { error: { message: string } }).error.message).toBe('Invalid URL (POST /v1/embeddings)');
    const wrongMethod = await fetch(`${url}/v1/chat/completions`, { headers: { authorization: 'Bearer k' } });
    expect(wrongMethod.status).toBe(405);
  });

  it('records method, path, parsed body, redacted headers, arrival time and the matched rule', async () => {
    const clock = new ManualClock({ startMs: 5_000 });
    const { client, app } = await startFakeOpenAi({ clock, script: [{ id: 'greet', when: { user: 'hi' }, reply: { text: 'Hello.' } }] });
    const body = { model: 'gpt-4o', stream: true as const, messages: [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: 'hi' }] };
    await collect(await client.chat.completions.create(body));

    const record = app.openai.history.last();
    expect(record).toMatchObject({
      seq: 1,
      method: 'POST',
      path: '/v1/chat/completions',
      api: 'chat.completions',
      body,
      model: 'gpt-4o',
      stream: true,
      turn: 1,
      receivedAtMs: 5_000,
      match: { kind: 'rule', ruleIndex: 0, ruleId: 'greet' },
      status: 200,
    });
    expect(record?.headers.authorization).toBe('Bearer <redacted>');
    expect(record?.headers['user-agent']).toMatch(/OpenAI\/JS/);
    expect(textWritten(record!)).toBe('Hello.');
    expect(JSON.parse(JSON.stringify(app.openai.history))).toEqual(app.openai.history.calls());
  });
});
