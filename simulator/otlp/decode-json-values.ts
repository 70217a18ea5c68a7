import { assertUniqueKeys, MAX_ANYVALUE_DEPTH, Reject } from './decode-support.ts';
import { asArray, asBase64, asBool, asDouble, asInt64, asObject, asString, type JsonCtx } from './json-scalars.ts';
import type { OtlpAnyValue, OtlpKeyValue } from './model.ts';

const EMPTY: OtlpAnyValue = { type: 'empty' };

/** Reports a snake_case alias (accepted, but not valid OTLP/JSON: otlp-coval §2 item 1). */
export function snake(ctx: JsonCtx, key: string, path: string): void {
  ctx.warnings.add('OTLP-JSON-SNAKE-CASE', key, `snake_case key '${key}' at ${path}; OTLP/JSON keys are lowerCamelCase (strict receivers ignore it and lose the data)`, { path });
}

/** snake_case spellings of every OTLP trace field, mapped to the lowerCamelCase key. */
const SNAKE_TO_CAMEL: ReadonlyMap<string, string> = new Map(
  [
    'resource_spans', 'scope_spans', 'schema_url', 'dropped_attributes_count', 'entity_refs', 'trace_id', 'span_id',
    'trace_state', 'parent_span_id', 'start_time_unix_nano', 'end_time_unix_nano', 'dropped_events_count',
    'dropped_links_count', 'time_unix_nano', 'string_value', 'bool_value', 'int_value', 'double_value', 'array_value',
    'kvlist_value', 'bytes_value', 'string_value_strindex', 'key_strindex',
  ].map((s) => [s, s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())]),
);

/**
 * The lowerCamelCase key for `key`, reporting snake_case spellings (accepted like the Collector and
 * Coval do, but flagged). Only keys containing '_' pay for the map lookup.
 */
export function camelKey(ctx: JsonCtx, key: string, path: string): string {
  if (key.indexOf('_') < 0) return key;
  const camel = SNAKE_TO_CAMEL.get(key);
  if (camel === undefined) return key;
  snake(ctx, key, path);
  return camel;
}

/** Reports an unknown key (ignored as otlp-coval §2 item 7 requires). */
export function unknown(ctx: JsonCtx, message: string, key: string, path: string): void {
  ctx.warnings.add('OTLP-JSON-UNKNOWN-KEY', `${message}.${key}`, `unknown key '${key}' in ${message} at ${path} was ignored`, { path });
}

/** Rejects a field given twice (camelCase and snake_case spellings of one field). */
export function twice(path: string, key: string): Reject {
  return new Reject('OTLP-JSON-DUPLICATE-FIELD', `${path} sets field '${key}' twice (camelCase and snake_case spellings)`, path);
}

function strindex(ctx: JsonCtx, key: string, path: string): void {
  ctx.warnings.add('OTLP-STRINDEX', key, `'${key}' at ${path} is a profiles-only string-table field; it was ignored`, { path });
}

/** Decodes an AnyValue; at most one variant may be set (otlp-coval §2 item 9). */
export function decodeAnyValue(v: unknown, path: string, ctx: JsonCtx, depth: number): OtlpAnyValue {
  const o = asObject(v, path);
  if (o === undefined) return EMPTY;
  if (depth > MAX_ANYVALUE_DEPTH) throw new Reject('OTLP-DECODE', `${path} nests arrays/kvlists deeper than ${MAX_ANYVALUE_DEPTH} levels`, path);
  let out: OtlpAnyValue = EMPTY;
  let first: string | undefined;
  for (const rawKey in o) {
    const raw = o[rawKey];
    if (raw === null || raw === undefined) continue;
    const key = camelKey(ctx, rawKey, path);
    let next: OtlpAnyValue | undefined;
    switch (key) {
      case 'stringValue':
        next = { type: 'string', value: asString(raw, `${path}.${key}`) };
        break;
      case 'boolValue':
        next = { type: 'bool', value: asBool(raw, `${path}.${key}`) };
        break;
      case 'intValue':
        next = { type: 'int', value: asInt64(raw, `${path}.${key}`, ctx, true) };
        break;
      case 'doubleValue':
        next = { type: 'double', value: asDouble(raw, `${path}.${key}`) };
        break;
      case 'bytesValue':
        next = { type: 'bytes', value: asBase64(raw, `${path}.${key}`) };
        break;
      case 'arrayValue':
        next = { type: 'array', values: decodeArrayValue(raw, `${path}.${key}`, ctx, depth + 1) };
        break;
      case 'kvlistValue': {
        const values = decodeKeyValueList(raw, `${path}.${key}`, ctx, depth + 1);
        assertUniqueKeys(values, `${path}.${key}`);
        next = { type: 'kvlist', values };
        break;
      }
      case 'stringValueStrindex':
        strindex(ctx, key, path);
        break;
      default:
        unknown(ctx, 'AnyValue', rawKey, path);
        continue;
    }
    if (first !== undefined) {
      throw new Reject('OTLP-ANYVALUE-ONEOF', `${path} sets more than one AnyValue variant ('${first}' and '${key}')`, path);
    }
    first = key;
    if (next !== undefined) out = next;
  }
  return out;
}

function decodeArrayValue(v: unknown, path: string, ctx: JsonCtx, depth: number): OtlpAnyValue[] {
  const o = asObject(v, path);
  if (o === undefined) return [];
  let values: OtlpAnyValue[] = [];
  for (const key in o) {
    if (key === 'values') {
      const items = asArray(o[key], `${path}.values`);
      values = new Array<OtlpAnyValue>(items.length);
      for (let i = 0; i < items.length; i++) values[i] = decodeAnyValue(items[i], `${path}.values[${i}]`, ctx, depth);
    } else unknown(ctx, 'ArrayValue', key, path);
  }
  return values;
}

function decodeKeyValueList(v: unknown, path: string, ctx: JsonCtx, depth: number): OtlpKeyValue[] {
  const o = asObject(v, path);
  if (o === undefined) return [];
  let values: OtlpKeyValue[] = [];
  for (const key in o) {
    if (key === 'values') values = decodeKeyValues(o[key], `${path}.values`, ctx, depth);
    else unknown(ctx, 'KeyValueList', key, path);
  }
  return values;
}

/** Decodes a repeated KeyValue (the caller checks key uniqueness where the spec demands it). */
export function decodeKeyValues(v: unknown, path: string, ctx: JsonCtx, depth: number): OtlpKeyValue[] {
  const items = asArray(v, path);
  const out = new Array<OtlpKeyValue>(items.length);
  for (let i = 0; i < items.length; i++) {
    const itemPath = `${path}[${i}]`;
    const o = asObject(items[i], itemPath);
    let key: string | undefined;
    let value: OtlpAnyValue = EMPTY;
    if (o !== undefined) {
      for (const k in o) {
        switch (camelKey(ctx, k, itemPath)) {
          case 'key':
            key = asString(o[k], `${itemPath}.key`);
            break;
          case 'value':
            value = decodeAnyValue(o[k], `${itemPath}.value`, ctx, depth);
            break;
          case 'keyStrindex':
            if (o[k] !== null && o[k] !== undefined) strindex(ctx, k, itemPath);
            break;
          default:
            unknown(ctx, 'KeyValue', k, itemPath);
        }
      }
    }
    out[i] = { key: key ?? '', value };
  }
  return out;
}

/** Decodes an attribute list and enforces unique keys. */
export function decodeAttributes(v: unknown, path: string, ctx: JsonCtx): OtlpKeyValue[] {
  const list = decodeKeyValues(v, path, ctx, 0);
  assertUniqueKeys(list, path);
  return list;
}
