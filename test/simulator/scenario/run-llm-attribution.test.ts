import { describe, expect, it } from 'vitest';
import type { LlmRequestRecord } from '../../../simulator/openai/history.ts';
import { attributeLlmRequests, latestUserText } from '../../../simulator/scenario/llm-attribution.ts';
import { callOf, frame, relayOf } from '../../support/run-record-builders.ts';

const request = (seq: number, at: number, user: string): LlmRequestRecord =>
  ({ seq, receivedAtMs: at, body: { messages: [{ role: 'system', content: 's' }, { role: 'user', content: user }, { role: 'tool', content: 'r' }] } }) as unknown as LlmRequestRecord;

const prompt = (text: string, at: number) => frame('out', { type: 'prompt', voicePrompt: text, last: true }, at);

describe('attributeLlmRequests', () => {
  it('gives every request to the only call', () => {
    expect(attributeLlmRequests([callOf()], [request(1, 0, 'x'), request(2, 0, 'y')])).toEqual([[1, 2]]);
  });

  it('gives a request to the call whose matching input was sent last before it, digits included', () => {
    const a = callOf({ index: 0, name: 'a', relay: relayOf([prompt('Same words', 10), prompt('Only A', 50)]) });
    const b = callOf({ index: 1, name: 'b', relay: relayOf([prompt('Same words', 20), frame('out', { type: 'dtmf', digit: '7' }, 60)]) });
    const requests = [request(1, 15, 'Same words'), request(2, 25, 'Same words'), request(3, 55, 'Only A'), request(4, 65, 'The caller pressed 7'), request(5, 70, 'Nobody said this')];
    expect(attributeLlmRequests([a, b], requests)).toEqual([[1, 3], [2, 4]]);
  });

  it('reads the latest user message of chat and Responses bodies', () => {
    expect(latestUserText({ messages: [{ role: 'user', content: 'one' }, { role: 'assistant', content: 'x' }, { role: 'user', content: [{ type: 'text', text: 'two' }] }] })).toBe('two');
    expect(latestUserText({ input: 'plain' })).toBe('plain');
    expect(latestUserText({ input: [{ role: 'user', content: 'item' }] })).toBe('item');
    expect(latestUserText({})).toBeUndefined();
  });
});
