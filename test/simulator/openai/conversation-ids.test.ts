import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../../simulator/core/random.ts';
import { ConversationIds, conversationKey } from '../../../simulator/openai/conversation-ids.ts';
import { createFakeOpenAi } from '../../../simulator/openai/fake-openai.ts';

const chat = (...contents: string[]) => ({
  api: 'chat.completions' as const,
  request: { model: 'm', messages: contents.map((content) => ({ role: 'user', content })), stream: false, includeUsage: false, maxTokens: undefined, toolNames: [] },
});

describe('ConversationIds', () => {
  it('gives a conversation the same ids whatever other conversations came before it', () => {
    const a = new ConversationIds(createSeededRandom(7));
    const b = new ConversationIds(createSeededRandom(7));
    const ana = [a.next(chat('When is my appointment?')).toolCall(), a.next(chat('Where do I park?')).toolCall()];
    const ben = [b.next(chat('Where do I park?')).toolCall(), b.next(chat('When is my appointment?')).toolCall()];
    expect(ana).toEqual([ben[1], ben[0]]);
    expect(ana[0]).not.toBe(ana[1]);
  });

  it('gives equal requests different ids in turn, and starts over after clear()', () => {
    const ids = new ConversationIds(createSeededRandom(7));
    const first = ids.next(chat('Hi')).chatCompletion();
    const second = ids.next(chat('Hi')).chatCompletion();
    expect(second).not.toBe(first);
    ids.clear();
    expect(ids.next(chat('Hi')).chatCompletion()).toBe(first);
    expect(new ConversationIds(createSeededRandom(8)).next(chat('Hi')).chatCompletion()).not.toBe(first);
  });

  it('keys a conversation by its whole history and API', () => {
    expect(conversationKey(chat('a', 'b'))).not.toBe(conversationKey(chat('a')));
    const responses = { api: 'responses' as const, request: { model: 'm', input: 'a', instructions: null, stream: false, maxOutputTokens: undefined, toolNames: [], tools: [], previousResponseId: null } };
    expect(conversationKey(responses)).not.toBe(conversationKey({ ...responses, request: { ...responses.request, previousResponseId: 'resp_1' } }));
  });
});

describe('the fake OpenAI with concurrent conversations', () => {
  it('answers each conversation with the same response and tool call ids in either arrival order', async () => {
    const script = [{ when: { user: 'one' }, reply: { toolCalls: [{ name: 'f', arguments: {} }] } }, { reply: { text: 'ok' } }];
    const ask = async (order: string[]) => {
      const fake = createFakeOpenAi({ seed: 3, script });
      const ids: Record<string, unknown> = {};
      for (const prompt of order) {
        const res = await fake.handle(
          new Request('http://fake.invalid/v1/chat/completions', {
            method: 'POST',
            headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: prompt }], tools: [{ type: 'function', function: { name: 'f' } }] }),
          }),
        );
        const body = (await res.json()) as { id: string; choices: { message: { tool_calls?: { id: string }[] } }[] };
        ids[prompt] = [body.id, body.choices[0]?.message.tool_calls?.[0]?.id, res.headers.get('x-request-id')];
      }
      return ids;
    };
    const forward = await ask(['one', 'two']);
    expect(await ask(['two', 'one'])).toEqual(forward);
    expect((forward.one as string[])[1]).toMatch(/^call_/);
  });
});
