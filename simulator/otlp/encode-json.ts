import type { OtlpAnyValue, OtlpEvent, OtlpKeyValue, OtlpLink, OtlpRequest, OtlpSpan } from './model.ts';

/** How {@link encodeOtlpJson} writes the request. */
export interface OtlpJsonEncodeOptions {
  /** 64-bit integers as decimal strings (canonical, default) or as exact JSON numbers. */
  readonly int64?: 'string' | 'number';
  /** lowerCamelCase keys (OTLP/JSON, default) or snake_case (what some emitters send). */
  readonly keys?: 'camel' | 'snake';
  /** Pretty-print with this indent. */
  readonly indent?: number;
}

// JSON.rawJSON (Node 22+) writes number text verbatim, so int64 numbers keep every digit.
const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

type Obj = Record<string, unknown>;

function toSnake(key: string): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key[i] as string;
    out += c >= 'A' && c <= 'Z' ? `_${c.toLowerCase()}` : c;
  }
  return out;
}

class Writer {
  readonly #numbers: boolean;
  readonly #snake: boolean;
  constructor(options: OtlpJsonEncodeOptions) {
    this.#numbers = options.int64 === 'number';
    this.#snake = options.keys === 'snake';
  }

  k(key: string): string {
    return this.#snake ? toSnake(key) : key;
  }

  int64(v: bigint): unknown {
    return this.#numbers ? rawJSON(v.toString()) : v.toString();
  }

  double(v: number): unknown {
    if (Number.isNaN(v)) return 'NaN';
    if (v === Number.POSITIVE_INFINITY) return 'Infinity';
    if (v === Number.NEGATIVE_INFINITY) return '-Infinity';
    if (Object.is(v, -0)) return rawJSON('-0');
    return v;
  }

  anyValue(v: OtlpAnyValue): Obj {
    switch (v.type) {
      case 'empty':
        return {};
      case 'string':
        return { [this.k('stringValue')]: v.value };
      case 'bool':
        return { [this.k('boolValue')]: v.value };
      case 'int':
        return { [this.k('intValue')]: this.int64(v.value) };
      case 'double':
        return { [this.k('doubleValue')]: this.double(v.value) };
      case 'bytes':
        return { [this.k('bytesValue')]: v.value };
      case 'array':
        return { [this.k('arrayValue')]: { values: v.values.map((x) => this.anyValue(x)) } };
      case 'kvlist':
        return { [this.k('kvlistValue')]: { values: this.attrs(v.values) } };
    }
  }

  attrs(list: readonly OtlpKeyValue[]): Obj[] {
    return list.map((kv) => ({ key: kv.key, value: this.anyValue(kv.value) }));
  }

  /** Sets `key` unless `value` is the proto3 default, keeping the output canonical and small. */
  put(o: Obj, key: string, value: unknown, isDefault: boolean): void {
    if (!isDefault) o[this.k(key)] = value;
  }

  event(e: OtlpEvent): Obj {
    const o: Obj = {};
    this.put(o, 'timeUnixNano', this.int64(e.timeUnixNano), e.timeUnixNano === 0n);
    this.put(o, 'name', e.name, e.name === '');
    this.put(o, 'attributes', this.attrs(e.attributes), e.attributes.length === 0);
    this.put(o, 'droppedAttributesCount', e.droppedAttributesCount, e.droppedAttributesCount === 0);
    return o;
  }

  link(l: OtlpLink): Obj {
    const o: Obj = { [this.k('traceId')]: l.traceId, [this.k('spanId')]: l.spanId };
    this.put(o, 'traceState', l.traceState, l.traceState === '');
    this.put(o, 'attributes', this.attrs(l.attributes), l.attributes.length === 0);
    this.put(o, 'droppedAttributesCount', l.droppedAttributesCount, l.droppedAttributesCount === 0);
    this.put(o, 'flags', l.flags, l.flags === 0);
    return o;
  }

  span(s: OtlpSpan): Obj {
    const o: Obj = { [this.k('traceId')]: s.traceId, [this.k('spanId')]: s.spanId };
    this.put(o, 'traceState', s.traceState, s.traceState === '');
    this.put(o, 'parentSpanId', s.parentSpanId, s.parentSpanId === '');
    this.put(o, 'flags', s.flags, s.flags === 0);
    this.put(o, 'name', s.name, s.name === '');
    this.put(o, 'kind', s.kind, s.kind === 0);
    this.put(o, 'startTimeUnixNano', this.int64(s.startTimeUnixNano), s.startTimeUnixNano === 0n);
    this.put(o, 'endTimeUnixNano', this.int64(s.endTimeUnixNano), s.endTimeUnixNano === 0n);
    this.put(o, 'attributes', this.attrs(s.attributes), s.attributes.length === 0);
    this.put(o, 'droppedAttributesCount', s.droppedAttributesCount, s.droppedAttributesCount === 0);
    this.put(o, 'events', s.events.map((e) => this.event(e)), s.events.length === 0);
    this.put(o, 'droppedEventsCount', s.droppedEventsCount, s.droppedEventsCount === 0);
    this.put(o, 'links', s.links.map((l) => this.link(l)), s.links.length === 0);
    this.put(o, 'droppedLinksCount', s.droppedLinksCount, s.droppedLinksCount === 0);
    if (s.status.code !== 0 || s.status.message !== '') {
      const st: Obj = {};
      this.put(st, 'code', s.status.code, s.status.code === 0);
      this.put(st, 'message', s.status.message, s.status.message === '');
      o.status = st;
    }
    return o;
  }

  request(r: OtlpRequest): Obj {
    return {
      [this.k('resourceSpans')]: r.resourceSpans.map((rs) => {
        const o: Obj = {};
        const res: Obj = {};
        this.put(res, 'attributes', this.attrs(rs.resource.attributes), rs.resource.attributes.length === 0);
        this.put(res, 'droppedAttributesCount', rs.resource.droppedAttributesCount, rs.resource.droppedAttributesCount === 0);
        o.resource = res;
        o[this.k('scopeSpans')] = rs.scopeSpans.map((ss) => {
          const so: Obj = {};
          const sc: Obj = {};
          this.put(sc, 'name', ss.scope.name, ss.scope.name === '');
          this.put(sc, 'version', ss.scope.version, ss.scope.version === '');
          this.put(sc, 'attributes', this.attrs(ss.scope.attributes), ss.scope.attributes.length === 0);
          this.put(sc, 'droppedAttributesCount', ss.scope.droppedAttributesCount, ss.scope.droppedAttributesCount === 0);
          so.scope = sc;
          so.spans = ss.spans.map((s) => this.span(s));
          this.put(so, 'schemaUrl', ss.schemaUrl, ss.schemaUrl === '');
          return so;
        });
        this.put(o, 'schemaUrl', rs.schemaUrl, rs.schemaUrl === '');
        return o;
      }),
    };
  }
}

/**
 * Writes a normalised request as OTLP/JSON (canonical by default: camelCase keys, hex ids,
 * 64-bit integers as strings, defaults omitted). Used by tests, fixtures and `relaysim` tooling.
 */
export function encodeOtlpJson(request: OtlpRequest, options: OtlpJsonEncodeOptions = {}): string {
  return JSON.stringify(new Writer(options).request(request), null, options.indent);
}
