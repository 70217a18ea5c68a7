import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { llmScriptProblems, llmScriptSchema, parseLlmScript, ruleId } from '../../../simulator/openai/script.ts';

describe('parseLlmScript', () => {
  it('accepts a script using every rule and reply feature', () => {
    const script = [
      { id: 'hours', when: { user: 'What are your hours?' }, times: 1, reply: { text: 'Nine to five.', chunk: 'word', firstTokenMs: 300, interTokenMs: 40 } },
      { when: { user: { pattern: '^book', flags: 'i' }, turn: 2 }, reply: { toolCalls: [{ name: 'book', arguments: { day: 'mon' } }] } },
      { when: { toolResult: { name: 'book' } }, reply: { text: 'Booked.', chunk: { size: 3 }, finishReason: 'stop', cutAfterChunks: 4 } },
      { when: { toolResult: true }, reply: { error: { status: 429, retryAfterS: 1 } } },
      { reply: { text: 'x', streamShape: { finishOnLastChunk: true, omitRoleChunk: true, usageInFinishChunk: true, toolArgumentsWhole: true, interleaveToolCalls: true } } },
    ];
    expect(parseLlmScript(script)).toBe(script);
    expect(Value.Check(llmScriptSchema, script)).toBe(true);
  });

  it('rejects unknown keys with the JSON pointer of the offending field', () => {
    expect(() => parseLlmScript([{ reply: { text: 'a', delay: 3 } }])).toThrow(
      expect.objectContaining({ code: 'SIM_ERR_OPENAI_SCRIPT_INVALID', message: expect.stringContaining('/0/reply') }),
    );
  });

  it('rejects a reply with neither text, tool calls nor error', () => {
    expect(() => parseLlmScript([{ reply: { firstTokenMs: 5 } }])).toThrowError(/\/0\/reply: needs text, toolCalls or error/);
  });

  it('rejects an error reply that also carries text', () => {
    expect(() => parseLlmScript([{ reply: { text: 'a', error: { status: 500 } } }])).toThrowError(/cannot also carry text/);
  });

  it('rejects an invalid regular expression', () => {
    expect(() => parseLlmScript([{ when: { user: { pattern: '(' } }, reply: { text: 'a' } }])).toThrowError(/\/0\/when\/user\/pattern/);
  });

  it('rejects duplicate rule ids', () => {
    expect(() => parseLlmScript([{ id: 'a', reply: { text: '1' } }, { id: 'a', reply: { text: '2' } }])).toThrowError(/duplicate rule id 'a'/);
  });

  it('rejects a turn below 1 and a negative delay', () => {
    expect(() => parseLlmScript([{ when: { turn: 0 }, reply: { text: 'a' } }])).toThrowError(/turn/);
    expect(() => parseLlmScript([{ reply: { text: 'a', interTokenMs: -1 } }])).toThrowError(/interTokenMs/);
  });

  it('names unnamed rules by position', () => {
    expect(ruleId({ reply: { text: 'a' } }, 3)).toBe('rule-3');
    expect(ruleId({ id: 'x', reply: { text: 'a' } }, 3)).toBe('x');
  });

  it('lists problems as JSON pointers and messages, empty for a valid script', () => {
    expect(llmScriptProblems([{ reply: { text: 'ok' } }])).toEqual([]);
    expect(llmScriptProblems([{ id: 'a', reply: {} }, { id: 'a', when: { user: { pattern: '[' } }, reply: { text: 'x' } }])).toEqual([
      { path: '/0/reply', message: 'needs text, toolCalls or error' },
      { path: '/1/when/user/pattern', message: expect.stringContaining('Invalid regular expression') },
      { path: '/1/id', message: "duplicate rule id 'a'" },
    ]);
    expect(llmScriptProblems([{ reply: { text: 1 } }])[0]?.path).toBe('/0/reply/text');
  });
});
