import { AgentErrors } from '../errors.ts';
import type { AttributeValue, SpanAttributes, SpanRecord } from './span-record.ts';

/** OTLP JSON `AnyValue`, restricted to the variants the agent emits. */
export type OtlpAnyValue =
  | { readonly stringValue: string }
  | { readonly doubleValue: number }
  | { readonly intValue: string }
  | { readonly boolValue: boolean };

/** OTLP JSON `KeyValue`. */
export interface OtlpKeyValue {
  readonly key: string;
  readonly value: OtlpAnyValue;
}

/** OTLP JSON `Span` (otlp-coval.md §2.1), as the agent fills it. */
export interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: 1;
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
  readonly attributes: readonly OtlpKeyValue[];
  readonly status: { readonly code: 0 | 1 | 2; readonly message?: string };
}

/** OTLP JSON `ExportTraceServiceRequest` with one resource and one scope. */
export interface OtlpExportTraceRequest {
  readonly resourceSpans: readonly [
    {
      readonly resource: { readonly attributes: readonly OtlpKeyValue[] };
      readonly scopeSpans: readonly [{ readonly scope: { readonly name: string; readonly version: string }; readonly spans: readonly OtlpSpan[] }];
    },
  ];
}

/** The resource every span of the request belongs to. */
export interface OtlpResource {
  readonly serviceName: string;
  /** Extra resource attributes (e.g. `coval.correlation.method`); `service.name` is always set from `serviceName`. */
  readonly attributes?: SpanAttributes;
}

/** The instrumentation scope named in the request. */
export interface OtlpScope {
  readonly name: string;
  readonly version: string;
}

/** The scope used when none is given. */
export const DEFAULT_OTLP_SCOPE: OtlpScope = { name: 'relaysim-agent', version: '0.1.0' };

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ALL_ZERO = /^0+$/;
const NS_PER_MS = 1_000_000n;

/**
 * Converts epoch milliseconds (fractional allowed) to epoch nanoseconds as a decimal string,
 * rounded to the nearest nanosecond. Exact: `ms * 1e6` would exceed 2^53, so the whole and
 * fractional milliseconds are converted separately and joined with BigInt.
 */
export function epochMsToUnixNano(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`epoch milliseconds must be finite and non-negative (actual: ${ms})`);
  const whole = Math.floor(ms);
  // Both steps are exact in binary floating point: ms - floor(ms) loses no bits, and the
  // fraction of a double near 1.7e12 has few enough significant bits that * 1e6 is exact too.
  const fractionNs = Math.round((ms - whole) * 1e6);
  return (BigInt(whole) * NS_PER_MS + BigInt(fractionNs)).toString();
}

function fail(span: string, why: string): never {
  throw new AgentErrors.AGENT_ERR_TRACING_SPAN_INVALID(span, why);
}

function anyValue(where: string, key: string, value: AttributeValue): OtlpAnyValue {
  switch (value.type) {
    case 'string':
      return { stringValue: value.value };
    case 'bool':
      return { boolValue: value.value };
    case 'double':
      // JSON has no NaN/Infinity; JSON.stringify would silently turn them into null.
      if (!Number.isFinite(value.value)) fail(where, `attribute ${key} must be a finite double (actual: ${value.value})`);
      return { doubleValue: value.value };
    case 'int':
      if (!Number.isSafeInteger(value.value)) fail(where, `attribute ${key} must be a safe integer (actual: ${value.value})`);
      return { intValue: BigInt(value.value).toString() };
  }
}

function keyValues(where: string, attributes: SpanAttributes): OtlpKeyValue[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(where, key, value) }));
}

function encodeSpan(span: SpanRecord): OtlpSpan {
  const where = `${span.name} (${span.spanId})`;
  if (span.name === '') fail(where, 'the name is empty');
  if (!TRACE_ID.test(span.traceId) || ALL_ZERO.test(span.traceId)) fail(where, `traceId must be 32 lowercase hex digits, not all zero (actual: '${span.traceId}')`);
  if (!SPAN_ID.test(span.spanId) || ALL_ZERO.test(span.spanId)) fail(where, `spanId must be 16 lowercase hex digits, not all zero (actual: '${span.spanId}')`);
  if (span.parentSpanId !== undefined && (!SPAN_ID.test(span.parentSpanId) || ALL_ZERO.test(span.parentSpanId))) {
    fail(where, `parentSpanId must be 16 lowercase hex digits, not all zero (actual: '${span.parentSpanId}')`);
  }
  if (!(Number.isFinite(span.startMs) && Number.isFinite(span.endMs) && span.startMs >= 0 && span.endMs >= span.startMs)) {
    fail(where, `times must satisfy 0 <= start <= end (actual: start ${span.startMs} ms, end ${span.endMs} ms)`);
  }
  const status = span.status.code === 2 ? { code: 2 as const, message: span.status.message ?? '' } : { code: span.status.code };
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId === undefined ? {} : { parentSpanId: span.parentSpanId }),
    name: span.name,
    kind: 1,
    startTimeUnixNano: epochMsToUnixNano(span.startMs),
    endTimeUnixNano: epochMsToUnixNano(span.endMs),
    attributes: keyValues(where, span.attributes),
    status,
  };
}

/**
 * Encodes spans as one OTLP/JSON ExportTraceServiceRequest (otlp-coval.md §2): hex ids, decimal
 * string nanoseconds, integer enums, one resourceSpans and one scopeSpans. Throws
 * AGENT_ERR_TRACING_SPAN_INVALID on a span OTLP would reject.
 */
export function toOtlpJson(spans: readonly SpanRecord[], resource: OtlpResource, scope: OtlpScope = DEFAULT_OTLP_SCOPE): OtlpExportTraceRequest {
  const { 'service.name': _ignored, ...extra } = resource.attributes ?? {};
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: resource.serviceName } }, ...keyValues('resource', extra)] },
        scopeSpans: [{ scope: { name: scope.name, version: scope.version }, spans: spans.map(encodeSpan) }],
      },
    ],
  };
}
