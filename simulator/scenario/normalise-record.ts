import { groupedByCall } from './call-order.ts';
import type { RunRecord } from './run-record.ts';

/**
 * A RunRecord with what legitimately differs between two runs of the same scenario and seed taken
 * out, so that such runs compare deep-equal (`--check-determinism`, architecture §4):
 * - every time reading and duration (frame `at`, `…AtMs`, `durationMs`, `playedMs`, span times,
 *   measured span attributes such as `metrics.ttfb` and `call.duration_seconds`);
 * - ports and pids (`127.0.0.1:<port>`), the agent instance and its process output;
 * - the agent's own random ids: trace and span ids are renamed `trace-1`, `span-1`, … in order of
 *   first appearance; raw OTLP bodies and their sizes (they embed those ids and times);
 * - transport noise: `date`, `content-length`, `sec-websocket-accept`, keep-alive headers, the
 *   `X-Twilio-Signature` of requests whose parameters carry a duration.
 * - how overlapping calls interleave: LLM requests, Coval attempts and batches and events are
 *   grouped by call and their sequence numbers renumbered in that order (`groupedByCall`).
 * What stays: the order of everything within a call, every id the runner derived from the seed,
 * every frame's content, the LLM traffic, the spans' names, parents, attributes and statuses, and
 * the verdicts.
 */

/** Keys whose values are times or durations. */
const TIME_KEYS = new Set([
  'at',
  'atMs',
  'startedAt',
  'endedAt',
  'startedAtMs',
  'endedAtMs',
  'receivedAtMs',
  'receivedAtEpochMs',
  'sentAtMs',
  'durationMs',
  'durationSeconds',
  'playedMs',
  'firstChunkAtMs',
  'firstTokenAtMs',
  'firstBatchAtMs',
  'waitedMs',
  'durationUntilInterruptMs',
  'startNs',
  'endNs',
  'timeNs',
  'created',
  'created_at',
  'timebase',
]);

/** Keys dropped outright (noise, or derived from dropped values). */
const DROPPED_KEYS = new Set(['bodybase64', 'bodybytes', 'instance', 'process', 'sec-websocket-accept', 'date', 'content-length', 'keep-alive', 'connection']);

/** Span attributes whose values are measured, not scripted. */
const MEASURED_ATTRIBUTE = /ttfb|duration|latency|time|_ms$|\.ms$/i;
/** Resource attributes that name the process or host. */
const INSTANCE_ATTRIBUTE = /^(process\.|host\.|service\.instance\.id|telemetry\.sdk\.version)/;

const PORT = /\b(127\.0\.0\.1|localhost|\[::1\]):\d+/g;
const SESSION_DURATION = /SessionDuration=\d+/g;
const INTERRUPT_MS = /("durationUntilInterruptMs":)\s*"?\d+(\.\d+)?"?/g;
const DURATION_SECONDS = /("?call\.duration_seconds"?[:=]\s*)[\d.]+/g;

class IdNames {
  readonly #names = new Map<string, string>();
  #traces = 0;
  #spans = 0;

  trace(id: string): string {
    return this.#name(id, () => `trace-${++this.#traces}`);
  }

  span(id: string): string {
    return id === '' ? '' : this.#name(id, () => `span-${++this.#spans}`);
  }

  #name(id: string, make: () => string): string {
    let name = this.#names.get(id);
    if (name === undefined) {
      name = make();
      this.#names.set(id, name);
    }
    return name;
  }

  /** Replaces every known id inside a string. */
  rewrite(text: string): string {
    let out = text;
    for (const [id, name] of this.#names) if (id.length >= 16 && out.includes(id)) out = out.split(id).join(name);
    return out;
  }
}

function normaliseString(text: string, ids: IdNames): string {
  return ids
    .rewrite(text)
    .replace(PORT, '$1:<port>')
    .replace(SESSION_DURATION, 'SessionDuration=<duration>')
    .replace(INTERRUPT_MS, '$1<ms>')
    .replace(DURATION_SECONDS, '$1<seconds>');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function walk(value: unknown, ids: IdNames, parentKey: string): unknown {
  if (typeof value === 'string') return normaliseString(value, ids);
  if (Array.isArray(value)) {
    // Form parameters: [name, value] pairs whose value is a duration.
    if (value.length === 2 && value[0] === 'SessionDuration' && typeof value[1] === 'string') return ['SessionDuration', '<duration>'];
    return value.map((v) => walk(v, ids, parentKey));
  }
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  const signedWithDuration = Array.isArray(value.params) && (value.params as unknown[]).some((p) => Array.isArray(p) && p[0] === 'SessionDuration');
  for (const key of Object.keys(value).sort()) {
    const lower = key.toLowerCase();
    if (TIME_KEYS.has(key) || DROPPED_KEYS.has(lower)) continue;
    const child = value[key];
    if ((parentKey === 'attributes' || parentKey === 'resourceAttributes') && isRecord(child)) {
      if (parentKey === 'resourceAttributes' && INSTANCE_ATTRIBUTE.test(key)) {
        out[key] = { type: child.type, value: '<instance>' };
        continue;
      }
      if (MEASURED_ATTRIBUTE.test(key) && 'value' in child) {
        out[key] = { type: child.type, value: '<measured>' };
        continue;
      }
    }
    if (parentKey === 'env' && key === 'PORT') {
      out[key] = '<port>';
      continue;
    }
    if (lower === 'x-twilio-signature' && typeof child === 'string') {
      out[key] = '<signature>';
      continue;
    }
    out[key] = walk(child, ids, key);
  }
  if (signedWithDuration && isRecord(out.requestHeaders)) out.requestHeaders = { ...out.requestHeaders, 'X-Twilio-Signature': '<signature>' };
  return out;
}

/** Names every trace and span id of the record's batches, in their (call-grouped) order. */
function nameIds(record: RunRecord, ids: IdNames): void {
  for (const batch of record.coval.batches) {
    for (const span of batch.spans) {
      ids.trace(span.traceId);
      ids.span(span.spanId);
    }
  }
  for (const batch of record.coval.batches) for (const span of batch.spans) ids.span(span.parentSpanId);
}

/** The record with run-to-run noise removed (see the file comment); the input is not modified. */
export function normaliseRecord(record: RunRecord): unknown {
  const ordered = groupedByCall(record);
  const ids = new IdNames();
  nameIds(ordered, ids);
  const plain = JSON.parse(JSON.stringify(ordered)) as RunRecord;
  const batches = plain.coval.batches.map((b) => ({
    ...b,
    spans: b.spans.map((s) => ({ ...s, traceId: ids.trace(s.traceId), spanId: ids.span(s.spanId), parentSpanId: ids.span(s.parentSpanId) })),
  }));
  return walk({ ...plain, coval: { ...plain.coval, batches } }, ids, '');
}
