import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sleep } from '../core/clock.ts';
import { decodeOtlpJson } from '../otlp/decode-json.ts';
import { decodeOtlpProtobuf } from '../otlp/decode-protobuf.ts';
import type { OtlpDecodeResult } from '../otlp/decode-support.ts';
import { countSpans } from '../otlp/model.ts';
import { validateRequest } from '../otlp/validate.ts';
import { errorReply, successReply, textReply, type ReplySpec } from './coval-responses.ts';
import type { FaultPlans, FaultStep } from './fault-plan.ts';
import type { ResolvedFakeCovalOptions } from './fake-coval-options.ts';
import { checkApiKey, encodingOf, gzipOf, looseTargetId, targetOf, type IngestRejection, type OtlpEncoding } from './ingest-checks.ts';
import type { AttemptOutcome, IngestAttempt, TraceStore } from './trace-store.ts';

const gunzipAsync = promisify(gunzip);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** What the ingest route needs. */
export interface IngestDeps {
  readonly options: ResolvedFakeCovalOptions;
  readonly store: TraceStore;
  readonly faults: FaultPlans;
}

const FAULT_MESSAGES: Readonly<Record<number, string>> = {
  429: 'Too many requests. Please retry later.',
  500: 'Internal server error.',
  503: 'Database routing is temporarily unavailable. Please retry.',
};

/** Sends a built reply (Buffer for bytes, as Fastify streams those verbatim). */
export function send(reply: FastifyReply, spec: ReplySpec): FastifyReply {
  reply.code(spec.status).type(spec.contentType);
  for (const [k, v] of Object.entries(spec.headers ?? {})) reply.header(k, v);
  const body = typeof spec.body === 'string' ? spec.body : Buffer.from(spec.body.buffer, spec.body.byteOffset, spec.body.byteLength);
  return reply.send(body);
}

function headerText(v: string | string[] | undefined): string | null {
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Request headers for the record, with credentials redacted. */
export function recordedHeaders(headers: FastifyRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k] = k === 'x-api-key' || k === 'authorization' ? '<redacted>' : Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

function isRejection(v: unknown): v is IngestRejection {
  return typeof v === 'object' && v !== null && 'rule' in v;
}

function decode(encoding: OtlpEncoding, bytes: Buffer): OtlpDecodeResult {
  if (encoding === 'protobuf') return decodeOtlpProtobuf(bytes);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, rule: 'OTLP-DECODE', reason: 'body is not valid UTF-8 JSON' };
  }
  return decodeOtlpJson(text);
}

