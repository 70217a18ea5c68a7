import { describe, expect, it } from 'vitest';
import { spanColour } from '../../../simulator/report/html-call.ts';
import { spanWaterfall, syntheticKeys } from '../../../simulator/report/span-waterfall.ts';
import type { BatchRecord, SpanRow } from '../../../simulator/scenario/run-record.ts';

// Beyond 2^53 ns: Number arithmetic on these strings would lose the microseconds.
const T0 = 1_760_000_000_123_456_789n;
const at = (ms: number) => (T0 + BigInt(Math.round(ms * 1e6))).toString();

function span(spanId: string, parentSpanId: string, name: string, start: number, end: number, extra: Partial<SpanRow> = {}): SpanRow {
  return { resource: 0, scope: 0, span: 0, traceId: 't', spanId, parentSpanId, name, kind: 1, startNs: at(start), endNs: at(end), attributes: {}, resourceAttributes: {}, scopeName: 's', status: { code: 0, message: '' }, events: [], ...extra };
}

const batch = (seq: number, spans: SpanRow[]): BatchRecord => ({ seq, index: 0, simulationId: 'sim', target: 'simulation', receivedAtMs: 0, headers: {}, contentType: 'application/json', encoding: 'json', contentEncoding: null, bodyBase64: '', spanCount: spans.length, spans, findings: [] });

describe('spanWaterfall', () => {
  it('orders spans as a tree by start time, with depth and offsets from the root start', () => {
    const w = spanWaterfall([
      batch(1, [
        span('c2', 'root', 'llm', 300.5, 400),
        span('root', '', 'conversation', 0, 1000),
        span('c1', 'root', 'stt', 100.001, 200),
        span('g1', 'c1', 'stt.provider.twilio', 100.001, 150),
      ]),
    ]);
    expect(w.rows.map((r) => [r.span.spanId, r.depth, r.startMs, r.endMs])).toEqual([
      ['root', 0, 0, 1000],
      ['c1', 1, 100.001, 200],
      ['g1', 2, 100.001, 150],
      ['c2', 1, 300.5, 400],
    ]);
    expect([w.fromMs, w.toMs]).toEqual([0, 1000]);
  });

  it('keeps orphans, cycles and bad times visible, with the problem named', () => {
    const w = spanWaterfall([
      batch(1, [span('root', '', 'conversation', 0, 100), span('orphan', 'nope', 'llm', 10, 20)]),
      batch(2, [span('a', 'b', 'x', 5, 6), span('b', 'a', 'y', 7, 8), span('bad', 'root', 'tts', 0, 0, { startNs: '12.5', endNs: '-1' })]),
    ]);
    expect(w.rows).toHaveLength(5);
    expect(w.rows.find((r) => r.span.spanId === 'orphan')?.problems).toEqual(['parent nope is not among the spans']);
    expect(w.rows.find((r) => r.span.spanId === 'bad')?.problems).toEqual(['times are not decimal nanoseconds (12.5 – -1)']);
    expect(w.rows.find((r) => r.span.spanId === 'orphan')?.batchSeq).toBe(1);
    expect(w.rows.find((r) => r.span.spanId === 'b')?.batchSeq).toBe(2);
  });

  it('returns an empty layout for no spans', () => {
    expect(spanWaterfall([])).toEqual({ rows: [], fromMs: 0, toMs: 1 });
  });
});

describe('syntheticKeys', () => {
  it('knows the synthetic attributes by span name and honours a synthetic.attributes declaration', () => {
    const d = (value: number) => ({ type: 'double' as const, value });
    expect([...syntheticKeys(span('1', '', 'tts', 0, 1, { attributes: { 'metrics.ttfb': d(0.1) } }))]).toEqual(['metrics.ttfb']);
    expect([...syntheticKeys(span('1', '', 'llm', 0, 1, { attributes: { 'metrics.ttfb': d(0.3) } }))]).toEqual([]);
    expect([...syntheticKeys(span('1', '', 'custom', 0, 1, { attributes: { a: d(1), b: d(2), 'synthetic.attributes': { type: 'string', value: 'a, c' } } }))]).toEqual(['a']);
  });
});

describe('spanColour', () => {
  it('gives Coval span names fixed colours and others a stable hue', () => {
    expect(spanColour('llm')).toBe('#8b5cf6');
    expect(spanColour('my.span')).toBe(spanColour('my.span'));
    expect(spanColour('my.span')).toMatch(/^hsl\(\d+, 55%, 55%\)$/);
    expect(spanColour('</style>')).not.toContain('<');
  });
});
