import { camelKey, decodeAttributes, twice, unknown } from './decode-json-values.ts';
import { Reject } from './decode-support.ts';
import { checkHexId } from './ids.ts';
import { asArray, asEnum, asInt64, asObject, asString, asUint32, type JsonCtx } from './json-scalars.ts';
import type { OtlpEvent, OtlpLink, OtlpSpan, OtlpStatus } from './model.ts';

const UNSET: OtlpStatus = { code: 0, message: '' };

function id(v: unknown, bytes: number, path: string, optional: boolean): string {
  if (v === undefined || v === null || (optional && v === '')) {
    if (optional) return '';
    throw new Reject('OTLP-ID-LENGTH', `${path} is missing; it must be ${bytes * 2} hex characters`, path);
  }
  if (typeof v !== 'string') throw new Reject('OTLP-JSON-TYPE', `${path} must be a hex string`, path);
  const r = checkHexId(v, bytes, path);
  if (!r.ok) throw new Reject(r.rule, r.reason, path);
  return r.hex;
}

function decodeStatus(v: unknown, path: string, ctx: JsonCtx): OtlpStatus {
  const o = asObject(v, path);
  if (o === undefined) return UNSET;
  let code = 0;
  let message = '';
  for (const key in o) {
    if (key === 'code') code = asEnum(o[key], `${path}.code`);
    else if (key === 'message') message = asString(o[key], `${path}.message`);
    else unknown(ctx, 'Status', key, path);
  }
  return { code, message };
}

function decodeEvent(v: unknown, path: string, ctx: JsonCtx): OtlpEvent {
  const o = asObject(v, path) ?? {};
  let time: bigint | undefined;
  let name = '';
  let attributes: OtlpEvent['attributes'] = [];
  let dropped: number | undefined;
  for (const rawKey in o) {
    const raw = o[rawKey];
    const key = camelKey(ctx, rawKey, path);
    switch (key) {
      case 'timeUnixNano':
        if (time !== undefined) throw twice(path, key);
        time = asInt64(raw, `${path}.${key}`, ctx, false);
        break;
      case 'name':
        name = asString(raw, `${path}.name`);
        break;
      case 'attributes':
        attributes = decodeAttributes(raw, `${path}.attributes`, ctx);
        break;
      case 'droppedAttributesCount':
        if (dropped !== undefined) throw twice(path, key);
        dropped = asUint32(raw, `${path}.${key}`);
        break;
      default:
        unknown(ctx, 'Event', rawKey, path);
    }
  }
  return { timeUnixNano: time ?? 0n, name, attributes, droppedAttributesCount: dropped ?? 0 };
}

function decodeLink(v: unknown, path: string, ctx: JsonCtx): OtlpLink {
  const o = asObject(v, path) ?? {};
  let traceId: unknown;
  let spanId: unknown;
  let traceState: string | undefined;
  let attributes: OtlpLink['attributes'] = [];
  let dropped: number | undefined;
  let flags = 0;
  for (const rawKey in o) {
    const raw = o[rawKey];
    const key = camelKey(ctx, rawKey, path);
    switch (key) {
      case 'traceId':
        if (traceId !== undefined) throw twice(path, key);
        traceId = raw ?? '';
        break;
      case 'spanId':
        if (spanId !== undefined) throw twice(path, key);
        spanId = raw ?? '';
        break;
      case 'traceState':
        if (traceState !== undefined) throw twice(path, key);
        traceState = asString(raw, `${path}.${key}`);
        break;
      case 'attributes':
        attributes = decodeAttributes(raw, `${path}.attributes`, ctx);
        break;
      case 'droppedAttributesCount':
        if (dropped !== undefined) throw twice(path, key);
        dropped = asUint32(raw, `${path}.${key}`);
        break;
      case 'flags':
        flags = asUint32(raw, `${path}.flags`);
        break;
      default:
        unknown(ctx, 'Link', rawKey, path);
    }
  }
  return {
    traceId: id(traceId, 16, `${path}.traceId`, false),
    spanId: id(spanId, 8, `${path}.spanId`, false),
    traceState: traceState ?? '',
    attributes,
    droppedAttributesCount: dropped ?? 0,
    flags,
  };
}

