import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { epochMsToUnixNano, toOtlpJson } from '../../../agent/tracing/otlp-json.ts';
import { bool, dbl, int, str } from '../../../agent/tracing/span-record.ts';
import type { SpanRecord } from '../../../agent/tracing/span-record.ts';
import { fcOptions } from '../../support/fc-config.ts';
import { T0 } from '../../support/tracing-fakes.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function span(overrides: Partial<SpanRecord> = {}): SpanRecord {
  return { name: 'conversation', traceId: TRACE, spanId: '00f067aa0ba902b7', startMs: T0, endMs: T0 + 42_000, attributes: {}, status: { code: 1 }, ...overrides };
}

describe('epochMsToUnixNano', () => {
  it('converts whole milliseconds exactly', () => {
    expect(epochMsToUnixNano(1_760_000_000_000)).toBe('1760000000000000000');
    expect(epochMsToUnixNano(0)).toBe('0');
  });

  it('keeps fractional milliseconds to the nanosecond where ms * 1e6 would round', () => {
    // 1767225600123.25 ms * 1e6 = 1.76722560012325e18 is not representable as a double.
    expect(epochMsToUnixNano(1_767_225_600_123.25)).toBe('1767225600123250000');
    expect(String(BigInt(1_767_225_600_123.25 * 1e6))).not.toBe('1767225600123250000');
    expect(epochMsToUnixNano(1_767_225_600_000 + 1 / 4096)).toBe('1767225600000000244');
    expect(epochMsToUnixNano(0.000001)).toBe('1');
    expect(epochMsToUnixNano(0.9999999999)).toBe('1000000');
  });

  it('equals the exactly rounded value for any 1/4096 ms step near today', () => {
    // Near 1.7e12 a double's resolution is 1/4096 ms, so every value is whole + k/4096.
    fc.assert(
      fc.property(fc.integer({ min: 1_700_000_000_000, max: 2_000_000_000_000 }), fc.integer({ min: 0, max: 4095 }), (whole, k) => {
        const exactNsTimes4096 = BigInt(whole) * 4096n * 1_000_000n + BigInt(k) * 1_000_000n;
        const rounded = (exactNsTimes4096 + 2048n) / 4096n; // round half up
        expect(epochMsToUnixNano(whole + k / 4096)).toBe(rounded.toString());
      }),
      fcOptions({ numRuns: 200 }, 'epochMsToUnixNano'),
    );
  });

  it('rejects negative and non-finite times', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => epochMsToUnixNano(bad)).toThrow(RangeError);
  });
});

describe('toOtlpJson', () => {
  it('wraps spans in one resourceSpans and one scopeSpans with service.name first', () => {
    const request = toOtlpJson([span()], { serviceName: 'twilio-agent', attributes: { 'coval.correlation.method': str('fifo'), 'service.name': str('ignored') } });
    expect(request.resourceSpans).toHaveLength(1);
    const [resourceSpans] = request.resourceSpans;
    expect(resourceSpans.resource.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'twilio-agent' } },
      { key: 'coval.correlation.method', value: { stringValue: 'fifo' } },
    ]);
    expect(resourceSpans.scopeSpans).toHaveLength(1);
    expect(resourceSpans.scopeSpans[0].scope).toEqual({ name: 'relaysim-agent', version: '0.1.0' });
    expect(toOtlpJson([], { serviceName: 's' }, { name: 'x', version: '9' }).resourceSpans[0].scopeSpans[0].scope).toEqual({ name: 'x', version: '9' });
  });

  it('encodes a root span with hex ids, string nanoseconds, integer enums and no parentSpanId', () => {
    const [encoded] = toOtlpJson([span({ attributes: { 'call.duration_seconds': dbl(42) } })], { serviceName: 's' }).resourceSpans[0].scopeSpans[0].spans;
    expect(encoded).toEqual({
      traceId: TRACE,
      spanId: '00f067aa0ba902b7',
      name: 'conversation',
      kind: 1,
      startTimeUnixNano: `${T0}000000`,
      endTimeUnixNano: `${T0 + 42_000}000000`,
      attributes: [{ key: 'call.duration_seconds', value: { doubleValue: 42 } }],
      status: { code: 1 },
    });
    expect('parentSpanId' in encoded!).toBe(false);
  });

  it('encodes each attribute type as its AnyValue variant, ints as decimal strings', () => {
    const attributes = { s: str('x'), d: dbl(0.1), i: int(120), b: bool(false) };
    const [encoded] = toOtlpJson([span({ parentSpanId: '53995c3f42cd8ad8', attributes })], { serviceName: 's' }).resourceSpans[0].scopeSpans[0].spans;
    expect(encoded!.parentSpanId).toBe('53995c3f42cd8ad8');
    expect(encoded!.attributes).toEqual([
      { key: 's', value: { stringValue: 'x' } },
      { key: 'd', value: { doubleValue: 0.1 } },
      { key: 'i', value: { intValue: '120' } },
      { key: 'b', value: { boolValue: false } },
    ]);
  });

  it('keeps a status message only with ERROR', () => {
    const spans = toOtlpJson([span({ status: { code: 1, message: 'dropped' } }), span({ spanId: '0000000000000002', status: { code: 2, message: 'tool failed' } })], { serviceName: 's' })
      .resourceSpans[0].scopeSpans[0].spans;
    expect(spans.map((s) => s.status)).toEqual([{ code: 1 }, { code: 2, message: 'tool failed' }]);
  });

  it('refuses spans OTLP would reject, with a typed error', () => {
    const bad: Partial<SpanRecord>[] = [
      { traceId: '0'.repeat(32) },
      { traceId: TRACE.toUpperCase() },
      { spanId: 'abc' },
      { parentSpanId: '0'.repeat(16) },
      { startMs: T0 + 1, endMs: T0 },
      { name: '' },
      { attributes: { ttfb: dbl(Number.NaN) } },
      { attributes: { tokens: int(1.5) } },
    ];
    for (const overrides of bad) {
      expect(() => toOtlpJson([span(overrides)], { serviceName: 's' }), JSON.stringify(overrides)).toThrow(expect.objectContaining({ code: 'AGENT_ERR_TRACING_SPAN_INVALID' }));
    }
  });
});
