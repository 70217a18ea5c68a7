import { describe, expect, it } from 'vitest';
import type { PromptView } from '../../../simulator/openai/prompt-view.ts';
import { RuleMatcher } from '../../../simulator/openai/rule-matcher.ts';
import { parseLlmScript } from '../../../simulator/openai/script.ts';

const user = (text: string): PromptView => ({ latestUser: text, toolResults: undefined, promptTokens: 1 });
const tool = (name: string, text = 'q'): PromptView => ({ latestUser: text, toolResults: [name], promptTokens: 1 });

describe('RuleMatcher', () => {
  it('answers with the first rule in order whose conditions hold', () => {
    const matcher = new RuleMatcher(
      parseLlmScript([
        { id: 'exact', when: { user: 'hello' }, reply: { text: 'a' } },
        { id: 'regex', when: { user: { pattern: '^hel' } }, reply: { text: 'b' } },
        { id: 'any', reply: { text: 'c' } },
      ]),
    );
    expect(matcher.match(user('  hello '), 1)?.id).toBe('exact');
    expect(matcher.match(user('help'), 2)?.id).toBe('regex');
    expect(matcher.match(user('bye'), 3)?.id).toBe('any');
  });

  it('skips a rule once its times are used up', () => {
    const matcher = new RuleMatcher(parseLlmScript([{ id: 'once', times: 1, reply: { text: 'a' } }, { id: 'then', reply: { text: 'b' } }]));
    expect(matcher.match(user('x'), 1)?.id).toBe('once');
    expect(matcher.match(user('x'), 2)?.id).toBe('then');
    expect(matcher.usage()).toEqual([
      { index: 0, id: 'once', matched: 1, times: 1 },
      { index: 1, id: 'then', matched: 1, times: undefined },
    ]);
    matcher.reset();
    expect(matcher.match(user('x'), 3)?.id).toBe('once');
  });

  it('matches the n-th request by turn', () => {
    const matcher = new RuleMatcher(parseLlmScript([{ id: 'second', when: { turn: 2 }, reply: { text: 'a' } }]));
    expect(matcher.match(user('x'), 1)).toBeUndefined();
    expect(matcher.match(user('x'), 2)?.id).toBe('second');
  });

  it('matches a just-arrived tool result, optionally by tool name', () => {
    const matcher = new RuleMatcher(
      parseLlmScript([
        { id: 'weather-result', when: { toolResult: { name: 'get_weather' } }, reply: { text: 'a' } },
        { id: 'any-result', when: { toolResult: true }, reply: { text: 'b' } },
        { id: 'no-result', when: { toolResult: false }, reply: { text: 'c' } },
      ]),
    );
    expect(matcher.match(tool('get_weather'), 1)?.id).toBe('weather-result');
    expect(matcher.match(tool('book'), 2)?.id).toBe('any-result');
    expect(matcher.match(user('q'), 3)?.id).toBe('no-result');
  });

  it('requires every condition of a rule to hold', () => {
    const matcher = new RuleMatcher(parseLlmScript([{ when: { user: 'q', turn: 2, toolResult: false }, reply: { text: 'a' } }]));
    expect(matcher.match(user('q'), 1)).toBeUndefined();
    expect(matcher.match(tool('t'), 2)).toBeUndefined();
    expect(matcher.match(user('q'), 2)?.index).toBe(0);
  });

  it('does not match a user condition when the request has no user message', () => {
    const matcher = new RuleMatcher(parseLlmScript([{ when: { user: { pattern: '.*' } }, reply: { text: 'a' } }]));
    expect(matcher.match({ latestUser: undefined, toolResults: undefined, promptTokens: 1 }, 1)).toBeUndefined();
  });
});
