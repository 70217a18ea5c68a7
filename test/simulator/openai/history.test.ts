import { describe, expect, it } from 'vitest';
import { LlmHistory, type LlmRequestRecord, textWritten, toolCallsWritten } from '../../../simulator/openai/history.ts';
import { newRecord } from '../../../simulator/openai/incoming-request.ts';

function record(seq: number, path: string, patch: Partial<LlmRequestRecord> = {}): LlmRequestRecord {
  const base = newRecord(seq, { method: 'post', path, headers: { Authorization: 'Bearer sk-secret', 'X-Trace': ['a', 'b'] }, bodyText: '{}' }, {}, seq * 10, 1_000 + seq);
  return Object.assign(base, patch);
}

describe('LlmHistory', () => {
  it('returns calls in arrival order with first, last and 1-based nth', () => {
    const history = new LlmHistory();
    history.add(record(1, '/v1/chat/completions'));
    history.add(record(2, '/v1/responses'));
    expect(history.calls().map((r) => r.seq)).toEqual([1, 2]);
    expect(history.first()?.seq).toBe(1);
    expect(history.last()?.seq).toBe(2);
    expect(history.nth(2)?.seq).toBe(2);
    expect(history.nth(0)).toBeUndefined();
    expect(history.length).toBe(2);
  });

  it('filters by criteria or predicate', () => {
    const history = new LlmHistory();
    history.add(record(1, '/v1/chat/completions', { match: { kind: 'rule', ruleIndex: 0, ruleId: 'greet' }, outcome: 'completed' }));
    history.add(record(2, '/v1/chat/completions', { match: { kind: 'unscripted' }, outcome: 'client-closed' }));
    history.add(record(3, '/v1/models'));
    expect(history.filter({ ruleId: 'greet' }).map((r) => r.seq)).toEqual([1]);
    expect(history.filter({ unscripted: true }).map((r) => r.seq)).toEqual([2]);
    expect(history.unscripted().map((r) => r.seq)).toEqual([2]);
    expect(history.filter({ api: 'models' }).map((r) => r.seq)).toEqual([3]);
    expect(history.filter({ method: 'post', outcome: 'client-closed' }).map((r) => r.seq)).toEqual([2]);
    expect(history.filter((r) => r.seq > 1).map((r) => r.seq)).toEqual([2, 3]);
  });

  it('clears, and its calls list is a copy', () => {
    const history = new LlmHistory();
    history.add(record(1, '/v1/chat/completions'));
    const calls = history.calls();
    history.clear();
    expect(history.length).toBe(0);
    expect(calls).toHaveLength(1);
  });

  it('keeps records as plain JSON with redacted credentials and lower-cased headers', () => {
    const history = new LlmHistory();
    history.add(record(1, '/v1/chat/completions'));
    const json = JSON.parse(JSON.stringify(history)) as LlmRequestRecord[];
    expect(json).toEqual(history.calls());
    expect(json[0]?.headers).toEqual({ authorization: 'Bearer <redacted>', 'x-trace': 'a, b' });
    expect(json[0]?.method).toBe('POST');
  });
});

describe('textWritten and toolCallsWritten', () => {
  it('rebuild what reached the socket from the chunk records', () => {
    const r = record(1, '/v1/chat/completions');
    r.chunks.push(
      { index: 0, atMs: 1, delayMs: 0, kind: 'role', role: 'assistant', content: '' },
      { index: 1, atMs: 1, delayMs: 0, kind: 'content', content: 'Hel' },
      { index: 2, atMs: 2, delayMs: 1, kind: 'content', content: 'lo' },
      { index: 3, atMs: 3, delayMs: 1, kind: 'tool', tool: { index: 0, id: 'call_a', name: 'f', arguments: '' } },
      { index: 4, atMs: 4, delayMs: 1, kind: 'tool', tool: { index: 0, arguments: '{"x"' } },
      { index: 5, atMs: 5, delayMs: 1, kind: 'tool', tool: { index: 0, arguments: ':1}' } },
    );
    expect(textWritten(r)).toBe('Hello');
    expect(toolCallsWritten(r)).toEqual([{ id: 'call_a', name: 'f', arguments: '{"x":1}' }]);
  });
});
