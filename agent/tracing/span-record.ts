/**
 * The agent's own span model: what the span builder produces and the OTLP encoder consumes.
 * Times are wall-clock epoch milliseconds (fractional allowed); values carry their OTLP type so a
 * whole-number duration still goes out as a double.
 */

/** An attribute value tagged with the OTLP AnyValue variant it is encoded as. */
export type AttributeValue =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'double'; readonly value: number }
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'bool'; readonly value: boolean };

/** Attributes by key; a record, so keys are unique per span as OTLP requires. */
export type SpanAttributes = Readonly<Record<string, AttributeValue>>;

/** OTLP `Status.code`: 0 unset, 1 OK, 2 ERROR. */
export type SpanStatusCode = 0 | 1 | 2;

/** A span's status; `message` is only meaningful (and only kept) with ERROR. */
export interface SpanStatus {
  readonly code: SpanStatusCode;
  readonly message?: string;
}

/** One finished span. */
export interface SpanRecord {
  readonly name: string;
  /** 32 lowercase hex characters. */
  readonly traceId: string;
  /** 16 lowercase hex characters. */
  readonly spanId: string;
  /** Absent on the root span. */
  readonly parentSpanId?: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly attributes: SpanAttributes;
  readonly status: SpanStatus;
}

/** A string attribute value. */
export const str = (value: string): AttributeValue => ({ type: 'string', value });
/** A double attribute value (encoded as `doubleValue` even when whole). */
export const dbl = (value: number): AttributeValue => ({ type: 'double', value });
/** An int64 attribute value (encoded as a decimal-string `intValue`). */
export const int = (value: number): AttributeValue => ({ type: 'int', value });
/** A bool attribute value. */
export const bool = (value: boolean): AttributeValue => ({ type: 'bool', value });
