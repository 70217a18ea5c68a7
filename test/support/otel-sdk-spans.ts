import { context, SpanKind, SpanStatusCode, trace, type HrTime } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** Seconds part of the fixture call start; nanos are added per span so precision is exercised. */
const BASE_S = 1_760_000_000;

/** HrTime `ms` after the fixture start, with odd nanoseconds so any rounding shows. */
export function hr(ms: number, extraNs = 123_457): HrTime {
  const totalNs = ms * 1_000_000 + extraNs;
  return [BASE_S + Math.floor(totalNs / 1e9), totalNs % 1e9];
}

/** The exact unix nanoseconds of an HrTime. */
export function hrToNanos(t: HrTime): bigint {
  return BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
}

/**
 * A small Coval-shaped call made by the real OpenTelemetry JS SDK (explicit start/end times,
 * SDK-generated ids): root `conversation` with an `llm` child carrying typed attributes, an
 * event and a link, and an `llm_tool_call` that failed.
 */
export async function sdkCallSpans(): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'relaysim-sdk-test', 'deployment.environment': 'test' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('relaysim-test-scope', '1.2.3');
  const root = tracer.startSpan('conversation', { kind: SpanKind.INTERNAL, startTime: hr(0), attributes: { 'call.duration_seconds': 4.5 } });
  const ctx = trace.setSpan(context.active(), root);
  const llm = tracer.startSpan('llm', {
    startTime: hr(1000),
    attributes: {
      'metrics.ttfb': 0.4321,
      'gen_ai.usage.input_tokens': 120,
      'llm.finish_reason': 'stop',
      'llm.streamed': true,
      'llm.stop_sequences': ['\n\n', 'END'],
      'llm.token_counts': [1, 2, 3],
    },
    links: [{ context: root.spanContext(), attributes: { 'link.reason': 'follows' } }],
  }, ctx);
  llm.addEvent('first_token', { 'token.index': 0 }, hr(1432));
  llm.setStatus({ code: SpanStatusCode.OK });
  llm.end(hr(1800));
  const tool = tracer.startSpan('llm_tool_call', { startTime: hr(1800), attributes: { 'function.name': 'lookup', tool_call_id: 'call_1' } }, ctx);
  tool.setStatus({ code: SpanStatusCode.ERROR, message: 'lookup timed out' });
  tool.end(hr(2300));
  root.setStatus({ code: SpanStatusCode.OK });
  root.end(hr(4500));
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return [...spans];
}
