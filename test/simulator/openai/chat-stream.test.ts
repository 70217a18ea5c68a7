import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { planChatChunks } from '../../../simulator/openai/chat-stream.ts';
import type { ReplyPlan } from '../../../simulator/openai/reply-plan.ts';
import type { LlmReply } from '../../../simulator/openai/script.ts';
import { startFakeOpenAi } from '../../support/fake-openai-harness.ts';

const tools = ['lookup', 'book'].map((name) => ({ type: 'function' as const, function: { name, parameters: { type: 'object' } } }));
const twoCalls: LlmReply['toolCalls'] = [
  { name: 'lookup', arguments: { q: 'tables' } },
  { name: 'book', arguments: { seats: 2 } },
];

async function streamChunks(reply: LlmReply, includeUsage = false): Promise<ChatCompletionChunk[]> {
  const { client } = await startFakeOpenAi({ script: [{ reply }] });
  const stream = await client.chat.completions.create({
    model: 'gpt-4o',
    stream: true,
    tools,
    ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
    messages: [{ role: 'user', content: 'go' }],
  });
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

const plan = (overrides: Partial<ReplyPlan>): ReplyPlan => ({
  text: '',
  textPieces: [],
  toolCalls: [],
  finishReason: 'stop',
  firstTokenMs: 0,
  interTokenMs: 0,
  cutAfterChunks: undefined,
  shape: {},
  usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
  warnings: [],
  ...overrides,
});

describe('chat stream shapes', () => {
  it('puts finish_reason on the last content chunk when finishOnLastChunk is set', async () => {
    const chunks = await streamChunks({ text: 'Done now.', streamShape: { finishOnLastChunk: true } });
    expect(chunks.at(-1)?.choices[0]).toMatchObject({ delta: { content: '.' }, finish_reason: 'stop' });
    expect(chunks.some((c) => c.choices[0] && Object.keys(c.choices[0].delta).length === 0)).toBe(false);
  });

  it('sends no role chunk when omitRoleChunk is set', async () => {
    const chunks = await streamChunks({ text: 'Hi.', streamShape: { omitRoleChunk: true } });
    expect(chunks[0]?.choices[0]?.delta).toEqual({ content: 'Hi' });
    expect(chunks.some((c) => c.choices[0]?.delta.role !== undefined)).toBe(false);
  });

  it('carries usage on the finish chunk instead of a usage-only chunk when usageInFinishChunk is set', async () => {
    const chunks = await streamChunks({ text: 'Hi.', streamShape: { usageInFinishChunk: true } }, true);
    const last = chunks.at(-1);
    expect(last?.choices[0]?.finish_reason).toBe('stop');
    expect(last?.usage).toMatchObject({ completion_tokens: 2 });
    expect(chunks.some((c) => c.choices.length === 0)).toBe(false);
  });

  it('sends each tool call whole in one fragment when toolArgumentsWhole is set', async () => {
    const chunks = await streamChunks({ toolCalls: twoCalls, streamShape: { toolArgumentsWhole: true } });
    const fragments = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(fragments).toEqual([
      { index: 0, id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'lookup', arguments: '{"q":"tables"}' } },
      { index: 1, id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'book', arguments: '{"seats":2}' } },
    ]);
  });

  it('alternates the fragments of several calls when interleaveToolCalls is set, and the SDK helper still assembles them', async () => {
    const { client } = await startFakeOpenAi({ script: [{ reply: { toolCalls: twoCalls, streamShape: { interleaveToolCalls: true } } }] });
    const stream = client.chat.completions.stream({ model: 'gpt-4o', tools, messages: [{ role: 'user', content: 'go' }] });
    const indices: number[] = [];
    stream.on('chunk', (chunk) => indices.push(...(chunk.choices[0]?.delta.tool_calls ?? []).map((t) => t.index)));
    const final = await stream.finalChatCompletion();

    expect(indices.slice(0, 4)).toEqual([0, 1, 0, 1]);
    expect(final.choices[0]?.message.tool_calls?.map((t) => (t.type === 'function' ? [t.function.name, t.function.arguments] : []))).toEqual([
      ['lookup', '{"q":"tables"}'],
      ['book', '{"seats":2}'],
    ]);
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('opens a text-then-tools reply with the role chunk and streams text before the calls', () => {
    const chunks = planChatChunks(
      plan({ text: 'Ok.', textPieces: ['Ok', '.'], toolCalls: [{ id: 'call_1', name: 'book', arguments: '{}', pieces: ['{}'] }], finishReason: 'tool_calls' }),
      false,
    );
    expect(chunks.map((c) => c.kind)).toEqual(['role', 'content', 'content', 'tool', 'tool', 'finish', 'done']);
    expect(chunks[3]?.tool).toEqual({ index: 0, id: 'call_1', name: 'book', arguments: '' });
  });

  it('places delays on the first token and between tokens only', () => {
    const chunks = planChatChunks(plan({ text: 'a b', textPieces: ['a', ' b'], firstTokenMs: 100, interTokenMs: 7 }), true);
    expect(chunks.map((c) => [c.kind, c.delayMs])).toEqual([
      ['role', 100],
      ['content', 0],
      ['content', 7],
      ['finish', 0],
      ['usage', 0],
      ['done', 0],
    ]);
  });
});
