import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../../simulator/core/random.ts';
import { defaultReplyText } from '../../../simulator/openai/default-reply.ts';
import { startFakeOpenAi } from '../../support/fake-openai-harness.ts';

const view = (latestUser: string | undefined) => ({ latestUser, toolResults: undefined, promptTokens: 1 });

describe('defaultReplyText', () => {
  it('echoes the prompt and adds a follow-up chosen by the seed', () => {
    expect(defaultReplyText(view('What time is it?'), createSeededRandom(1))).toMatch(/^I heard: What time is it\. \S/);
  });

  it('gives the same reply for the same prompt and seed, whatever was asked before', () => {
    const random = createSeededRandom(9);
    const first = defaultReplyText(view('Is it open?'), random);
    defaultReplyText(view('something else'), random);
    expect(defaultReplyText(view('Is it open?'), random)).toBe(first);
    expect(defaultReplyText(view('Is it open?'), createSeededRandom(9))).toBe(first);
  });

  it('picks follow-ups that vary with the seed', () => {
    const replies = new Set(Array.from({ length: 30 }, (_, seed) => defaultReplyText(view('hello'), createSeededRandom(seed))));
    expect(replies.size).toBeGreaterThan(2);
  });

  it('says it heard nothing when there is no user message', () => {
    expect(defaultReplyText(view(undefined), createSeededRandom(1))).toMatch(/^I heard nothing\. /);
  });
});

describe('unscripted requests', () => {
  it('get the same reply and ids from two fakes with the same seed, and are recorded as unscripted', async () => {
    const ask = async (seed: number) => {
      const { client, app } = await startFakeOpenAi({ seed });
      const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Do you deliver?' }] });
      return { completion, history: app.openai.history };
    };
    const a = await ask(42);
    const b = await ask(42);
    const c = await ask(43);

    expect(a.completion.choices[0]?.message.content).toMatch(/^I heard: Do you deliver\. /);
    expect(b.completion.choices[0]?.message.content).toBe(a.completion.choices[0]?.message.content);
    expect(b.completion.id).toBe(a.completion.id);
    expect(c.completion.id).not.toBe(a.completion.id);
    expect(a.history.unscripted()).toHaveLength(1);
    expect(a.history.last()?.match).toEqual({ kind: 'unscripted' });
  });
});
