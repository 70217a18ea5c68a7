import { timingSafeEqual } from 'node:crypto';
import type { OtlpRuleId } from '../otlp/rules.ts';

/** The two OTLP/HTTP body encodings. */
export type OtlpEncoding = 'json' | 'protobuf';

/** Header bag as Node gives it (lowercase names). */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/** A request-level rejection: HTTP status, rule, message and (for 400s) the offending field. */
export interface IngestRejection {
  readonly status: number;
  readonly rule: OtlpRuleId;
  readonly message: string;
  readonly field?: string;
}

/** The media type without parameters, lowercased (`application/json; charset=utf-8` → `application/json`). */
export function mediaType(header: string | undefined): string {
  if (header === undefined) return '';
  const semi = header.indexOf(';');
  return (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase();
}

/** The body encoding for a Content-Type, or a 415 rejection as the Collector answers. */
export function encodingOf(contentType: string | undefined): OtlpEncoding | IngestRejection {
  const type = mediaType(contentType);
  if (type === 'application/json') return 'json';
  if (type === 'application/x-protobuf') return 'protobuf';
  return {
    status: 415,
    rule: 'OTLP-HTTP-CONTENT-TYPE',
    message: `unsupported content type '${contentType ?? '(none)'}', supported: [application/json, application/x-protobuf]`,
  };
}

/** Whether the body is gzip (true), identity (false), or a 415 for any other Content-Encoding. */
export function gzipOf(contentEncoding: string | undefined): boolean | IngestRejection {
  const enc = (contentEncoding ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return false;
  if (enc === 'gzip') return true;
  return { status: 415, rule: 'OTLP-HTTP-ENCODING', message: `unsupported Content-Encoding '${contentEncoding}', supported: gzip` };
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Checks `x-api-key` (or `Authorization: Basic base64(key)` when allowed); undefined when valid. */
export function checkApiKey(headers: HeaderBag, apiKey: string, allowBasic: boolean): IngestRejection | undefined {
  const key = single(headers['x-api-key']);
  if (key !== undefined && key !== '') {
    return safeEqual(key, apiKey) ? undefined : { status: 401, rule: 'OTLP-COVAL-API-KEY', message: 'Invalid API key' };
  }
  const auth = single(headers.authorization);
  if (allowBasic && auth !== undefined && auth.slice(0, 6).toLowerCase() === 'basic ') {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    return safeEqual(decoded, apiKey) ? undefined : { status: 401, rule: 'OTLP-COVAL-API-KEY', message: 'Invalid API key' };
  }
  return { status: 401, rule: 'OTLP-COVAL-API-KEY', message: 'Missing API key: send it in the x-api-key header' };
}

/** Which Coval object a batch belongs to. */
export interface IngestTarget {
  readonly kind: 'simulation' | 'conversation';
  readonly id: string;
}

/** The target from exactly one of X-Simulation-Id / X-Conversation-Id (otlp-coval §4.1). */
export function targetOf(headers: HeaderBag): IngestTarget | IngestRejection {
  const sim = single(headers['x-simulation-id'])?.trim() ?? '';
  const conv = single(headers['x-conversation-id'])?.trim() ?? '';
  if (sim !== '' && conv !== '') {
    return { status: 400, rule: 'OTLP-COVAL-TARGET', message: 'Send exactly one of X-Simulation-Id or X-Conversation-Id, not both', field: 'X-Simulation-Id' };
  }
  if (sim === '' && conv === '') {
    return { status: 400, rule: 'OTLP-COVAL-TARGET', message: 'Missing X-Simulation-Id (or X-Conversation-Id) header', field: 'X-Simulation-Id' };
  }
  return sim !== '' ? { kind: 'simulation', id: sim } : { kind: 'conversation', id: conv };
}

/** The id a request names, read loosely (for choosing a fault plan before any validation). */
export function looseTargetId(headers: HeaderBag): string | undefined {
  const sim = single(headers['x-simulation-id'])?.trim();
  if (sim) return sim;
  const conv = single(headers['x-conversation-id'])?.trim();
  return conv || undefined;
}
