import type { LlmApi, LlmRequestRecord } from './history.ts';

/** A request as any transport hands it to the fake. */
export interface IncomingRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Raw body text; undefined when there was none. */
  readonly bodyText: string | undefined;
}

const REDACTED = '<redacted>';

/** Lower-cased, single-valued headers with the credential masked (records end up in reports). */
export function recordHeaders(headers: IncomingRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const text = typeof value === 'string' ? value : value.join(', ');
    if (key === 'authorization') out[key] = text.replace(/^(\s*\S+\s+).*$/s, (_, scheme: string) => `${scheme}${REDACTED}`);
    else if (key === 'api-key' || key === 'x-api-key') out[key] = REDACTED;
    else out[key] = text;
  }
  return out;
}

/** The value of a header, whatever its case. */
export function headerValue(headers: IncomingRequest['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    return typeof value === 'string' ? value : value?.[0];
  }
  return undefined;
}

/** Which API a path belongs to. */
export function apiOf(path: string): LlmApi {
  if (path === '/v1/chat/completions') return 'chat.completions';
  if (path === '/v1/responses') return 'responses';
  if (path === '/v1/models' || path.startsWith('/v1/models/')) return 'models';
  return 'unknown';
}

/** A fresh, pending record for a request that just arrived. */
export function newRecord(seq: number, request: IncomingRequest, body: unknown, nowMs: number, epochMs: number): LlmRequestRecord {
  return {
    seq,
    method: request.method.toUpperCase(),
    path: request.path,
    headers: recordHeaders(request.headers),
    body,
    api: apiOf(request.path),
    model: null,
    stream: false,
    turn: null,
    receivedAtMs: nowMs,
    receivedAtEpochMs: epochMs,
    match: null,
    status: null,
    error: null,
    responseId: null,
    reply: null,
    usage: null,
    chunks: [],
    firstChunkAtMs: null,
    firstTokenAtMs: null,
    endedAtMs: null,
    outcome: 'pending',
    warnings: [],
  };
}
