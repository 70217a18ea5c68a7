import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { decodeOtlpJson } from '../../../simulator/otlp/decode-json.ts';
import { decodeOtlpProtobuf } from '../../../simulator/otlp/decode-protobuf.ts';
import { encodeOtlpProtobuf } from '../../../simulator/otlp/encode-protobuf.ts';
import type { OtlpRequest, OtlpSpan } from '../../../simulator/otlp/model.ts';
import { covalCall, request, span } from '../../support/otlp-fixtures.ts';
import { hr, hrToNanos, sdkCallSpans } from '../../support/otel-sdk-spans.ts';

function ok(r: ReturnType<typeof decodeOtlpJson>): OtlpRequest {
  if (!r.ok) throw new Error(`decode failed: ${r.rule} ${r.reason}`);
  return r.request;
}

function byName(req: OtlpRequest, name: string): OtlpSpan {
  const s = req.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)).find((x) => x.name === name);
  if (!s) throw new Error(`no span ${name}`);
  return s;
}

describe('decodeOtlpProtobuf', () => {
  it('decodes the OTel SDK protobuf serialisation to the same model as its JSON serialisation', async () => {
    const spans = await sdkCallSpans();
    const pb = ProtobufTraceSerializer.serializeRequest(spans);
    const json = JsonTraceSerializer.serializeRequest(spans);
    if (!pb || !json) throw new Error('serializer returned nothing');
    const fromPb = decodeOtlpProtobuf(pb);
    const fromJson = decodeOtlpJson(new TextDecoder().decode(json));
    expect(fromPb.ok && fromPb.findings).toEqual([]);
    expect(fromJson.ok && fromJson.findings).toEqual([]);
    expect(ok(fromPb)).toEqual(ok(fromJson));
  });

  it('keeps SDK ids, exact nanosecond times and typed attributes', async () => {
    const spans = await sdkCallSpans();
    const req = ok(decodeOtlpProtobuf(ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array));
    const sdkLlm = spans.find((s) => s.name === 'llm');
    const sdkRoot = spans.find((s) => s.name === 'conversation');
    const llm = byName(req, 'llm');
    expect(llm.traceId).toBe(sdkLlm?.spanContext().traceId);
    expect(llm.spanId).toBe(sdkLlm?.spanContext().spanId);
    expect(llm.parentSpanId).toBe(sdkRoot?.spanContext().spanId);
    expect(byName(req, 'conversation').parentSpanId).toBe('');
    expect(llm.startTimeUnixNano).toBe(hrToNanos(hr(1000)));
    expect(llm.startTimeUnixNano).toBe(1_760_000_001_000_123_457n);
    expect(llm.kind).toBe(1);
    expect(llm.flags).toBe(257);
    expect(llm.attributes).toEqual([
      { key: 'metrics.ttfb', value: { type: 'double', value: 0.4321 } },
      { key: 'gen_ai.usage.input_tokens', value: { type: 'int', value: 120n } },
      { key: 'llm.finish_reason', value: { type: 'string', value: 'stop' } },
      { key: 'llm.streamed', value: { type: 'bool', value: true } },
      { key: 'llm.stop_sequences', value: { type: 'array', values: [{ type: 'string', value: '\n\n' }, { type: 'string', value: 'END' }] } },
      { key: 'llm.token_counts', value: { type: 'array', values: [1n, 2n, 3n].map((v) => ({ type: 'int', value: v })) } },
    ]);
    expect(llm.events).toEqual([{ timeUnixNano: hrToNanos(hr(1432)), name: 'first_token', attributes: [{ key: 'token.index', value: { type: 'int', value: 0n } }], droppedAttributesCount: 0 }]);
    expect(llm.links[0]?.spanId).toBe(sdkRoot?.spanContext().spanId);
    expect(byName(req, 'llm_tool_call').status).toEqual({ code: 2, message: 'lookup timed out' });
    expect(req.resourceSpans[0]?.scopeSpans[0]?.scope).toMatchObject({ name: 'relaysim-test-scope', version: '1.2.3' });
  });

  it('round-trips bytes, kvlists, negative ints and special doubles through its own encoder', () => {
    const s = span({
      spanId: '0000000000000abc',
      name: 'x',
      attributes: [
        { key: 'b', value: { type: 'bytes', value: 'AQID' } },
        { key: 'kv', value: { type: 'kvlist', values: [{ key: 'n', value: { type: 'int', value: -(2n ** 63n) } }, { key: 'e', value: { type: 'empty' } }] } },
        { key: 'nan', value: { type: 'double', value: Number.NaN } },
        { key: 'inf', value: { type: 'double', value: Number.NEGATIVE_INFINITY } },
      ],
      startTimeUnixNano: 2n ** 64n - 2n,
      endTimeUnixNano: 2n ** 64n - 1n,
    });
    const req = request([s]);
    expect(ok(decodeOtlpProtobuf(encodeOtlpProtobuf(req)))).toEqual(req);
  });

  it('answers an empty body with an empty request (OTLP: empty request is a success)', () => {
    expect(decodeOtlpProtobuf(new Uint8Array(0))).toEqual({ ok: true, request: { resourceSpans: [] }, findings: [] });
  });

  it('rejects truncated bytes and JSON sent as protobuf with OTLP-DECODE instead of throwing', () => {
    const bytes = encodeOtlpProtobuf(covalCall());
    const truncated = decodeOtlpProtobuf(bytes.subarray(0, bytes.length - 3));
    expect(truncated).toMatchObject({ ok: false, rule: 'OTLP-DECODE' });
    expect(decodeOtlpProtobuf(new TextEncoder().encode('{"resourceSpans":[]}'))).toMatchObject({ ok: false, rule: 'OTLP-DECODE' });
  });

  it('rejects ids of the wrong length and all-zero ids', () => {
    const short = request([span({ spanId: '00f067aa0ba902b7', name: 'x', traceId: 'ab'.repeat(16) })]);
    const bytes = encodeOtlpProtobuf({ resourceSpans: short.resourceSpans.map((rs) => ({ ...rs, scopeSpans: rs.scopeSpans.map((ss) => ({ ...ss, spans: ss.spans.map((x) => ({ ...x, spanId: 'abcd' })) })) })) });
    expect(decodeOtlpProtobuf(bytes)).toMatchObject({ ok: false, rule: 'OTLP-ID-LENGTH' });
    const zero = encodeOtlpProtobuf(request([span({ spanId: '0000000000000000', name: 'x' })]));
    expect(decodeOtlpProtobuf(zero)).toMatchObject({ ok: false, rule: 'OTLP-ID-ZERO', field: 'resourceSpans[0].scopeSpans[0].spans[0].spanId' });
  });
});
