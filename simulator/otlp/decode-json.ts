import { camelKey, decodeAttributes, twice, unknown } from './decode-json-values.ts';
import { decodeSpan } from './decode-json-span.ts';
import { Reject, rejected, WarningSink, type OtlpDecodeResult } from './decode-support.ts';
import { asArray, asObject, asString, asUint32, exactReviver, NEED_EXACT, type JsonCtx } from './json-scalars.ts';
import type { OtlpResourceSpans, OtlpScope, OtlpScopeSpans, OtlpSpan } from './model.ts';

const EMPTY_SCOPE: OtlpScope = { name: '', version: '', attributes: [], droppedAttributesCount: 0 };

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
