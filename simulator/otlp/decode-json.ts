import { camelKey, decodeAttributes, twice, unknown } from './decode-json-values.ts';
import { Reject, rejected, WarningSink, type OtlpDecodeResult } from './decode-support.ts';
import { checkHexId } from './ids.ts';
import { asArray, asEnum, asInt64, asObject, asString, asUint32, exactReviver, NEED_EXACT, type JsonCtx } from './json-scalars.ts';
import type { OtlpEvent, OtlpLink, OtlpResourceSpans, OtlpScope, OtlpScopeSpans, OtlpSpan, OtlpStatus } from './model.ts';

const EMPTY_SCOPE: OtlpScope = { name: '', version: '', attributes: [], droppedAttributesCount: 0 };
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

function decodeSpan(v: unknown, path: string, ctx: JsonCtx): OtlpSpan {
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

function decodeScope(v: unknown, path: string, ctx: JsonCtx): OtlpScope {
  const o = asObject(v, path);
  if (o === undefined) return EMPTY_SCOPE;
  let name = '';
  let version = '';
  let attributes: OtlpScope['attributes'] = [];
  let dropped: number | undefined;
  for (const rawKey in o) {
    const raw = o[rawKey];
    const key = camelKey(ctx, rawKey, path);
    switch (key) {
      case 'name':
        name = asString(raw, `${path}.name`);
        break;
      case 'version':
        version = asString(raw, `${path}.version`);
        break;
      case 'attributes':
        attributes = decodeAttributes(raw, `${path}.attributes`, ctx);
        break;
      case 'droppedAttributesCount':
        if (dropped !== undefined) throw twice(path, key);
        dropped = asUint32(raw, `${path}.${key}`);
        break;
      default:
        unknown(ctx, 'InstrumentationScope', rawKey, path);
    }
  }
  return { name, version, attributes, droppedAttributesCount: dropped ?? 0 };
}

function decodeScopeSpans(v: unknown, path: string, ctx: JsonCtx): OtlpScopeSpans {
  const o = asObject(v, path) ?? {};
  let scope = EMPTY_SCOPE;
  let spans: OtlpSpan[] = [];
  let schemaUrl: string | undefined;
  for (const rawKey in o) {
    const raw = o[rawKey];
    const key = camelKey(ctx, rawKey, path);
    switch (key) {
      case 'scope':
        scope = decodeScope(raw, `${path}.scope`, ctx);
        break;
      case 'spans': {
        const items = asArray(raw, `${path}.spans`);
        spans = new Array<OtlpSpan>(items.length);
        for (let i = 0; i < items.length; i++) spans[i] = decodeSpan(items[i], `${path}.spans[${i}]`, ctx);
        break;
      }
      case 'schemaUrl':
        if (schemaUrl !== undefined) throw twice(path, key);
        schemaUrl = asString(raw, `${path}.${key}`);
        break;
      default:
        unknown(ctx, 'ScopeSpans', rawKey, path);
    }
  }
  return { scope, spans, schemaUrl: schemaUrl ?? '' };
}

function decodeResourceSpans(v: unknown, path: string, ctx: JsonCtx): OtlpResourceSpans {
  const o = asObject(v, path) ?? {};
  let attributes: OtlpResourceSpans['resource']['attributes'] = [];
  let dropped: number | undefined;
  let scopeSpans: OtlpScopeSpans[] | undefined;
  let schemaUrl: string | undefined;
  for (const rawKey in o) {
    const raw = o[rawKey];
    const key = camelKey(ctx, rawKey, path);
    switch (key) {
      case 'resource': {
        const r = asObject(raw, `${path}.resource`) ?? {};
        for (const rawRk in r) {
          const rk = camelKey(ctx, rawRk, `${path}.resource`);
          if (rk === 'attributes') attributes = decodeAttributes(r[rawRk], `${path}.resource.attributes`, ctx);
          else if (rk === 'droppedAttributesCount') {
            if (dropped !== undefined) throw twice(`${path}.resource`, rawRk);
            dropped = asUint32(r[rawRk], `${path}.resource.${rawRk}`);
          } else if (rk === 'entityRefs') {
            // Development field (entity references): valid OTLP that Coval does not use.
            asArray(r[rawRk], `${path}.resource.${rawRk}`);
          } else unknown(ctx, 'Resource', rawRk, `${path}.resource`);
        }
        break;
      }
      case 'scopeSpans': {
        if (scopeSpans !== undefined) throw twice(path, key);
        const items = asArray(raw, `${path}.${key}`);
        scopeSpans = new Array<OtlpScopeSpans>(items.length);
        for (let i = 0; i < items.length; i++) scopeSpans[i] = decodeScopeSpans(items[i], `${path}.scopeSpans[${i}]`, ctx);
        break;
      }
      case 'schemaUrl':
        if (schemaUrl !== undefined) throw twice(path, key);
        schemaUrl = asString(raw, `${path}.${key}`);
        break;
      default:
        unknown(ctx, 'ResourceSpans', rawKey, path);
    }
  }
  return { resource: { attributes, droppedAttributesCount: dropped ?? 0 }, scopeSpans: scopeSpans ?? [], schemaUrl: schemaUrl ?? '' };
}

function decodeRoot(root: unknown, exact: boolean): OtlpDecodeResult {
  const ctx: JsonCtx = { warnings: new WarningSink(), exact };
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new Reject('OTLP-DECODE', `the JSON body must be an ExportTraceServiceRequest object (actual: ${root === null ? 'null' : Array.isArray(root) ? 'array' : typeof root})`);
  }
  const o = root as Record<string, unknown>;
  let resourceSpans: OtlpResourceSpans[] | undefined;
  for (const rawKey in o) {
    if (camelKey(ctx, rawKey, '$') === 'resourceSpans') {
      if (resourceSpans !== undefined) throw twice('$', rawKey);
      const items = asArray(o[rawKey], rawKey);
      resourceSpans = new Array<OtlpResourceSpans>(items.length);
      for (let i = 0; i < items.length; i++) resourceSpans[i] = decodeResourceSpans(items[i], `resourceSpans[${i}]`, ctx);
    } else unknown(ctx, 'ExportTraceServiceRequest', rawKey, '$');
  }
  return { ok: true, request: { resourceSpans: resourceSpans ?? [] }, findings: ctx.warnings.findings() };
}

/**
 * Decodes an OTLP/JSON ExportTraceServiceRequest strictly (otlp-coval.md §2, §2.4) into the
 * normalised model. Bad input gives `{ok: false}` with a rule id; accepted oddities (snake_case
 * keys, unknown keys, unsafe JSON numbers) come back as warning findings.
 */
export function decodeOtlpJson(text: string): OtlpDecodeResult {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    return { ok: false, rule: 'OTLP-DECODE', reason: `body is not valid JSON: ${(err as Error).message}` };
  }
  try {
    try {
      return decodeRoot(root, false);
    } catch (err) {
      if (err !== NEED_EXACT) throw err;
    }
    // An int64 came as a JSON number beyond 2^53: parse again keeping the exact digits.
    const exactRoot: unknown = JSON.parse(text, exactReviver as (this: unknown, key: string, value: unknown) => unknown);
    return decodeRoot(exactRoot, true);
  } catch (err) {
    if (err instanceof Reject) return rejected(err);
    if (err instanceof RangeError) return { ok: false, rule: 'OTLP-DECODE', reason: `body nests too deeply to decode: ${err.message}` };
    throw err;
  }
}
