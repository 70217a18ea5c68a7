import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSeededIds } from '../../agent/platform/ids.ts';
import { createSeededRandom } from '../../agent/platform/random.ts';
import type { CallLog } from '../../agent/session/call-log.ts';
import type { OtlpAnyValue, OtlpExportTraceRequest, OtlpSpan } from '../../agent/tracing/otlp-json.ts';
import { toOtlpJson } from '../../agent/tracing/otlp-json.ts';
import { buildCallSpans } from '../../agent/tracing/span-builder.ts';
import { SYNTHETIC_STT_TTFB_SECONDS, TOOL_RESULT_MAX_CHARS } from '../../agent/tracing/trace-constants.ts';
import { callLogArbitrary } from '../support/call-log-arbitraries.ts';
import { fcOptions } from '../support/fc-config.ts';

/** Encodes a call the way the exporter does, and reads it back as a receiver would. */
function exportAndParse(log: CallLog, seed: number): OtlpSpan[] {
  const spans = buildCallSpans(log, createSeededIds(createSeededRandom(seed)));
  const wire = JSON.stringify(toOtlpJson(spans, { serviceName: 'relaysim-agent' }));
  const parsed = JSON.parse(wire) as OtlpExportTraceRequest;
  expect(parsed.resourceSpans).toHaveLength(1);
  expect(parsed.resourceSpans[0].resource.attributes[0]).toEqual({ key: 'service.name', value: { stringValue: 'relaysim-agent' } });
  expect(parsed.resourceSpans[0].scopeSpans).toHaveLength(1);
  return [...parsed.resourceSpans[0].scopeSpans[0].spans];
}

function value(span: OtlpSpan, key: string): OtlpAnyValue | undefined {
  return span.attributes.find((a) => a.key === key)?.value;
}

function double(span: OtlpSpan, key: string): number | undefined {
  const v = value(span, key);
  return v && 'doubleValue' in v ? v.doubleValue : undefined;
}

function checkWellFormed(spans: readonly OtlpSpan[]): void {
  const ids = new Set<string>();
  const traceIds = new Set(spans.map((s) => s.traceId));
  expect(traceIds.size).toBe(1);
  const [traceId] = traceIds;
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(traceId).not.toMatch(/^0+$/);
  for (const span of spans) {
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(span.spanId).not.toMatch(/^0+$/);
    expect(ids.has(span.spanId), `duplicate spanId ${span.spanId}`).toBe(false);
    ids.add(span.spanId);
    expect(span.kind).toBe(1);
    expect(span.startTimeUnixNano).toMatch(/^\d+$/);
    expect(span.endTimeUnixNano).toMatch(/^\d+$/);
    expect(BigInt(span.startTimeUnixNano) <= BigInt(span.endTimeUnixNano), `${span.name} ends before it starts`).toBe(true);
    if (span.status.code === 2) expect(span.status.message).toBeTruthy();
    else expect(span.status).toEqual({ code: 1 });
    const keys = span.attributes.map((a) => a.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const { value: v } of span.attributes) {
      expect(Object.keys(v)).toHaveLength(1);
      if ('intValue' in v) expect(v.intValue).toMatch(/^\d+$/);
      if ('doubleValue' in v) expect(Number.isFinite(v.doubleValue)).toBe(true);
    }
  }
}

function checkTree(spans: readonly OtlpSpan[]): void {
  const roots = spans.filter((s) => s.parentSpanId === undefined);
  expect(roots.map((r) => r.name)).toEqual(['conversation']);
  const root = roots[0]!;
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const within = (inner: OtlpSpan, outer: OtlpSpan) =>
    BigInt(inner.startTimeUnixNano) >= BigInt(outer.startTimeUnixNano) && BigInt(inner.endTimeUnixNano) <= BigInt(outer.endTimeUnixNano);
  for (const span of spans) {
    if (span === root) continue;
    const parent = byId.get(span.parentSpanId ?? '');
    expect(parent, `${span.name} has a dangling parent`).toBeDefined();
    expect(parent!.name).toBe(span.name === 'stt.provider.twilio' ? 'stt' : 'conversation');
    expect(within(span, root), `${span.name} pokes out of the root`).toBe(true);
    expect(within(span, parent!), `${span.name} pokes out of its parent`).toBe(true);
  }
}

function checkAgainstLog(log: CallLog, spans: readonly OtlpSpan[]): void {
  const [root, ...children] = spans;
  expect(double(root!, 'call.duration_seconds')).toBe((Math.max(log.startedAtMs, log.endedAtMs) - log.startedAtMs) / 1000);
  let i = 0;
  const next = (name: string): OtlpSpan => {
    const span = children[i++];
    expect(span?.name).toBe(name);
    return span!;
  };
  for (const event of log.events) {
    if (event.kind === 'user' && event.source === 'dtmf') {
      next('dtmf');
    } else if (event.kind === 'user') {
      const stt = next('stt');
      const provider = next('stt.provider.twilio');
      expect(value(stt, 'stt.transcription')).toEqual({ stringValue: event.text });
      for (const span of [stt, provider]) {
        expect(double(span, 'stt.confidence')).toBe(0.95);
        expect(double(span, 'metrics.ttfb')).toBe(SYNTHETIC_STT_TTFB_SECONDS);
        expect(value(span, 'synthetic.attributes')).toEqual({ stringValue: 'metrics.ttfb,stt.confidence' });
      }
    } else if (event.kind === 'assistant') {
      const llm = next('llm');
      const first = event.firstTokenSentAtMs ?? event.firstDeltaAtMs;
      const ttfb = double(llm, 'metrics.ttfb');
      if (first === undefined) expect(ttfb).toBeUndefined();
      else expect(ttfb).toBe(Math.max(0, (first - event.requestedAtMs) / 1000));
      if (first !== undefined && first >= event.requestedAtMs) expect(ttfb).toBe((first - event.requestedAtMs) / 1000);
      expect(llm.status.code).toBe(event.error === undefined ? 1 : 2);
      if (event.usage) expect(value(llm, 'gen_ai.usage.output_tokens')).toEqual({ intValue: String(event.usage.outputTokens) });
      if (event.firstTokenSentAtMs !== undefined) {
        const tts = next('tts');
        expect(double(tts, 'metrics.ttfb')).toBe(0.1);
        expect(value(tts, 'synthetic.attributes')).toEqual({ stringValue: 'metrics.ttfb' });
      }
    } else {
      const call = next('tool_call');
      const result = next('tool_call_result');
      for (const span of [call, result]) {
        expect(value(span, 'tool.name')).toEqual({ stringValue: event.name });
        expect(value(span, 'tool.call_id')).toEqual({ stringValue: event.callId });
      }
      expect(value(call, 'tool.arguments')).toEqual({ stringValue: event.arguments });
      const text = value(result, 'tool.result');
      expect(text && 'stringValue' in text && Array.from(text.stringValue).length <= TOOL_RESULT_MAX_CHARS).toBe(true);
      if (event.error === undefined) expect(result.status).toEqual({ code: 1 });
      else expect(result.status).toEqual({ code: 2, message: event.error === '' ? expect.any(String) : event.error });
    }
  }
  expect(i).toBe(children.length);
}

describe('span schema (property)', () => {
  it('every generated call exports a well-formed Coval span tree that matches its log', () => {
    fc.assert(
      fc.property(callLogArbitrary, fc.integer(), (log, seed) => {
        const spans = exportAndParse(log, seed);
        checkWellFormed(spans);
        checkTree(spans);
        checkAgainstLog(log, spans);
      }),
      fcOptions({ numRuns: 200 }, 'span schema'),
    );
  });
});
