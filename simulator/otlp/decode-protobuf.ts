import { assertUniqueKeys, MAX_ANYVALUE_DEPTH, Reject, rejected, WarningSink, type OtlpDecodeResult } from './decode-support.ts';
import { checkIdBytes } from './ids.ts';
import type { OtlpAnyValue, OtlpEvent, OtlpKeyValue, OtlpLink, OtlpResourceSpans, OtlpScope, OtlpScopeSpans, OtlpSpan, OtlpStatus } from './model.ts';
import { otlpProtoTypes } from './otlp-descriptor.ts';

/** What protobufjs hands back for 64-bit fields (a `Long`, or a number without the long package). */
type Int64Like = number | { low: number; high: number; unsigned?: boolean };

// protobufjs decodes into message objects whose unset scalars read as defaults from the prototype.
interface PbAnyValue {
  value?: string;
  stringValue?: string;
  boolValue?: boolean;
  intValue?: Int64Like;
  doubleValue?: number;
  arrayValue?: { values?: PbAnyValue[] };
  kvlistValue?: { values?: PbKeyValue[] };
  bytesValue?: Uint8Array;
}
interface PbKeyValue {
  key?: string;
  value?: PbAnyValue | null;
  keyStrindex?: number;
}
interface PbEvent {
  timeUnixNano?: Int64Like;
  name?: string;
  attributes?: PbKeyValue[];
  droppedAttributesCount?: number;
}
interface PbLink {
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  traceState?: string;
  attributes?: PbKeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
}
interface PbSpan extends PbLink {
  parentSpanId?: Uint8Array;
  name?: string;
  kind?: number;
  startTimeUnixNano?: Int64Like;
  endTimeUnixNano?: Int64Like;
  events?: PbEvent[];
  droppedEventsCount?: number;
  links?: PbLink[];
  droppedLinksCount?: number;
  status?: { code?: number; message?: string } | null;
}
interface PbScopeSpans {
  scope?: { name?: string; version?: string; attributes?: PbKeyValue[]; droppedAttributesCount?: number } | null;
  spans?: PbSpan[];
  schemaUrl?: string;
}
interface PbResourceSpans {
  resource?: { attributes?: PbKeyValue[]; droppedAttributesCount?: number } | null;
  scopeSpans?: PbScopeSpans[];
  schemaUrl?: string;
}

interface PbCtx {
  readonly warnings: WarningSink;
}

