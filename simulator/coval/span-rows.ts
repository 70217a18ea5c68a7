import type { LocatedSpan } from '../otlp/finalize.ts';
import type { OtlpAnyValue, OtlpKeyValue } from '../otlp/model.ts';
import type { Finding } from '../otlp/rules.ts';
import { attr, text } from '../otlp/span-attributes.ts';
import type { StoredBatch } from './trace-store.ts';

/** A plain JSON rendering of an attribute value (ints beyond 2^53 as decimal strings). */
export function plainValue(v: OtlpAnyValue): unknown {
  switch (v.type) {
    case 'empty':
      return null;
    case 'int':
      return Number.isSafeInteger(Number(v.value)) ? Number(v.value) : v.value.toString();
    case 'double':
      return Number.isFinite(v.value) ? v.value : String(v.value);
    case 'array':
      return v.values.map(plainValue);
    case 'kvlist':
      return plainAttributes(v.values);
    default:
      return v.value;
  }
}

/** Attributes as a plain object. */
export function plainAttributes(list: readonly OtlpKeyValue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list) out[kv.key] = plainValue(kv.value);
  return out;
}

/** Span row for `GET /v1/traces/spans` (Coval documents them only as "raw OTLP span rows"). */
export function spanRow(simulationId: string, e: LocatedSpan, batches: readonly StoredBatch[]): Record<string, unknown> {
  const s = e.span;
  const batch = batches[e.location.batch ?? 0];
  const rs = batch?.request.resourceSpans[e.location.resource ?? 0];
  const ss = rs?.scopeSpans[e.location.scope ?? 0];
  const statusName = s.status.code === 1 ? 'OK' : s.status.code === 2 ? 'ERROR' : 'UNSET';
  return {
    simulation_output_id: simulationId,
    trace_id: s.traceId,
    span_id: s.spanId,
    parent_span_id: s.parentSpanId,
    span_name: s.name,
    span_kind: s.kind,
    start_time_unix_nano: s.startTimeUnixNano.toString(),
    end_time_unix_nano: s.endTimeUnixNano.toString(),
    duration_ms: Number(s.endTimeUnixNano - s.startTimeUnixNano) / 1e6,
    status_code: statusName,
    status_message: s.status.message,
    service_name: rs ? (text(attr(rs.resource, 'service.name')) ?? '') : '',
    scope_name: ss?.scope.name ?? '',
    resource_attributes: rs ? plainAttributes(rs.resource.attributes) : {},
    span_attributes: plainAttributes(s.attributes),
    events: s.events.map((ev) => ({ name: ev.name, time_unix_nano: ev.timeUnixNano.toString(), attributes: plainAttributes(ev.attributes) })),
    links: s.links.map((l) => ({ trace_id: l.traceId, span_id: l.spanId })),
    batch: e.location.batch ?? 0,
    received_at_ms: batch?.receivedAtMs ?? null,
  };
}

interface NameStats {
  count: number;
  ok: number;
  error: number;
  unset: number;
  min: number;
  max: number;
  sum: number;
  keys: Map<string, Set<string>>;
}

/**
 * `GET /v1/traces/summary` body: names, counts, timing/status distributions, integrity checks and
 * attribute key/type coverage, never attribute values (as Coval describes its endpoint).
 */
export function summaryBody(idField: 'simulation_id' | 'conversation_id', id: string, spans: readonly LocatedSpan[], finalize: readonly Finding[]): Record<string, unknown> {
  const byName = new Map<string, NameStats>();
  const status = { ok: 0, error: 0, unset: 0 };
  const traces = new Set<string>();
  for (const { span } of spans) {
    traces.add(span.traceId);
    let st = byName.get(span.name);
    if (!st) {
      st = { count: 0, ok: 0, error: 0, unset: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY, sum: 0, keys: new Map() };
      byName.set(span.name, st);
    }
    const ms = Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6;
    st.count++;
    st.min = Math.min(st.min, ms);
    st.max = Math.max(st.max, ms);
    st.sum += ms;
    const bucket = span.status.code === 1 ? 'ok' : span.status.code === 2 ? 'error' : 'unset';
    st[bucket]++;
    status[bucket]++;
    for (const kv of span.attributes) {
      const types = st.keys.get(kv.key) ?? new Set<string>();
      types.add(kv.value.type);
      st.keys.set(kv.key, types);
    }
  }
  const count = (rule: string): number => finalize.filter((f) => f.rule === rule).length;
  return {
    [idField]: id,
    total_spans: spans.length,
    trace_ids: [...traces],
    status_counts: status,
    span_names: [...byName].map(([name, st]) => ({
      name,
      count: st.count,
      status_counts: { ok: st.ok, error: st.error, unset: st.unset },
      duration_ms: { min: st.min, max: st.max, avg: st.sum / st.count },
      attribute_keys: [...st.keys].map(([key, types]) => ({ key, types: [...types] })),
    })),
    integrity: {
      root_spans: spans.filter((e) => e.span.parentSpanId === '').length,
      orphan_spans: count('OTLP-PARENT-RESOLVES'),
      duplicate_spans: count('OTLP-SPAN-RESENT'),
      checks: finalize.map((f) => ({ rule: f.rule, severity: f.severity, message: f.message })),
    },
    is_truncated: false,
  };
}
