import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../simulator/core/manual-clock.ts';
import { textWritten, toolCallsWritten } from '../../../simulator/openai/history.ts';
import { startFakeOpenAi } from '../../support/fake-openai-harness.ts';

const tools = [{ type: 'function' as const, name: 'get_weather', parameters: { type: 'object' }, strict: false }];

describe('Responses API streaming', () => {
  it('streams the full event sequence with increasing sequence numbers through responses.create({stream: true})', async () => {
    const { client, app } = await startFakeOpenAi({ script: [{ reply: { text: 'Hi there.' } }] });
    const events: ResponseStreamEvent[] = [];
    for await (const event of await client.responses.create({ model: 'gpt-4.1', input: 'hello', stream: true })) events.push(event);

    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const deltas = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta);
    expect(deltas).toEqual(['Hi', ' there', '.']);
    const completed = events.at(-1);
    expect(completed?.type === 'response.completed' && completed.response).toMatchObject({
      id: expect.stringMatching(/^resp_[0-9a-f]{48}$/),
      object: 'response',
      status: 'completed',
      model: 'gpt-4.1',
      output: [{ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hi there.' }] }],
      usage: { input_tokens: expect.any(Number), output_tokens: 3, total_tokens: expect.any(Number) },
    });
    expect(textWritten(app.openai.history.last()!)).toBe('Hi there.');
  });

  it('streams function calls that the SDK stream helper assembles into output items', async () => {
    const { client, app } = await startFakeOpenAi({
      script: [{ reply: { text: 'Checking.', toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] } }],
    });
    const stream = client.responses.stream({ model: 'gpt-4.1', input: [{ role: 'user', content: 'Weather in Oslo?' }], tools });
    const argumentDeltas: string[] = [];
    stream.on('response.function_call_arguments.delta', (e) => argumentDeltas.push(e.delta));
    const final = await stream.finalResponse();

    expect(final.output_text).toBe('Checking.');
    const call = final.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '{"city":"Oslo"}', call_id: expect.stringMatching(/^call_/), id: expect.stringMatching(/^fc_/) });
    expect(argumentDeltas.join('')).toBe('{"city":"Oslo"}');
    expect(argumentDeltas.length).toBeGreaterThan(1);
    expect(toolCallsWritten(app.openai.history.last()!)).toEqual([{ id: (call as { call_id: string }).call_id, name: 'get_weather', arguments: '{"city":"Oslo"}' }]);
  });

  it('matches a function_call_output as a tool result by the name of the call it answers', async () => {
    const { client } = await startFakeOpenAi({
      script: [
        { when: { toolResult: { name: 'get_weather' } }, reply: { text: 'It is sunny.' } },
        { reply: { toolCalls: [{ name: 'get_weather', arguments: {} }] } },
      ],
    });
    const first = await client.responses.create({ model: 'gpt-4.1', input: 'Weather?', tools });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call?.type).toBe('function_call');
    const second = await client.responses.create({
      model: 'gpt-4.1',
      tools,
      input: [
        { role: 'user', content: 'Weather?' },
        ...(call ? [call] : []),
        { type: 'function_call_output', call_id: call?.type === 'function_call' ? call.call_id : '', output: '{"sky":"clear"}' },
      ],
    });
    expect(second.output_text).toBe('It is sunny.');
  });

  it('sends response.created at once and holds text deltas until firstTokenMs', async () => {
    const clock = new ManualClock();
    const { client, app } = await startFakeOpenAi({ clock, script: [{ reply: { text: 'a b', chunk: 'word', firstTokenMs: 250, interTokenMs: 50 } }] });
    const stream = await client.responses.create({ model: 'gpt-4.1', input: 'x', stream: true });
    const record = app.openai.history.last()!;
    expect(record.chunks.map((c) => c.event)).toEqual(['response.created', 'response.in_progress']);
    const events: string[] = [];
    const done = (async () => {
      for await (const event of stream) events.push(event.type);
    })();
    await clock.advanceAsync(250);
    expect(record.firstTokenAtMs).toBe(250);
    await clock.advanceAsync(50);
    await done;
    expect(record.chunks.filter((c) => c.content !== undefined).map((c) => c.atMs)).toEqual([250, 300]);
    await vi.waitFor(() => expect(events.at(-1)).toBe('response.completed'));
  });

  it('reports a max_output_tokens truncation as response.incomplete', async () => {
    const { client } = await startFakeOpenAi({ script: [{ reply: { text: 'a b c d e f g h i j k l m n o p q r s t' } }] });
    const response = await client.responses.create({ model: 'gpt-4.1', input: 'count', max_output_tokens: 16 });
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.output_text).toBe('a b c d e f g h i j k l m n o p');
  });

  it('cuts a Responses stream mid-way without response.completed', async () => {
    const { client, app } = await startFakeOpenAi({ script: [{ reply: { text: 'cut me off please', chunk: 'word', cutAfterChunks: 5 } }] });
    const consume = async (): Promise<void> => {
      for await (const event of await client.responses.create({ model: 'gpt-4.1', input: 'x', stream: true })) void event;
    };
    await expect(consume()).rejects.toThrow();
    const record = app.openai.history.last()!;
    expect(record.outcome).toBe('cut');
    expect(record.chunks).toHaveLength(5);
    expect(textWritten(record)).toBe('cut');
  });
});