/** The ingest pipeline for one POST /v1/traces (otlp-coval §5.1 1–3). */
async function ingest(request: FastifyRequest, reply: FastifyReply, deps: IngestDeps): Promise<FastifyReply> {
  const { options, store, faults } = deps;
  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const looseId = looseTargetId(request.headers);
  const base = {
    seq: store.nextSeq(),
    receivedAtMs: options.clock.epochMs(),
    method: request.method,
    simulationId: looseId ?? null,
    contentType: headerText(request.headers['content-type']),
    contentEncoding: headerText(request.headers['content-encoding']),
    bodyBytes: raw.length,
  };
  let delayMs = 0;
  const record = (status: number | null, outcome: AttemptOutcome, extra: Partial<IngestAttempt> = {}): void => {
    store.recordAttempt({ ...base, status, outcome, delayMs, ...extra });
  };
  const guessed = encodingOf(request.headers['content-type']);
  const replyEncoding: OtlpEncoding = isRejection(guessed) ? 'json' : guessed;
  const reject = (r: IngestRejection): FastifyReply => {
    record(r.status, 'rejected', { rule: r.rule, reason: r.message });
    if (r.status === 405 || r.status === 415) return send(reply, textReply(r.status, `[${r.rule}] ${r.message}`, { 'x-relaysim-rule': r.rule, ...(r.status === 405 ? { allow: 'POST' } : {}) }));
    return send(reply, errorReply(options.responseMode, replyEncoding, r));
  };

  if (request.method !== 'POST') return reject({ status: 405, rule: 'OTLP-HTTP-METHOD', message: 'method not allowed, supported: [POST]' });

  const fault = faults.take(looseId);
  // A scripted 2xx is Coval accepting the batch: normal handling, answered with that status.
  let accepted: { readonly status: number; readonly headers: Record<string, string>; readonly reason: string } | undefined;
  if (fault) {
    const step: FaultStep = fault.step;
    delayMs = step.delayMs ?? 0;
    if (delayMs > 0) await sleep(options.clock, delayMs);
    if (step.kind === 'reset') {
      record(null, 'fault-reset', { reason: `fault plan (${fault.scope}) step ${fault.index}: connection reset` });
      reply.hijack();
      request.raw.socket?.destroy();
      return reply;
    }
    if (step.kind === 'status') {
      const reason = `fault plan (${fault.scope}) step ${fault.index}: ${step.status}`;
      const headers: Record<string, string> = step.retryAfter === undefined ? {} : { 'retry-after': String(step.retryAfter) };
      if (step.status < 300) {
        accepted = { status: step.status, headers, reason };
      } else {
        record(step.status, 'fault-status', { reason });
        return send(reply, errorReply(options.responseMode, replyEncoding, { status: step.status, message: step.message ?? FAULT_MESSAGES[step.status] ?? `Injected fault ${step.status}`, headers }));
      }
    }
  }

  if (isRejection(guessed)) return reject(guessed);
  const gzip = gzipOf(headerText(request.headers['content-encoding']) ?? undefined);
  if (isRejection(gzip)) return reject(gzip);
  const auth = checkApiKey(request.headers, options.apiKey, options.allowBasicAuth);
  if (auth) return reject(auth);
  const target = targetOf(request.headers);
  if (isRejection(target)) return reject(target);
  if (!options.acceptUnknownIds && !store.isIssued(target.id)) {
    return reject({ status: 404, rule: 'OTLP-COVAL-UNKNOWN-ID', message: `Simulation output not found: '${target.id}' was never issued by this Coval` });
  }

  let bytes = raw;
  if (gzip) {
    try {
      bytes = await gunzipAsync(raw, { maxOutputLength: options.maxBodyBytes });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        return reject({ status: 413, rule: 'OTLP-HTTP-SIZE', message: `body exceeds ${options.maxBodyBytes} bytes after gzip decompression` });
      }
      return reject({ status: 400, rule: 'OTLP-HTTP-GZIP', message: `gzip body does not decompress: ${(err as Error).message}`, field: 'Content-Encoding' });
    }
  }

  const decoded = decode(guessed, bytes);
  if (!decoded.ok) return reject({ status: 400, rule: decoded.rule, message: decoded.reason, ...(decoded.field === undefined ? {} : { field: decoded.field }) });

  const findings = [...decoded.findings, ...validateRequest(decoded.request, options.validate)];
  const spanCount = countSpans(decoded.request);
  store.addBatch({
    seq: base.seq,
    simulationId: target.id,
    target: target.kind,
    receivedAtMs: base.receivedAtMs,
    contentType: base.contentType ?? '',
    contentEncoding: base.contentEncoding,
    encoding: guessed,
    headers: recordedHeaders(request.headers),
    bodyBase64: raw.toString('base64'),
    request: decoded.request,
    findings,
    spanCount,
  });
  record(accepted?.status ?? 200, 'accepted', { spanCount, ...(accepted ? { reason: accepted.reason } : {}) });
  const success = successReply(options.responseMode, guessed, target.id);
  return send(reply, accepted ? { ...success, status: accepted.status, headers: { ...success.headers, ...accepted.headers } } : success);
}

/** Registers `/v1/traces` (every method, so non-POST gets the Collector's 405). */
export function registerIngestRoute(app: FastifyInstance, deps: IngestDeps): void {
  app.all('/v1/traces', { bodyLimit: deps.options.maxBodyBytes }, async (request, reply) => {
    // Tracked so a waiter knows a retry is on its way even while a fault delay holds it.
    const id = looseTargetId(request.headers) ?? null;
    deps.store.requestStarted(id);
    try {
      return await ingest(request, reply, deps);
    } finally {
      deps.store.requestEnded(id);
    }
  });
}

/** Turns Fastify's own body errors on `/v1/traces` (413 over the raw limit, bad lengths) into recorded rejections. */
export function ingestErrorReply(request: FastifyRequest, err: { statusCode?: number; message: string }, deps: IngestDeps): ReplySpec {
  const status = err.statusCode === 413 ? 413 : err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? 400 : 500;
  const rule = status === 413 ? 'OTLP-HTTP-SIZE' : status === 400 ? 'OTLP-DECODE' : undefined;
  const message = status === 413 ? `body exceeds ${deps.options.maxBodyBytes} bytes` : err.message;
  deps.store.recordAttempt({
    seq: deps.store.nextSeq(),
    receivedAtMs: deps.options.clock.epochMs(),
    method: request.method,
    simulationId: looseTargetId(request.headers) ?? null,
    contentType: headerText(request.headers['content-type']),
    contentEncoding: headerText(request.headers['content-encoding']),
    bodyBytes: Number(request.headers['content-length'] ?? 0) || 0,
    status,
    outcome: 'rejected',
    ...(rule ? { rule } : {}),
    reason: message,
    delayMs: 0,
  });
  const guessed = encodingOf(request.headers['content-type']);
  return errorReply(deps.options.responseMode, isRejection(guessed) ? 'json' : guessed, { status, message, ...(rule ? { rule } : {}) });
}