function u64(v: Int64Like | undefined): bigint {
  if (v === undefined) return 0n;
  if (typeof v === 'number') return BigInt(v);
  return (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
}

function i64(v: Int64Like | undefined): bigint {
  return BigInt.asIntN(64, u64(v));
}

function id(v: Uint8Array | undefined, bytes: number, path: string): string {
  const r = checkIdBytes(v ?? new Uint8Array(0), bytes, path);
  if (!r.ok) throw new Reject(r.rule, r.reason, path);
  return r.hex;
}

function anyValue(v: PbAnyValue | null | undefined, path: string, ctx: PbCtx, depth: number): OtlpAnyValue {
  if (!v) return { type: 'empty' };
  if (depth > MAX_ANYVALUE_DEPTH) throw new Reject('OTLP-DECODE', `${path} nests arrays/kvlists deeper than ${MAX_ANYVALUE_DEPTH} levels`, path);
  switch (v.value) {
    case 'stringValue':
      return { type: 'string', value: v.stringValue ?? '' };
    case 'boolValue':
      return { type: 'bool', value: v.boolValue === true };
    case 'intValue':
      return { type: 'int', value: i64(v.intValue) };
    case 'doubleValue':
      return { type: 'double', value: v.doubleValue ?? 0 };
    case 'bytesValue':
      return { type: 'bytes', value: Buffer.from(v.bytesValue ?? new Uint8Array(0)).toString('base64') };
    case 'arrayValue': {
      const items = v.arrayValue?.values ?? [];
      const values = new Array<OtlpAnyValue>(items.length);
      for (let i = 0; i < items.length; i++) values[i] = anyValue(items[i], `${path}.arrayValue.values[${i}]`, ctx, depth + 1);
      return { type: 'array', values };
    }
    case 'kvlistValue': {
      const values = keyValues(v.kvlistValue?.values, `${path}.kvlistValue.values`, ctx, depth + 1);
      assertUniqueKeys(values, `${path}.kvlistValue`);
      return { type: 'kvlist', values };
    }
    case 'stringValueStrindex':
      ctx.warnings.add('OTLP-STRINDEX', 'stringValueStrindex', `'stringValueStrindex' at ${path} is a profiles-only string-table field; it was ignored`, { path });
      return { type: 'empty' };
    default:
      return { type: 'empty' };
  }
}

function keyValues(list: PbKeyValue[] | undefined, path: string, ctx: PbCtx, depth: number): OtlpKeyValue[] {
  if (!list || list.length === 0) return [];
  const out = new Array<OtlpKeyValue>(list.length);
  for (let i = 0; i < list.length; i++) {
    const kv = list[i] as PbKeyValue;
    if (kv.keyStrindex) {
      ctx.warnings.add('OTLP-STRINDEX', 'keyStrindex', `'keyStrindex' at ${path}[${i}] is a profiles-only string-table field; it was ignored`, { path: `${path}[${i}]` });
    }
    out[i] = { key: kv.key ?? '', value: anyValue(kv.value, `${path}[${i}].value`, ctx, depth) };
  }
  return out;
}

function attributes(list: PbKeyValue[] | undefined, path: string, ctx: PbCtx): OtlpKeyValue[] {
  const out = keyValues(list, path, ctx, 0);
  assertUniqueKeys(out, path);
  return out;
}

function status(s: PbSpan['status']): OtlpStatus {
  return s ? { code: s.code ?? 0, message: s.message ?? '' } : { code: 0, message: '' };
}

function event(e: PbEvent, path: string, ctx: PbCtx): OtlpEvent {
  return {
    timeUnixNano: u64(e.timeUnixNano),
    name: e.name ?? '',
    attributes: attributes(e.attributes, `${path}.attributes`, ctx),
    droppedAttributesCount: e.droppedAttributesCount ?? 0,
  };
}

function link(l: PbLink, path: string, ctx: PbCtx): OtlpLink {
  return {
    traceId: id(l.traceId, 16, `${path}.traceId`),
    spanId: id(l.spanId, 8, `${path}.spanId`),
    traceState: l.traceState ?? '',
    attributes: attributes(l.attributes, `${path}.attributes`, ctx),
    droppedAttributesCount: l.droppedAttributesCount ?? 0,
    flags: l.flags ?? 0,
  };
}

function span(s: PbSpan, path: string, ctx: PbCtx): OtlpSpan {
  const events = s.events ?? [];
  const links = s.links ?? [];
  return {
    traceId: id(s.traceId, 16, `${path}.traceId`),
    spanId: id(s.spanId, 8, `${path}.spanId`),
    traceState: s.traceState ?? '',
    parentSpanId: s.parentSpanId && s.parentSpanId.length > 0 ? id(s.parentSpanId, 8, `${path}.parentSpanId`) : '',
    flags: s.flags ?? 0,
    name: s.name ?? '',
    kind: s.kind ?? 0,
    startTimeUnixNano: u64(s.startTimeUnixNano),
    endTimeUnixNano: u64(s.endTimeUnixNano),
    attributes: attributes(s.attributes, `${path}.attributes`, ctx),
    droppedAttributesCount: s.droppedAttributesCount ?? 0,
    events: events.map((e, i) => event(e, `${path}.events[${i}]`, ctx)),
    droppedEventsCount: s.droppedEventsCount ?? 0,
    links: links.map((l, i) => link(l, `${path}.links[${i}]`, ctx)),
    droppedLinksCount: s.droppedLinksCount ?? 0,
    status: status(s.status),
  };
}

function scopeSpans(ss: PbScopeSpans, path: string, ctx: PbCtx): OtlpScopeSpans {
  const sc = ss.scope;
  const scope: OtlpScope = sc
    ? { name: sc.name ?? '', version: sc.version ?? '', attributes: attributes(sc.attributes, `${path}.scope.attributes`, ctx), droppedAttributesCount: sc.droppedAttributesCount ?? 0 }
    : { name: '', version: '', attributes: [], droppedAttributesCount: 0 };
  const spans = ss.spans ?? [];
  const out = new Array<OtlpSpan>(spans.length);
  for (let i = 0; i < spans.length; i++) out[i] = span(spans[i] as PbSpan, `${path}.spans[${i}]`, ctx);
  return { scope, spans: out, schemaUrl: ss.schemaUrl ?? '' };
}

function resourceSpans(rs: PbResourceSpans, path: string, ctx: PbCtx): OtlpResourceSpans {
  const r = rs.resource;
  return {
    resource: { attributes: attributes(r?.attributes, `${path}.resource.attributes`, ctx), droppedAttributesCount: r?.droppedAttributesCount ?? 0 },
    scopeSpans: (rs.scopeSpans ?? []).map((ss, i) => scopeSpans(ss, `${path}.scopeSpans[${i}]`, ctx)),
    schemaUrl: rs.schemaUrl ?? '',
  };
}

/**
 * Decodes a binary OTLP ExportTraceServiceRequest with protobufjs and the hand-written descriptor,
 * into the same normalised model as {@link decodeOtlpJson}. Undecodable bytes (truncated, JSON sent
 * as protobuf) and invalid ids give `{ok: false}`; an empty body is an empty request.
 */
export function decodeOtlpProtobuf(bytes: Uint8Array): OtlpDecodeResult {
  let message: { resourceSpans?: PbResourceSpans[] };
  try {
    message = otlpProtoTypes().ExportTraceServiceRequest.decode(bytes) as unknown as { resourceSpans?: PbResourceSpans[] };
  } catch (err) {
    return { ok: false, rule: 'OTLP-DECODE', reason: `body is not a protobuf ExportTraceServiceRequest: ${(err as Error).message}` };
  }
  const ctx: PbCtx = { warnings: new WarningSink() };
  try {
    const list = message.resourceSpans ?? [];
    const out = list.map((rs, i) => resourceSpans(rs, `resourceSpans[${i}]`, ctx));
    return { ok: true, request: { resourceSpans: out }, findings: ctx.warnings.findings() };
  } catch (err) {
    if (err instanceof Reject) return rejected(err);
    if (err instanceof RangeError) return { ok: false, rule: 'OTLP-DECODE', reason: `body nests too deeply to decode: ${err.message}` };
    throw err;
  }
}
