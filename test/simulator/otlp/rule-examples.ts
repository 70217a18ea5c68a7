import { gzipSync } from 'node:zlib';
import { buildFakeCoval } from '../../../simulator/coval/fake-coval.ts';
import type { FakeCovalOptions } from '../../../simulator/coval/fake-coval-options.ts';
import { decodeOtlpJson } from '../../../simulator/otlp/decode-json.ts';
import { validateBatches } from '../../../simulator/otlp/finalize.ts';
import type { OtlpRequest } from '../../../simulator/otlp/model.ts';
import type { OtlpRuleId } from '../../../simulator/otlp/rules.ts';
import { encodeOtlpJson } from '../../../simulator/otlp/encode-json.ts';
import {
  at, covalCall, covalCallSpans, dbl, IDS, int, jsonWithSpan, kv, request, setAttr, span, spanJson, str, TRACE_ID, withSpan,
} from '../../support/otlp-fixtures.ts';

/** One input the rule table can evaluate. */
export type RuleExample =
  | { readonly kind: 'model'; readonly batches: readonly OtlpRequest[] }
  | { readonly kind: 'json'; readonly text: string }
  | {
      readonly kind: 'http';
      readonly method?: 'GET' | 'POST' | 'PUT';
      readonly headers?: Readonly<Record<string, string>>;
      readonly payload?: string | Buffer;
      readonly fake?: FakeCovalOptions;
    };

const KEY = 'relaysim-coval-key';
const SIM = 'sim-1';
const CLEAN_TEXT = encodeOtlpJson(covalCall());
const HEADERS = { 'content-type': 'application/json', 'x-api-key': KEY, 'x-simulation-id': SIM };

const model = (...batches: OtlpRequest[]): RuleExample => ({ kind: 'model', batches });
const json = (text: string): RuleExample => ({ kind: 'json', text });
const http = (o: Omit<Extract<RuleExample, { kind: 'http' }>, 'kind'> = {}): RuleExample => ({ kind: 'http', ...o });
const CLEAN = model(covalCall());
const CLEAN_JSON = json(CLEAN_TEXT);
const CLEAN_HTTP = http();

/** Rule ids an example produces, through the path a real payload would take. */
export async function rulesFired(example: RuleExample): Promise<Set<string>> {
  if (example.kind === 'model') return new Set(validateBatches(example.batches).map((f) => f.rule));
  if (example.kind === 'json') {
    const r = decodeOtlpJson(example.text);
    if (!r.ok) return new Set([r.rule]);
    return new Set([...r.findings, ...validateBatches([r.request])].map((f) => f.rule));
  }
  const fake = buildFakeCoval(example.fake ?? {});
  try {
    fake.issue(SIM);
    const res = await fake.app.inject({
      method: example.method ?? 'POST',
      url: '/v1/traces',
      headers: { ...HEADERS, ...(example.headers ?? {}) },
      payload: example.payload ?? CLEAN_TEXT,
    });
    const fired = new Set<string>();
    const header = res.headers['x-relaysim-rule'];
    if (typeof header === 'string') fired.add(header);
    for (const a of fake.store.attempts()) if (a.rule) fired.add(a.rule);
    for (const id of fake.store.simulationIds()) for (const f of fake.store.findings(id)) fired.add(f.rule);
    return fired;
  } finally {
    await fake.app.close();
  }
}

const bigGzip = gzipSync(Buffer.from(`${CLEAN_TEXT.slice(0, -1)},"padding":"${' '.repeat(4000)}"}`));