/** Decodes one OTLP/JSON span (ids checked, int64 exact, snake_case spellings accepted with a warning). */
export function decodeSpan(v: unknown, path: string, ctx: JsonCtx): OtlpSpan {
  const o = asObject(v, path) ?? {};
  let traceId: unknown;
  let spanId: unknown;
  let parent: unknown;
  let traceState: string | undefined;
  let flags = 0;
  let name = '';
  let kind = 0;
  let start: bigint | undefined;
  let end: bigint | undefined;
  let attributes: OtlpSpan['attributes'] = [];
  let droppedAttributes: number | undefined;
  let events: OtlpEvent[] = [];
  let droppedEvents: number | undefined;
  let links: OtlpLink[] = [];
  let droppedLinks: number | undefined;
  let status = UNSET;
  for (const rawKey in o) {
    const raw = o[rawKey];
    const key = camelKey(ctx, rawKey, path);
    switch (key) {
      case 'traceId':
        if (traceId !== undefined) throw twice(path, key);
        traceId = raw ?? '';
        break;
      case 'spanId':
        if (spanId !== undefined) throw twice(path, key);
        spanId = raw ?? '';
        break;
      case 'parentSpanId':
        if (parent !== undefined) throw twice(path, key);
        parent = raw ?? '';
        break;
      case 'traceState':
        if (traceState !== undefined) throw twice(path, key);
        traceState = asString(raw, `${path}.${key}`);
        break;
      case 'flags':
        flags = asUint32(raw, `${path}.flags`);
        break;
      case 'name':
        name = asString(raw, `${path}.name`);
        break;
      case 'kind':
        kind = asEnum(raw, `${path}.kind`);
        break;
      case 'startTimeUnixNano':
        if (start !== undefined) throw twice(path, key);
        start = asInt64(raw, `${path}.${key}`, ctx, false);
        break;
      case 'endTimeUnixNano':
        if (end !== undefined) throw twice(path, key);
        end = asInt64(raw, `${path}.${key}`, ctx, false);
        break;
      case 'attributes':
        attributes = decodeAttributes(raw, `${path}.attributes`, ctx);
        break;
      case 'droppedAttributesCount':
        if (droppedAttributes !== undefined) throw twice(path, key);
        droppedAttributes = asUint32(raw, `${path}.${key}`);
        break;
      case 'events': {
        const items = asArray(raw, `${path}.events`);
        events = new Array<OtlpEvent>(items.length);
        for (let i = 0; i < items.length; i++) events[i] = decodeEvent(items[i], `${path}.events[${i}]`, ctx);
        break;
      }
      case 'droppedEventsCount':
        if (droppedEvents !== undefined) throw twice(path, key);
        droppedEvents = asUint32(raw, `${path}.${key}`);
        break;
      case 'links': {
        const items = asArray(raw, `${path}.links`);
        links = new Array<OtlpLink>(items.length);
        for (let i = 0; i < items.length; i++) links[i] = decodeLink(items[i], `${path}.links[${i}]`, ctx);
        break;
      }
      case 'droppedLinksCount':
        if (droppedLinks !== undefined) throw twice(path, key);
        droppedLinks = asUint32(raw, `${path}.${key}`);
        break;
      case 'status':
        status = decodeStatus(raw, `${path}.status`, ctx);
        break;
      default:
        unknown(ctx, 'Span', rawKey, path);
    }
  }
  return {
    traceId: id(traceId, 16, `${path}.traceId`, false),
    spanId: id(spanId, 8, `${path}.spanId`, false),
    traceState: traceState ?? '',
    parentSpanId: id(parent, 8, `${path}.parentSpanId`, true),
    flags,
    name,
    kind,
    startTimeUnixNano: start ?? 0n,
    endTimeUnixNano: end ?? 0n,
    attributes,
    droppedAttributesCount: droppedAttributes ?? 0,
    events,
    droppedEventsCount: droppedEvents ?? 0,
    links,
    droppedLinksCount: droppedLinks ?? 0,
    status,
  };
}
