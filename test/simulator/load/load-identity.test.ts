import { describe, expect, it } from 'vitest';
import { callerNumberOf, callOfPrompt, callOfSimulationId, latestUserText, promptText, simulationIdOf, traceIdentity, transcriptionsOf } from '../../../simulator/load/load-identity.ts';
import type { OtlpRequest } from '../../../simulator/otlp/model.ts';

describe('load call identity', () => {
  it('puts the call number in every prompt and reads it back', () => {
    expect(callOfPrompt(promptText(4711, 2))).toBe(4711);
    expect(promptText(1, 1)).not.toBe(promptText(1, 2));
    expect(callOfPrompt('What are your opening hours?')).toBeUndefined();
  });

  it('makes unique UUID-shaped simulation ids per seed and call', () => {
    const id = simulationIdOf(7, 300);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(callOfSimulationId(7, id)).toBe(300);
    expect(callOfSimulationId(8, id)).toBeUndefined();
    expect(callOfSimulationId(7, 'sim-1')).toBeUndefined();
    expect(new Set([0, 1, 2, 3].map((i) => simulationIdOf(7, i))).size).toBe(4);
  });

  it('gives every call its own caller number', () => {
    expect(new Set(Array.from({ length: 1000 }, (_, i) => callerNumberOf(i))).size).toBe(1000);
    expect(callerNumberOf(3)).toMatch(/^\+1555\d{7}$/);
  });

  it('judges a batch by the prompts in its transcriptions', () => {
    expect(traceIdentity(5, [promptText(5, 1), promptText(5, 2)])).toBe('correlated');
    expect(traceIdentity(5, [promptText(5, 1), promptText(6, 2)])).toBe('mis-correlated');
    expect(traceIdentity(5, ['The caller pressed 1'])).toBe('unidentified');
    expect(traceIdentity(5, [])).toBe('unidentified');
  });

  it('reads transcriptions from stt.transcription and the transcript alias', () => {
    const span = (key: string, value: string) => ({ name: 'stt', attributes: [{ key, value: { type: 'string' as const, value } }] });
    const request = { resourceSpans: [{ scopeSpans: [{ spans: [span('stt.transcription', 'a'), span('transcript', 'b'), span('llm.finish_reason', 'stop')] }] }] } as unknown as OtlpRequest;
    expect(transcriptionsOf(request)).toEqual(['a', 'b']);
  });

  it('finds the latest user message of chat and Responses bodies', () => {
    expect(latestUserText({ messages: [{ role: 'user', content: 'one' }, { role: 'assistant', content: 'x' }, { role: 'user', content: 'two' }, { role: 'tool', content: 'r' }] })).toBe('two');
    expect(latestUserText({ input: 'plain' })).toBe('plain');
    expect(latestUserText({ input: [{ role: 'user', content: [{ type: 'input_text', text: 'parts' }] }] })).toBe('parts');
    expect(latestUserText(null)).toBeUndefined();
  });
});
