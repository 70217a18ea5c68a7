import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createFakeOpenAi } from '../../../simulator/openai/fake-openai.ts';
import type { LlmChunkRecord } from '../../../simulator/openai/history.ts';

describe('fake OpenAI onChunkWritten', () => {
  it('reports every written event in order even when chunks are not recorded', async () => {
    const seen: { seq: number; kind: LlmChunkRecord['kind']; content?: string; atMs: number }[] = [];
    const fake = createFakeOpenAi({
      recordChunks: false,
      script: [{ reply: { text: 'one two three', chunk: 'word' } }],
      onChunkWritten: (record, chunk) => seen.push({ seq: record.seq, kind: chunk.kind, ...(chunk.content === undefined ? {} : { content: chunk.content }), atMs: chunk.atMs }),
    });
    const client = new OpenAI({ apiKey: 'k', baseURL: 'http://fake.invalid/v1', maxRetries: 0, fetch: (url, init) => fake.handle(new Request(url, init)) });
    let text = '';
    for await (const chunk of await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] })) {
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe('one two three');
    expect(seen.filter((c) => c.kind === 'content').map((c) => c.content)).toEqual(['one', ' two', ' three']);
    expect(seen.every((c) => c.seq === 1 && c.atMs >= 0)).toBe(true);
    expect(fake.history.last()?.chunks).toEqual([]);
  });
});
