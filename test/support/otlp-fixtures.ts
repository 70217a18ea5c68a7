import type { OtlpAnyValue, OtlpKeyValue, OtlpRequest, OtlpSpan } from '../../simulator/otlp/model.ts';

/** Trace id used by the fixtures. */
export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
/** Call start (ns) of the fixtures. */
export const T0 = 1_760_000_000_000_000_000n;

/** Nanoseconds for `ms` after {@link T0}. */
export function at(ms: number): bigint {
  return T0 + BigInt(Math.round(ms * 1e6));
}

/** Attribute helpers. */
export const str = (value: string): OtlpAnyValue => ({ type: 'string', value });
export const dbl = (value: number): OtlpAnyValue => ({ type: 'double', value });
export const int = (value: bigint | number): OtlpAnyValue => ({ type: 'int', value: BigInt(value) });
export const kv = (key: string, value: OtlpAnyValue): OtlpKeyValue => ({ key, value });

/** A span with sensible defaults (kind INTERNAL, status OK, 100 ms long). */
export function span(o: Partial<OtlpSpan> & { spanId: string; name: string }): OtlpSpan {
  return {
    traceId: TRACE_ID,
    traceState: '',
    parentSpanId: '',
    flags: 257,
    kind: 1,
    startTimeUnixNano: at(0),
    endTimeUnixNano: at(100),
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 1, message: '' },
    ...o,
  };
}

/** One resourceSpans/scopeSpans envelope around `spans`. */
export function request(spans: readonly OtlpSpan[], resourceAttributes: readonly OtlpKeyValue[] = [kv('service.name', str('twilio-agent'))]): OtlpRequest {
  return {
    resourceSpans: [
      {
        resource: { attributes: resourceAttributes, droppedAttributesCount: 0 },
        scopeSpans: [{ scope: { name: 'relaysim-test', version: '1.0.0', attributes: [], droppedAttributesCount: 0 }, spans, schemaUrl: '' }],
        schemaUrl: '',
      },
    ],
  };
}

/** Span ids of {@link covalCallSpans}. */
export const IDS = {
  conversation: '00f067aa0ba902b7',
  stt: '1000000000000001',
  provider: '1000000000000002',
  llm: '1000000000000003',
  tts: '1000000000000004',
  tool: '1000000000000005',
  toolResult: '1000000000000006',
} as const;

/** A complete, clean Coval call (every span kind the schema knows); validates with zero findings. */
export function covalCallSpans(): OtlpSpan[] {
  const root = IDS.conversation;
  return [
    span({ spanId: root, name: 'conversation', startTimeUnixNano: at(0), endTimeUnixNano: at(10_000), attributes: [kv('call.duration_seconds', dbl(10))] }),
    span({
      spanId: IDS.stt,
      parentSpanId: root,
      name: 'stt',
      startTimeUnixNano: at(1000),
      endTimeUnixNano: at(1500),
      attributes: [kv('transcript', str('What are your opening hours?')), kv('stt.confidence', dbl(0.95)), kv('metrics.ttfb', dbl(0.12))],
    }),
    span({ spanId: IDS.provider, parentSpanId: IDS.stt, name: 'stt.provider.twilio', startTimeUnixNano: at(1000), endTimeUnixNano: at(1500), attributes: [kv('stt.providerName', str('twilio'))] }),
    span({
      spanId: IDS.llm,
      parentSpanId: root,
      name: 'llm',
      startTimeUnixNano: at(1500),
      endTimeUnixNano: at(2100),
      attributes: [kv('metrics.ttfb', dbl(0.6)), kv('llm.finish_reason', str('tool_calls')), kv('gen_ai.usage.input_tokens', int(120)), kv('gen_ai.usage.output_tokens', int(14))],
    }),
    span({
      spanId: IDS.tool,
      parentSpanId: root,
      name: 'llm_tool_call',
      startTimeUnixNano: at(2100),
      endTimeUnixNano: at(2200),
      attributes: [kv('function.name', str('opening_hours')), kv('tool_call_id', str('call_1')), kv('function.arguments', str('{}'))],
    }),
    span({
      spanId: IDS.toolResult,
      parentSpanId: root,
      name: 'tool_call_result',
      startTimeUnixNano: at(2200),
      endTimeUnixNano: at(2300),
      attributes: [kv('tool.name', str('opening_hours')), kv('tool.call_id', str('call_1')), kv('tool.result', str('9-5'))],
    }),
    span({ spanId: IDS.tts, parentSpanId: root, name: 'tts', startTimeUnixNano: at(2300), endTimeUnixNano: at(4000), attributes: [kv('metrics.ttfb', int(0))] }),
  ];
}

/** {@link covalCallSpans} in one request. */
export function covalCall(): OtlpRequest {
  return request(covalCallSpans());
}

/** A copy of the clean call with span `name` replaced by `patch(span)`. */
export function withSpan(name: string, patch: (s: OtlpSpan) => OtlpSpan): OtlpRequest {
  return request(covalCallSpans().map((s) => (s.name === name ? patch(s) : s)));
}

/** A copy of `s` with attribute `key` set (added or replaced) or removed (`undefined`). */
export function setAttr(s: OtlpSpan, key: string, value: OtlpAnyValue | undefined): OtlpSpan {
  const rest = s.attributes.filter((a) => a.key !== key);
  return { ...s, attributes: value === undefined ? rest : [...rest, kv(key, value)] };
}

/** JSON text of a minimal one-span request with `spanJson` spliced in as the span object. */
export function jsonWithSpan(spanJson: string, resource = '{"attributes":[{"key":"service.name","value":{"stringValue":"a"}}]}'): string {
  return `{"resourceSpans":[{"resource":${resource},"scopeSpans":[{"scope":{"name":"s"},"spans":[${spanJson}]}]}]}`;
}

/** A valid span JSON object's text with `extra` fields appended (later keys win in JSON.parse). */
export function spanJson(extra = ''): string {
  return `{"traceId":"${TRACE_ID}","spanId":"${IDS.conversation}","name":"conversation","kind":1,"startTimeUnixNano":"${at(0)}","endTimeUnixNano":"${at(1000)}","attributes":[{"key":"call.duration_seconds","value":{"doubleValue":1}}],"status":{"code":1}${extra}}`;
}