/** For every rule: an input where it must not fire and one where it must. */
export const RULE_EXAMPLES: Readonly<Record<OtlpRuleId, { readonly pass: RuleExample; readonly fail: RuleExample }>> = {
  'OTLP-HTTP-METHOD': { pass: CLEAN_HTTP, fail: http({ method: 'PUT' }) },
  'OTLP-HTTP-CONTENT-TYPE': { pass: http({ headers: { 'content-type': 'application/json; charset=utf-8' } }), fail: http({ headers: { 'content-type': 'text/plain' } }) },
  'OTLP-HTTP-ENCODING': { pass: http({ headers: { 'content-encoding': 'gzip' }, payload: gzipSync(CLEAN_TEXT) }), fail: http({ headers: { 'content-encoding': 'br' } }) },
  'OTLP-HTTP-GZIP': { pass: http({ headers: { 'content-encoding': 'gzip' }, payload: gzipSync(CLEAN_TEXT) }), fail: http({ headers: { 'content-encoding': 'gzip' } }) },
  'OTLP-HTTP-SIZE': {
    pass: http({ fake: { maxBodyBytes: 8000 }, headers: { 'content-encoding': 'gzip' }, payload: gzipSync(CLEAN_TEXT) }),
    fail: http({ fake: { maxBodyBytes: 4000 }, headers: { 'content-encoding': 'gzip' }, payload: bigGzip }),
  },
  'OTLP-COVAL-API-KEY': {
    pass: http({ headers: { 'x-api-key': '', authorization: `Basic ${Buffer.from(KEY).toString('base64')}` } }),
    fail: http({ headers: { 'x-api-key': 'wrong-key' } }),
  },
  'OTLP-COVAL-TARGET': { pass: http({ headers: { 'x-simulation-id': '', 'x-conversation-id': SIM } }), fail: http({ headers: { 'x-simulation-id': '' } }) },
  'OTLP-COVAL-UNKNOWN-ID': { pass: http({ fake: { acceptUnknownIds: true }, headers: { 'x-simulation-id': 'never-issued' } }), fail: http({ headers: { 'x-simulation-id': 'never-issued' } }) },
  'OTLP-DECODE': { pass: CLEAN_JSON, fail: json('{"resourceSpans":[') },
  'OTLP-JSON-TYPE': { pass: CLEAN_JSON, fail: json('{"resourceSpans":[{"scopeSpans":[{"spans":{}}]}]}') },
  'OTLP-JSON-DUPLICATE-FIELD': { pass: CLEAN_JSON, fail: json(jsonWithSpan(spanJson(`,"span_id":"${IDS.stt}"`))) },
  'OTLP-JSON-INT64': { pass: json(jsonWithSpan(spanJson(`,"endTimeUnixNano":"${at(2000)}"`))), fail: json(jsonWithSpan(spanJson(',"endTimeUnixNano":"1.76e18"'))) },
  'OTLP-JSON-INT64-UNSAFE': { pass: json(jsonWithSpan(spanJson(`,"endTimeUnixNano":"${at(2000)}"`))), fail: json(jsonWithSpan(spanJson(`,"endTimeUnixNano":${at(2000)}`))) },
  'OTLP-JSON-ENUM-NAME': { pass: json(jsonWithSpan(spanJson(',"kind":2'))), fail: json(jsonWithSpan(spanJson(',"kind":"SPAN_KIND_INTERNAL"'))) },
  'OTLP-JSON-BASE64': {
    pass: json(jsonWithSpan(spanJson(',"attributes":[{"key":"b","value":{"bytesValue":"AQID"}}]'))),
    fail: json(jsonWithSpan(spanJson(',"attributes":[{"key":"b","value":{"bytesValue":"AQ*D"}}]'))),
  },
  'OTLP-JSON-SNAKE-CASE': {
    pass: CLEAN_JSON,
    fail: json(jsonWithSpan(`{"trace_id":"${TRACE_ID}","span_id":"${IDS.conversation}","name":"conversation","kind":1,"start_time_unix_nano":"${at(0)}","end_time_unix_nano":"${at(1000)}","attributes":[{"key":"call.duration_seconds","value":{"double_value":1}}]}`)),
  },
  'OTLP-JSON-UNKNOWN-KEY': { pass: CLEAN_JSON, fail: json(jsonWithSpan(spanJson(',"colour":"red"'))) },
  'OTLP-ID-HEX': { pass: CLEAN_JSON, fail: json(jsonWithSpan(spanJson(',"spanId":"00f067aa0ba902bz"'))) },
  'OTLP-ID-BASE64': { pass: CLEAN_JSON, fail: json(jsonWithSpan(spanJson(`,"traceId":"${Buffer.from(TRACE_ID, 'hex').toString('base64')}"`))) },
  'OTLP-ID-LENGTH': { pass: json(jsonWithSpan(spanJson(',"parentSpanId":""'))), fail: json(jsonWithSpan(spanJson(',"parentSpanId":"00f067aa0ba9"'))) },
  'OTLP-ID-ZERO': { pass: CLEAN_JSON, fail: json(jsonWithSpan(spanJson(`,"traceId":"${'0'.repeat(32)}"`))) },
  'OTLP-ANYVALUE-ONEOF': {
    pass: json(jsonWithSpan(spanJson(',"attributes":[{"key":"a","value":{"stringValue":"x","intValue":null}}]'))),
    fail: json(jsonWithSpan(spanJson(',"attributes":[{"key":"a","value":{"stringValue":"x","intValue":"1"}}]'))),
  },
  'OTLP-STRINDEX': { pass: CLEAN_JSON, fail: json(jsonWithSpan(spanJson(',"attributes":[{"key":"a","value":{"stringValueStrindex":3}}]'))) },
  'OTLP-ATTR-DUPLICATE': {
    pass: CLEAN,
    fail: json(jsonWithSpan(spanJson(',"attributes":[{"key":"a","value":{"intValue":"1"}},{"key":"a","value":{"intValue":"2"}}]'))),
  },
  'OTLP-REQUEST-EMPTY': { pass: CLEAN, fail: model({ resourceSpans: [...covalCall().resourceSpans, { resource: { attributes: [kv('service.name', str('x'))], droppedAttributesCount: 0 }, scopeSpans: [], schemaUrl: '' }] }) },
  'OTLP-RESOURCE-SERVICE-NAME': { pass: CLEAN, fail: model(request(covalCallSpans(), [kv('service.name', str(''))])) },
  'OTLP-SPAN-ID-UNIQUE': { pass: CLEAN, fail: model(request([...covalCallSpans(), span({ spanId: IDS.tts, parentSpanId: IDS.conversation, name: 'tts', startTimeUnixNano: at(5000), endTimeUnixNano: at(6000) })])) },
  'OTLP-SPAN-NAME': { pass: CLEAN, fail: model(withSpan('tts', (s) => ({ ...s, name: '' }))) },
  'OTLP-SPAN-TIME-ZERO': { pass: CLEAN, fail: model(withSpan('tts', (s) => ({ ...s, startTimeUnixNano: 0n }))) },
  'OTLP-SPAN-TIME-ORDER': {
    pass: model(withSpan('tts', (s) => ({ ...s, endTimeUnixNano: s.startTimeUnixNano }))),
    fail: model(withSpan('tts', (s) => ({ ...s, endTimeUnixNano: s.startTimeUnixNano - 1n }))),
  },
  'OTLP-SPAN-KIND': { pass: model(withSpan('tts', (s) => ({ ...s, kind: 5 }))), fail: model(withSpan('tts', (s) => ({ ...s, kind: 0 }))) },
  'OTLP-STATUS-CODE': { pass: model(withSpan('tts', (s) => ({ ...s, status: { code: 0, message: '' } }))), fail: model(withSpan('tts', (s) => ({ ...s, status: { code: 3, message: '' } }))) },
  'OTLP-STATUS-MESSAGE': {
    pass: model(withSpan('tts', (s) => ({ ...s, status: { code: 2, message: 'speech synthesis failed' } }))),
    fail: model(withSpan('tts', (s) => ({ ...s, status: { code: 1, message: 'OK' } }))),
  },
  'SPAN-STATUS-ERROR-MESSAGE': {
    pass: model(withSpan('tts', (s) => ({ ...s, status: { code: 2, message: 'speech synthesis failed' } }))),
    fail: model(withSpan('tts', (s) => ({ ...s, status: { code: 2, message: '' } }))),
  },
  'SPAN-CONVERSATION-DURATION': {
    pass: model(withSpan('conversation', (s) => setAttr(s, 'call.duration_seconds', int(10)))),
    fail: model(withSpan('conversation', (s) => setAttr(s, 'call.duration_seconds', str('10')))),
  },
  'SPAN-TTFB-VALUE': { pass: model(withSpan('tts', (s) => setAttr(s, 'metrics.ttfb', int(0)))), fail: model(withSpan('tts', (s) => setAttr(s, 'metrics.ttfb', dbl(-0.1)))) },
  'SPAN-TTFB-UNITS': { pass: model(withSpan('tts', (s) => setAttr(s, 'metrics.ttfb', dbl(30)))), fail: model(withSpan('tts', (s) => setAttr(s, 'metrics.ttfb', int(600)))) },
  'SPAN-LLM-TTFB-DURATION': { pass: model(withSpan('llm', (s) => setAttr(s, 'metrics.ttfb', dbl(0.64)))), fail: model(withSpan('llm', (s) => setAttr(s, 'metrics.ttfb', dbl(0.7)))) },
  'SPAN-STT-CONFIDENCE': { pass: model(withSpan('stt', (s) => setAttr(s, 'stt.confidence', int(1)))), fail: model(withSpan('stt', (s) => setAttr(s, 'stt.confidence', dbl(1.2)))) },
  'SPAN-STT-TRANSCRIPT': {
    pass: model(withSpan('stt', (s) => setAttr(setAttr(s, 'transcript', undefined), 'stt.transcription', str('hello')))),
    fail: model(withSpan('stt', (s) => setAttr(s, 'transcript', str('')))),
  },
  'SPAN-LLM-FINISH-REASON': { pass: model(withSpan('llm', (s) => setAttr(s, 'llm.finish_reason', str('length')))), fail: model(withSpan('llm', (s) => setAttr(s, 'llm.finish_reason', str('done')))) },
  'SPAN-LLM-USAGE': { pass: model(withSpan('llm', (s) => setAttr(s, 'gen_ai.usage.output_tokens', dbl(14)))), fail: model(withSpan('llm', (s) => setAttr(s, 'gen_ai.usage.output_tokens', dbl(1.5)))) },
  'SPAN-TOOL-NAME': {
    pass: model(withSpan('llm_tool_call', (s) => setAttr(setAttr(s, 'function.name', undefined), 'tool.name', str('opening_hours')))),
    fail: model(withSpan('llm_tool_call', (s) => setAttr(s, 'function.name', undefined))),
  },
  'SPAN-ATTR-SECRET': {
    pass: model(withSpan('llm', (s) => setAttr(s, 'llm.model', str('gpt-4o-mini')))),
    fail: model(withSpan('llm', (s) => setAttr(s, 'llm.request', str('Bearer abcdef')))),
  },
  'SPAN-ATTR-RAW-AUDIO': {
    pass: model(withSpan('tts', (s) => setAttr(s, 'tts.voice_hash', { type: 'bytes', value: Buffer.alloc(16, 1).toString('base64') }))),
    fail: model(withSpan('tts', (s) => setAttr(s, 'tts.audio', { type: 'bytes', value: Buffer.alloc(2048, 1).toString('base64') }))),
  },
  'SPAN-ATTR-SIZE': { pass: model(withSpan('tool_call_result', (s) => setAttr(s, 'tool.result', str('x'.repeat(4096))))), fail: model(withSpan('tool_call_result', (s) => setAttr(s, 'tool.result', str('x'.repeat(4097))))) },
  'OTLP-SPAN-RESENT': {
    pass: model(request(covalCallSpans().slice(0, 3)), request(covalCallSpans().slice(3))),
    fail: model(covalCall(), request(covalCallSpans().slice(3))),
  },
  'OTLP-PARENT-RESOLVES': {
    pass: model(request(covalCallSpans().slice(1)), request(covalCallSpans().slice(0, 1))),
    fail: model(withSpan('tts', (s) => ({ ...s, parentSpanId: 'abcdefabcdef0001' }))),
  },
  'OTLP-TRACE-SINGLE': { pass: CLEAN, fail: model(request([...covalCallSpans(), span({ traceId: 'ab'.repeat(16), spanId: '2000000000000001', name: 'conversation', attributes: [kv('call.duration_seconds', dbl(1))] })])) },
  'SPAN-ROOT-CONVERSATION': { pass: CLEAN, fail: model(withSpan('conversation', (s) => ({ ...s, name: 'call' }))) },
  'SPAN-CHILD-WITHIN-ROOT': {
    pass: model(withSpan('tts', (s) => ({ ...s, endTimeUnixNano: at(10_040) }))),
    fail: model(withSpan('tts', (s) => ({ ...s, endTimeUnixNano: at(10_100) }))),
  },
  'SPAN-PROVIDER-WITHIN-STT': {
    pass: model(withSpan('stt.provider.twilio', (s) => ({ ...s, endTimeUnixNano: at(1540) }))),
    fail: model(withSpan('stt.provider.twilio', (s) => ({ ...s, parentSpanId: IDS.conversation }))),
  },
  'SPAN-TOOL-RESULT-PAIRED': { pass: CLEAN, fail: model(withSpan('tool_call_result', (s) => setAttr(s, 'tool.call_id', str('call_2')))) },
};
