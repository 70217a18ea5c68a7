import { otlpProtoTypes } from '../otlp/otlp-descriptor.ts';
import type { CovalResponseMode } from './fake-coval-options.ts';
import type { OtlpEncoding } from './ingest-checks.ts';

/** A fully built HTTP answer. */
export interface ReplySpec {
  readonly status: number;
  readonly contentType: string;
  readonly body: string | Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
}

const COVAL_CODES: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  // 413's code is not in Coval's OpenAPI (only its skills docs mention the status).
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  // Coval documents its retryable 503 with code INTERNAL.
  503: 'INTERNAL',
};

const GRPC_CODES: Readonly<Record<number, number>> = {
  400: 3,
  401: 16,
  403: 7,
  404: 5,
  413: 8,
  429: 8,
  500: 13,
  502: 14,
  503: 14,
  504: 4,
};

/** Coval's error `code` string for an HTTP status. */
export function covalErrorCode(status: number): string {
  return COVAL_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'UNKNOWN');
}

/** The gRPC status code OTLP puts in google.rpc.Status for an HTTP status. */
export function grpcCode(status: number): number {
  return GRPC_CODES[status] ?? 2;
}

/** The 200 answer: Coval's `{"status":"ok","simulation_output_id":…}` or OTLP's empty response. */
export function successReply(mode: CovalResponseMode, encoding: OtlpEncoding, id: string): ReplySpec {
  if (mode === 'coval') {
    return { status: 200, contentType: 'application/json', body: JSON.stringify({ status: 'ok', simulation_output_id: id }) };
  }
  // Full success leaves partial_success unset: `{}` in JSON, zero bytes in protobuf (otlp-coval §1.1).
  return encoding === 'json'
    ? { status: 200, contentType: 'application/json', body: '{}' }
    : { status: 200, contentType: 'application/x-protobuf', body: otlpProtoTypes().ExportTraceServiceResponse.encode({}).finish() };
}

/** What an error answer says. */
export interface ErrorContent {
  readonly status: number;
  readonly message: string;
  readonly rule?: string;
  readonly field?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * An error answer: Coval's envelope `{"error":{"code","message","details"}}` (always JSON), or in
 * `otlp` mode a google.rpc.Status in the request's encoding, with a google.rpc.BadRequest detail
 * naming the field for 400s (otlp-coval §1.2). The rule id leads the message and is echoed in
 * the `x-relaysim-rule` header so agents' logs and tests can see which rule fired.
 */
export function errorReply(mode: CovalResponseMode, encoding: OtlpEncoding, e: ErrorContent): ReplySpec {
  const message = e.rule ? `[${e.rule}] ${e.message}` : e.message;
  const headers: Record<string, string> = { ...(e.headers ?? {}) };
  if (e.rule) headers['x-relaysim-rule'] = e.rule;
  const violation = e.status === 400 ? [{ field: e.field ?? '', description: e.message }] : [];
  if (mode === 'coval') {
    const body = { error: { code: covalErrorCode(e.status), message, details: violation } };
    return { status: e.status, contentType: 'application/json', body: JSON.stringify(body), headers };
  }
  const code = grpcCode(e.status);
  const types = otlpProtoTypes();
  if (encoding === 'json') {
    const details = violation.length > 0 ? [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: violation }] : [];
    return { status: e.status, contentType: 'application/json', body: JSON.stringify({ code, message, details }), headers };
  }
  const details = violation.length > 0
    ? [{ typeUrl: 'type.googleapis.com/google.rpc.BadRequest', value: types.BadRequest.encode({ fieldViolations: violation }).finish() }]
    : [];
  return { status: e.status, contentType: 'application/x-protobuf', body: types.RpcStatus.encode({ code, message, details }).finish(), headers };
}

/** A plain-text answer (405 and 415 are plain text at the Collector too). */
export function textReply(status: number, text: string, headers: Readonly<Record<string, string>> = {}): ReplySpec {
  return { status, contentType: 'text/plain; charset=utf-8', body: text, headers };
}
