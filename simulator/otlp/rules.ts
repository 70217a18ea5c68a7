/**
 * The OTLP/Coval rule catalogue as data. Every finding the decoders, the validator, the finalize
 * step and the fake Coval ingest report carries one of these ids; ids are stable and never reused.
 * `stage` says where the rule is enforced: `transport` (HTTP handling of the fake endpoint),
 * `decode` (wire decoding; errors reject the request with 400), `request` (one decoded request)
 * and `finalize` (all batches of one simulation together).
 */

/** Where a rule is enforced. */
export type OtlpRuleStage = 'transport' | 'decode' | 'request' | 'finalize';

/** `error` fails the payload (or rejects it at decode time); `warn` is lint. */
export type FindingSeverity = 'error' | 'warn';

/** One catalogue entry. */
export interface OtlpRule {
  readonly id: string;
  readonly severity: FindingSeverity;
  readonly stage: OtlpRuleStage;
  readonly title: string;
  /** Section of docs/otlp-coval.md (the project's OTLP/Coval reference) the rule comes from. */
  readonly source: string;
}

function rule<const Id extends string>(id: Id, severity: FindingSeverity, stage: OtlpRuleStage, title: string, source: string) {
  return { id, severity, stage, title, source } as const;
}

/** Every rule, in catalogue order. */
export const OTLP_RULES = [
  rule('OTLP-HTTP-METHOD', 'error', 'transport', 'Traces are sent with POST to /v1/traces', 'otlp-coval §1.3, §5.1.1'),
  rule('OTLP-HTTP-CONTENT-TYPE', 'error', 'transport', 'Content-Type is application/json or application/x-protobuf', 'otlp-coval §1, §1.3'),
  rule('OTLP-HTTP-ENCODING', 'error', 'transport', 'Content-Encoding is gzip or absent', 'otlp-coval §1'),
  rule('OTLP-HTTP-GZIP', 'error', 'transport', 'A gzip body decompresses cleanly', 'otlp-coval §1, §5.1.1'),
  rule('OTLP-HTTP-SIZE', 'error', 'transport', 'The body fits the size limit after decompression', 'otlp-coval §1, §4.1'),
  rule('OTLP-COVAL-API-KEY', 'error', 'transport', 'x-api-key is present and valid', 'otlp-coval §4.1, §5.1.2'),
  rule('OTLP-COVAL-TARGET', 'error', 'transport', 'Exactly one of X-Simulation-Id / X-Conversation-Id is sent', 'otlp-coval §4.1, §5.1.2'),
  rule('OTLP-COVAL-UNKNOWN-ID', 'error', 'transport', 'The simulation id is one Coval issued', 'otlp-coval §4.1, §5.1.2'),
  rule('OTLP-DECODE', 'error', 'decode', 'The body decodes as an ExportTraceServiceRequest in its content type', 'otlp-coval §1.3, §2.4'),
  rule('OTLP-JSON-TYPE', 'error', 'decode', 'Every JSON field has the type the proto3 JSON mapping requires', 'otlp-coval §2, §2.4'),
  rule('OTLP-JSON-DUPLICATE-FIELD', 'error', 'decode', 'A field is not given twice (camelCase and snake_case)', 'otlp-coval §2'),
  rule('OTLP-JSON-INT64', 'error', 'decode', '64-bit integers are decimal strings or non-negative JSON integers in range', 'otlp-coval §2 item 4, §2.4'),
  rule('OTLP-JSON-INT64-UNSAFE', 'warn', 'decode', '64-bit integers beyond 2^53 are sent as strings (numbers lose precision in most parsers)', 'otlp-coval §2 item 4, §2.4'),
  rule('OTLP-JSON-ENUM-NAME', 'error', 'decode', 'Enums (kind, status.code) are integers, not names', 'otlp-coval §2 item 3, §2.4'),
  rule('OTLP-JSON-BASE64', 'error', 'decode', 'bytesValue is valid base64', 'otlp-coval §2 item 5, §2.4'),
  rule('OTLP-JSON-SNAKE-CASE', 'warn', 'decode', 'JSON keys are lowerCamelCase (snake_case is not valid OTLP/JSON)', 'otlp-coval §2 item 1, §2.4'),
  rule('OTLP-JSON-UNKNOWN-KEY', 'warn', 'decode', 'Unknown JSON keys are ignored (and reported)', 'otlp-coval §2 item 7, §2.4'),
  rule('OTLP-ID-HEX', 'error', 'decode', 'traceId/spanId/parentSpanId are hex strings', 'otlp-coval §2 item 2, §5.1.5'),
  rule('OTLP-ID-BASE64', 'error', 'decode', 'Ids are hex, not base64 (the proto3 default for bytes)', 'otlp-coval §2 item 2, §5.1.5'),
  rule('OTLP-ID-LENGTH', 'error', 'decode', 'traceId is 16 bytes, spanId and a non-empty parentSpanId 8 bytes', 'otlp-coval §2 item 2, §5.1.5'),
  rule('OTLP-ID-ZERO', 'error', 'decode', 'Ids are not all zero', 'otlp-coval §2 item 2, §5.1.5'),
  rule('OTLP-ANYVALUE-ONEOF', 'error', 'decode', 'An AnyValue sets at most one variant', 'otlp-coval §2 item 9, §5.1.15'),
  rule('OTLP-STRINDEX', 'warn', 'decode', 'Profiles-only string-table fields are not used in traces', 'otlp-coval §2.1'),
  rule('OTLP-ATTR-DUPLICATE', 'error', 'decode', 'Attribute keys are unique per span, resource, scope, event, link and kvlist', 'otlp-coval §2.1, §5.1.15'),
  rule('OTLP-REQUEST-EMPTY', 'warn', 'request', 'No empty envelopes (resourceSpans without spans, scopeSpans without spans)', 'otlp-coval §1'),
  rule('OTLP-RESOURCE-SERVICE-NAME', 'warn', 'request', 'The resource has a non-empty service.name', 'otlp-coval §4.4, §5.1.16'),
  rule('OTLP-SPAN-ID-UNIQUE', 'error', 'request', 'A spanId is unique within its trace', 'otlp-coval §5.1.5'),
  rule('OTLP-SPAN-NAME', 'warn', 'request', 'Span names are non-empty', 'otlp-coval §2.1, §2.4'),
  rule('OTLP-SPAN-TIME-ZERO', 'error', 'request', 'startTimeUnixNano is set (> 0)', 'otlp-coval §5.1.8'),
  rule('OTLP-SPAN-TIME-ORDER', 'error', 'request', 'A span does not end before it starts', 'otlp-coval §2.1, §5.1.8'),
  rule('OTLP-SPAN-KIND', 'warn', 'request', 'kind is 1..5 (0 is UNSPECIFIED)', 'otlp-coval §5.1.14'),
  rule('OTLP-STATUS-CODE', 'warn', 'request', 'status.code is 0, 1 or 2', 'otlp-coval §5.1.14'),
  rule('OTLP-STATUS-MESSAGE', 'warn', 'request', 'A status message is only set with code ERROR', 'otlp-coval §2.1, §5.1.14'),
  rule('SPAN-STATUS-ERROR-MESSAGE', 'warn', 'request', 'An ERROR status carries a message', 'otlp-coval §5, §5.1.13'),
  rule('SPAN-CONVERSATION-DURATION', 'warn', 'request', 'The conversation span carries a numeric call.duration_seconds', 'otlp-coval §5'),
  rule('SPAN-TTFB-VALUE', 'error', 'request', 'metrics.ttfb is an int or double, finite and >= 0', 'otlp-coval §5.1.10'),
  rule('SPAN-TTFB-UNITS', 'warn', 'request', 'metrics.ttfb is in seconds (values above the limit look like milliseconds)', 'otlp-coval §5, §5.1.10'),
  rule('SPAN-LLM-TTFB-DURATION', 'warn', 'request', 'An llm span lasts at least its metrics.ttfb', 'otlp-coval §5.1.10'),
  rule('SPAN-STT-CONFIDENCE', 'error', 'request', 'stt.confidence is a number in [0, 1]', 'otlp-coval §5.1.11'),
  rule('SPAN-STT-TRANSCRIPT', 'warn', 'request', 'An stt span has a non-empty transcript (or stt.transcription)', 'otlp-coval §4.4, §5.1.12'),
  rule('SPAN-LLM-FINISH-REASON', 'warn', 'request', 'llm.finish_reason is stop, tool_calls, length or content_filter', 'otlp-coval §5.1.11'),
  rule('SPAN-LLM-USAGE', 'error', 'request', 'gen_ai.usage.* token counts are non-negative integers', 'otlp-coval §4.4, §5.1.11'),
  rule('SPAN-TOOL-NAME', 'error', 'request', 'Tool spans name the tool (function.name or tool.name)', 'otlp-coval §4.4, §5.1.13'),
  rule('SPAN-ATTR-SECRET', 'warn', 'request', 'No secrets (keys, tokens, passwords) in attributes', 'otlp-coval §5.1.16'),
  rule('SPAN-ATTR-RAW-AUDIO', 'warn', 'request', 'No raw audio in attributes', 'otlp-coval §4.5, §5.1.16'),
  rule('SPAN-ATTR-SIZE', 'warn', 'request', 'String attributes stay within the size bound', 'otlp-coval §5.1.16'),
  rule('OTLP-SPAN-RESENT', 'error', 'finalize', 'A span is not sent twice (Coval appends without deduplication)', 'otlp-coval §4.1, §5.1.4'),
  rule('OTLP-PARENT-RESOLVES', 'error', 'finalize', 'Every parentSpanId names a span of the same trace', 'otlp-coval §5.1.7'),
  rule('OTLP-TRACE-SINGLE', 'warn', 'finalize', 'All spans of one call share one traceId', 'otlp-coval §5.1.6'),
  rule('SPAN-ROOT-CONVERSATION', 'warn', 'finalize', 'Exactly one root span, named conversation', 'otlp-coval §5, §5.1.7'),
  rule('SPAN-CHILD-WITHIN-ROOT', 'warn', 'finalize', 'Child spans lie inside the root span (with tolerance)', 'otlp-coval §5.1.9'),
  rule('SPAN-PROVIDER-WITHIN-STT', 'warn', 'finalize', 'stt.provider.* spans are children of an stt span and lie inside it', 'otlp-coval §5, §5.1.9'),
  rule('SPAN-TOOL-RESULT-PAIRED', 'warn', 'finalize', 'tool_call_result pairs with an earlier tool call by call id', 'otlp-coval §5, §5.1.13'),
] as const satisfies readonly OtlpRule[];

/** A rule id from {@link OTLP_RULES}. */
export type OtlpRuleId = (typeof OTLP_RULES)[number]['id'];

const BY_ID: ReadonlyMap<string, OtlpRule> = new Map(OTLP_RULES.map((r) => [r.id, r]));

/** The catalogue entry for `id`. */
export function ruleById(id: OtlpRuleId): OtlpRule {
  return BY_ID.get(id) as OtlpRule;
}

/** Where a finding points. Indexes count from 0 within the request (or the batch list). */
export interface FindingLocation {
  readonly batch?: number;
  readonly resource?: number;
  readonly scope?: number;
  readonly span?: number;
  readonly spanId?: string;
  readonly spanName?: string;
  readonly attribute?: string;
  /** JSON-ish path of the offending field, when known. */
  readonly path?: string;
}

/** One rule outcome worth reporting. */
export interface Finding {
  readonly severity: FindingSeverity;
  readonly rule: OtlpRuleId;
  readonly message: string;
  readonly location: FindingLocation;
}

/** A finding for `id` with the catalogue's severity. */
export function finding(id: OtlpRuleId, message: string, location: FindingLocation = {}): Finding {
  return { severity: ruleById(id).severity, rule: id, message, location };
}
