import { describe, expect, it } from 'vitest';
import { MAX_TOOL_CALLS_PER_TURN, ToolCallAccumulator } from '../../../agent/llm/tool-call-accumulator.ts';

describe('ToolCallAccumulator', () => {
  it('concatenates fragments by index and returns calls in index order', () => {
    const acc = new ToolCallAccumulator();
    acc.add({ type: 'tool-call', index: 1, id: 'call_b', name: 'get_', arguments: '{"a"' });
    acc.add({ type: 'tool-call', index: 0, id: 'call_a', name: 'lookup_appointment' });
    acc.add({ type: 'tool-call', index: 1, name: 'lab_results', arguments: ':1}' });
    acc.add({ type: 'tool-call', index: 0, arguments: '{}' });
    expect(acc.calls((i) => `fallback-${i}`)).toEqual([
      { id: 'call_a', name: 'lookup_appointment', arguments: '{}' },
      { id: 'call_b', name: 'get_lab_results', arguments: '{"a":1}' },
    ]);
  });

  it('names id-less calls with the fallback and caps the number of calls', () => {
    const acc = new ToolCallAccumulator();
    for (let i = 0; i <= MAX_TOOL_CALLS_PER_TURN; i++) acc.add({ type: 'tool-call', index: i, name: 'x' });
    const calls = acc.calls((i) => `fallback-${i}`);
    expect(calls).toHaveLength(MAX_TOOL_CALLS_PER_TURN);
    expect(calls[0]?.id).toBe('fallback-0');
    expect(acc.dropped).toBe(1);
  });
});
