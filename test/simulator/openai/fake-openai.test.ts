import { http } from 'msw';
import { setupServer } from 'msw/node';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../simulator/core/manual-clock.ts';
import { textWritten } from '../../../simulator/openai/history.ts';
import { createFakeOpenAi } from '../../../simulator/openai/fake-openai.ts';
import { startFakeOpenAi } from '../../support/fake-openai-harness.ts';

const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object' } } }];

describe('createFakeOpenAi in process', () => {
  const fake = createFakeOpenAi({ seed: 5, script: [{ when: { user: 'msw?' }, reply: { text: 'Answered in process.' } }] });
  const server = setupServer(http.all('https://api.openai.com/v1/*', ({ request }) => fake.handle(request)));
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());

  it('answers a streaming SDK call through an msw handler', async () => {
    const client = new OpenAI({ apiKey: 'sk-msw', maxRetries: 0 });
    let text = '';
    for await (const chunk of await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'msw?' }] })) {
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe('Answered in process.');
    expect(fake.history.last()).toMatchObject({ path: '/v1/chat/completions', outcome: 'completed', match: { kind: 'rule' } });
  });

  it('answers through a fetch handed to the SDK, cuts included', async () => {
    const local = createFakeOpenAi({ script: [{ reply: { text: 'one two three', chunk: 'word', cutAfterChunks: 2 } }] });
    const client = new OpenAI({
      apiKey: 'sk-fetch',
      baseURL: 'http://fake.invalid/v1',
      maxRetries: 0,
      fetch: (url, init) => local.handle(new Request(url, init)),
    });
    const received: string[] = [];
    const consume = async (): Promise<void> => {
      for await (const chunk of await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'x' }] })) {
        received.push(chunk.choices[0]?.delta.content ?? '');
      }
    };
    await expect(consume()).rejects.toThrow();
    expect(received).toEqual(['', 'one']);
    expect(local.history.last()?.outcome).toBe('cut');
  });
});

describe('createFakeOpenAi handle', () => {
  it('notices an in-process client aborting mid-stream and stops writing', async () => {
    const clock = new ManualClock();
    const local = createFakeOpenAi({ clock, script: [{ reply: { text: 'a b c d e', chunk: 'word', interTokenMs: 10 } }] });
    const client = new OpenAI({ apiKey: 'k', baseURL: 'http://fake.invalid/v1', maxRetries: 0, fetch: (url, init) => local.handle(new Request(url, init)) });
    const controller = new AbortController();
    const stream = await client.chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] }, { signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    expect((await iterator.next()).value?.choices[0]?.delta.content).toBe('a');
    controller.abort();
    const record = local.history.last()!;
    await vi.waitFor(() => expect(record.outcome).toBe('client-closed'));
    await clock.advanceAsync(100);
    expect(textWritten(record)).toBe('a');
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('createFakeOpenAi conversation flow', () => {
  it('walks a tool round trip: call, tool result matched by name, then text', async () => {
    const { client, app } = await startFakeOpenAi({
      script: [
        { id: 'result', when: { toolResult: { name: 'get_weather' } }, reply: { text: 'Sunny in Rome.' } },
        { id: 'ask', when: { user: { pattern: 'weather', flags: 'i' } }, reply: { toolCalls: [{ name: 'get_weather', arguments: { city: 'Rome' } }] } },
      ],
    });
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the weather in Rome?' }];
    const first = await client.chat.completions.create({ model: 'gpt-4o', tools, messages });
    const message = first.choices[0]!.message;
    messages.push(message, { role: 'tool', tool_call_id: message.tool_calls![0]!.id, content: '{"sky":"clear"}' });
    const second = await client.chat.completions.create({ model: 'gpt-4o', tools, messages });

    expect(second.choices[0]?.message.content).toBe('Sunny in Rome.');
    expect(app.openai.history.calls().map((r) => (r.match?.kind === 'rule' ? r.match.ruleId : r.match?.kind))).toEqual(['ask', 'result']);
    expect(app.openai.history.nth(2)?.body).toMatchObject({ messages: [{ role: 'user' }, { role: 'assistant' }, { role: 'tool' }] });
  });

  it('numbers turns over valid generation requests only and matches the turn rule before later rules', async () => {
    const { client, app } = await startFakeOpenAi({
      script: [
        { id: 'second', when: { turn: 2 }, reply: { text: 'turn two' } },
        { id: 'fallback', reply: { text: 'other' } },
      ],
    });
    const ask = async () => (await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).choices[0]?.message.content;
    expect(await ask()).toBe('other');
    await client.models.list();
    await expect(client.chat.completions.create({ model: 'm', messages: [] })).rejects.toMatchObject({ status: 400 });
    expect(await ask()).toBe('turn two');
    expect(app.openai.history.calls().map((r) => r.turn)).toEqual([1, null, null, 2]);
    expect(app.openai.ruleUsage()).toEqual([
      { index: 0, id: 'second', matched: 1, times: undefined },
      { index: 1, id: 'fallback', matched: 1, times: undefined },
    ]);
  });

  it('warns when a scripted tool is not declared in the request', async () => {
    const { client, app } = await startFakeOpenAi({ script: [{ reply: { toolCalls: [{ name: 'transfer_call' }] } }] });
    await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(app.openai.history.last()?.warnings).toEqual(["scripted tool 'transfer_call' is not among the request's tools"]);
  });

  it('replaces the script and resets history, turns and usage', async () => {
    const { client, app } = await startFakeOpenAi({ script: [{ reply: { text: 'old' } }] });
    const ask = async () => (await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).choices[0]?.message.content;
    expect(await ask()).toBe('old');
    app.openai.setScript([{ when: { turn: 1 }, reply: { text: 'new' } }]);
    app.openai.reset();
    expect(app.openai.history.length).toBe(0);
    expect(await ask()).toBe('new');
    expect(() => app.openai.setScript([{ reply: {} }])).toThrow(/SIM_ERR_OPENAI_SCRIPT_INVALID|needs text/);
  });
});
