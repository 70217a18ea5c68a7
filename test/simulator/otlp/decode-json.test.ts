import { describe, expect, it } from 'vitest';
import { decodeOtlpJson } from '../../../simulator/otlp/decode-json.ts';
import { encodeOtlpJson } from '../../../simulator/otlp/encode-json.ts';
import { at, covalCall, IDS, jsonWithSpan, spanJson, TRACE_ID } from '../../support/otlp-fixtures.ts';

function firstSpan(text: string) {
  const r = decodeOtlpJson(text);
  if (!r.ok) throw new Error(`${r.rule}: ${r.reason}`);
  return { span: r.request.resourceSpans[0]?.scopeSpans[0]?.spans[0], findings: r.findings };
}

describe('decodeOtlpJson', () => {
  it('decodes the reference request of otlp-coval §2.3 into lowercase ids and BigInt times', () => {
    const { span } = firstSpan(jsonWithSpan(spanJson(`,"traceId":"${TRACE_ID.toUpperCase()}"`)));
    expect(span?.traceId).toBe(TRACE_ID);
    expect(span?.startTimeUnixNano).toBe(at(0));
    expect(span?.status).toEqual({ code: 1, message: '' });
  });

  it('keeps every digit of int64 values sent as JSON numbers beyond 2^53, and warns', () => {
    const { span, findings } = firstSpan(jsonWithSpan(spanJson(',"endTimeUnixNano":1760000000000000001,"attributes":[{"key":"n","value":{"intValue":-9223372036854775808}}]')));
    expect(span?.endTimeUnixNano).toBe(1_760_000_000_000_000_001n);
    expect(span?.attributes[0]?.value).toEqual({ type: 'int', value: -(2n ** 63n) });
    expect(findings.map((f) => [f.rule, f.location.path])).toEqual([
      ['OTLP-JSON-INT64-UNSAFE', 'resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano'],
      ['OTLP-JSON-INT64-UNSAFE', 'resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue'],
    ]);
  });

  it('reads integral exponent numbers exactly and rejects fractional ones', () => {
    expect(firstSpan(jsonWithSpan(spanJson(',"endTimeUnixNano":1.76e18'))).span?.endTimeUnixNano).toBe(1_760_000_000_000_000_000n);
    expect(decodeOtlpJson(jsonWithSpan(spanJson(',"endTimeUnixNano":1.5')))).toMatchObject({ ok: false, rule: 'OTLP-JSON-INT64' });
  });

  it('accepts numeric int64s that fit a double without a second parse or warning', () => {
    const { span, findings } = firstSpan(jsonWithSpan(spanJson(',"attributes":[{"key":"n","value":{"intValue":42}}]')));
    expect(span?.attributes[0]?.value).toEqual({ type: 'int', value: 42n });
    expect(findings).toEqual([]);
  });

  it('rejects negative and out-of-range times', () => {
    expect(decodeOtlpJson(jsonWithSpan(spanJson(',"startTimeUnixNano":"-1"')))).toMatchObject({ ok: false, rule: 'OTLP-JSON-INT64' });
    expect(decodeOtlpJson(jsonWithSpan(spanJson(',"startTimeUnixNano":"18446744073709551616"')))).toMatchObject({ ok: false, rule: 'OTLP-JSON-INT64' });
  });

  it('accepts snake_case keys with one folded warning per key', () => {
    const text = `{"resource_spans":[{"scope_spans":[{"spans":[{"trace_id":"${TRACE_ID}","span_id":"${IDS.stt}","name":"a"},{"trace_id":"${TRACE_ID}","span_id":"${IDS.llm}","name":"b"}]}]}]}`;
    const r = decodeOtlpJson(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.request.resourceSpans[0]?.scopeSpans[0]?.spans.map((s) => s.spanId)).toEqual([IDS.stt, IDS.llm]);
    const snake = r.findings.filter((f) => f.rule === 'OTLP-JSON-SNAKE-CASE');
    expect(snake.map((f) => f.message.split("'")[1])).toEqual(['resource_spans', 'scope_spans', 'trace_id', 'span_id']);
    expect(snake[2]?.message).toContain('2 occurrences');
  });

  it('treats null as the default value and ignores unknown keys with a warning', () => {
    const { span, findings } = firstSpan(jsonWithSpan(spanJson(',"parentSpanId":null,"status":null,"vendorExtension":{"x":1}')));
    expect(span?.parentSpanId).toBe('');
    expect(span?.status).toEqual({ code: 0, message: '' });
    expect(findings.map((f) => f.rule)).toEqual(['OTLP-JSON-UNKNOWN-KEY']);
  });

  it('decodes every AnyValue variant, including nested arrays and kvlists', () => {
    const attrs = '[{"key":"s","value":{"stringValue":"x"}},{"key":"b","value":{"boolValue":false}},{"key":"d","value":{"doubleValue":"NaN"}},{"key":"y","value":{"bytesValue":"AQI"}},{"key":"e","value":{}},{"key":"a","value":{"arrayValue":{"values":[{"kvlistValue":{"values":[{"key":"k","value":{"intValue":"7"}}]}}]}}}]';
    const { span } = firstSpan(jsonWithSpan(spanJson(`,"attributes":${attrs}`)));
    expect(span?.attributes.map((a) => a.value)).toEqual([
      { type: 'string', value: 'x' },
      { type: 'bool', value: false },
      { type: 'double', value: Number.NaN },
      { type: 'bytes', value: 'AQI=' },
      { type: 'empty' },
      { type: 'array', values: [{ type: 'kvlist', values: [{ key: 'k', value: { type: 'int', value: 7n } }] }] },
    ]);
  });

  it('names the rule and field of a rejection', () => {
    expect(decodeOtlpJson(jsonWithSpan(spanJson(',"spanId":"AAAAAAAAAAA="')))).toEqual({
      ok: false,
      rule: 'OTLP-ID-BASE64',
      reason: expect.stringContaining('looks like base64') as unknown as string,
      field: 'resourceSpans[0].scopeSpans[0].spans[0].spanId',
    });
    expect(decodeOtlpJson('[]')).toMatchObject({ ok: false, rule: 'OTLP-DECODE' });
    expect(decodeOtlpJson(jsonWithSpan(spanJson(',"kind":1.5')))).toMatchObject({ ok: false, rule: 'OTLP-JSON-TYPE' });
    expect(decodeOtlpJson(jsonWithSpan(spanJson(',"name":7')))).toMatchObject({ ok: false, rule: 'OTLP-JSON-TYPE', field: 'resourceSpans[0].scopeSpans[0].spans[0].name' });
  });

  it('does not throw on absurdly deep nesting', () => {
    const deep = `${'{"arrayValue":{"values":['.repeat(5000)}${']}}'.repeat(5000)}`;
    const r = decodeOtlpJson(jsonWithSpan(spanJson(`,"attributes":[{"key":"d","value":${deep}}]`)));
    expect(r).toMatchObject({ ok: false, rule: 'OTLP-DECODE' });
  });

  it('round-trips its own canonical, numeric and snake_case encodings', () => {
    const req = covalCall();
    for (const opts of [{}, { int64: 'number' as const }, { keys: 'snake' as const }]) {
      const r = decodeOtlpJson(encodeOtlpJson(req, opts));
      expect(r.ok && r.request).toEqual(req);
    }
  });
});
