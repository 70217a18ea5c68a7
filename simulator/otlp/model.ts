/**
 * The one normalised OTLP trace model both decoders produce (otlp-coval.md §3.3 b), so every
 * check runs once whatever the wire encoding was. Ids are lowercase hex, times are exact BigInt
 * nanoseconds, attribute values are tagged unions. Absent optional messages become their defaults
 * (empty resource, unnamed scope, UNSET status), exactly as proto3 reads them.
 */

/** An OTLP `AnyValue`; `empty` is the valid value with no variant set. */
export type OtlpAnyValue =
  | { readonly type: 'empty' }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'int'; readonly value: bigint }
  | { readonly type: 'double'; readonly value: number }
  /** Standard padded base64 of the bytes. */
  | { readonly type: 'bytes'; readonly value: string }
  | { readonly type: 'array'; readonly values: readonly OtlpAnyValue[] }
  | { readonly type: 'kvlist'; readonly values: readonly OtlpKeyValue[] };

/** One attribute. */
export interface OtlpKeyValue {
  readonly key: string;
  readonly value: OtlpAnyValue;
}

/** Span status; code 0 UNSET, 1 OK, 2 ERROR (other values are kept as sent). */
export interface OtlpStatus {
  readonly code: number;
  readonly message: string;
}

/** A span event. */
export interface OtlpEvent {
  readonly timeUnixNano: bigint;
  readonly name: string;
  readonly attributes: readonly OtlpKeyValue[];
  readonly droppedAttributesCount: number;
}

/** A span link. */
export interface OtlpLink {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState: string;
  readonly attributes: readonly OtlpKeyValue[];
  readonly droppedAttributesCount: number;
  readonly flags: number;
}

/** A span; `parentSpanId` is `''` for a root. */
export interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState: string;
  readonly parentSpanId: string;
  readonly flags: number;
  readonly name: string;
  readonly kind: number;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
  readonly attributes: readonly OtlpKeyValue[];
  readonly droppedAttributesCount: number;
  readonly events: readonly OtlpEvent[];
  readonly droppedEventsCount: number;
  readonly links: readonly OtlpLink[];
  readonly droppedLinksCount: number;
  readonly status: OtlpStatus;
}

/** The instrumentation scope of a group of spans. */
export interface OtlpScope {
  readonly name: string;
  readonly version: string;
  readonly attributes: readonly OtlpKeyValue[];
  readonly droppedAttributesCount: number;
}

/** Spans of one scope. */
export interface OtlpScopeSpans {
  readonly scope: OtlpScope;
  readonly spans: readonly OtlpSpan[];
  readonly schemaUrl: string;
}

/** The resource a group of spans came from. */
export interface OtlpResource {
  readonly attributes: readonly OtlpKeyValue[];
  readonly droppedAttributesCount: number;
}

/** Spans of one resource. */
export interface OtlpResourceSpans {
  readonly resource: OtlpResource;
  readonly scopeSpans: readonly OtlpScopeSpans[];
  readonly schemaUrl: string;
}

/** An `ExportTraceServiceRequest`. */
export interface OtlpRequest {
  readonly resourceSpans: readonly OtlpResourceSpans[];
}

/** SpanKind values (otlp-coval.md §2.1). */
export const SPAN_KIND = { UNSPECIFIED: 0, INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

/** Status codes (otlp-coval.md §2.1). */
export const STATUS_CODE = { UNSET: 0, OK: 1, ERROR: 2 } as const;

/** Number of spans in a request. */
export function countSpans(request: OtlpRequest): number {
  let n = 0;
  for (const rs of request.resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}

/** JSON.stringify replacer that writes BigInt as a decimal string, so records stay plain JSON. */
export function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Deep copy of `value` with every BigInt turned into its decimal string (JSON-safe records). */
export function toPlainJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, bigintReplacer));
}
