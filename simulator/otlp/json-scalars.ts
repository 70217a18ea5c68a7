import { Reject, type WarningSink } from './decode-support.ts';

/**
 * An integral JSON number too large for a double to hold exactly, kept with its source text
 * (Node 24's JSON.parse reviver exposes it as `context.source`), so int64 fields stay exact.
 */
export class ExactNumber {
  readonly value: number;
  readonly source: string;
  constructor(value: number, source: string) {
    this.value = value;
    this.source = source;
  }
}

/** Thrown by the fast path when an int64 arrives as an unsafe JSON number: re-parse exactly. */
export const NEED_EXACT: unique symbol = Symbol('need-exact-json');

/** Parse state shared by the JSON decoder's helpers. */
export interface JsonCtx {
  readonly warnings: WarningSink;
  /** True on the second pass, where unsafe integers arrive as {@link ExactNumber}. */
  readonly exact: boolean;
}

/** JSON.parse reviver that wraps unsafe integral numbers with their exact source digits. */
export function exactReviver(this: unknown, _key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    const source = context?.source;
    return new ExactNumber(value, typeof source === 'string' ? source : String(value));
  }
  return value;
}

/** The JSON type name of a parsed value, for messages. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof ExactNumber) return 'number';
  return typeof v;
}

function typeError(path: string, want: string, v: unknown): Reject {
  return new Reject('OTLP-JSON-TYPE', `${path} must be ${want} (actual: ${jsonType(v)})`, path);
}

/** A JSON object, or undefined for absent/null. */
export function asObject(v: unknown, path: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v) || v instanceof ExactNumber) throw typeError(path, 'an object', v);
  return v as Record<string, unknown>;
}

/** A JSON array, or empty for absent/null. */
export function asArray(v: unknown, path: string): readonly unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw typeError(path, 'an array', v);
  return v;
}

/** A string, or '' for absent/null. */
export function asString(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw typeError(path, 'a string', v);
  return v;
}

/** A boolean, or false for absent/null. */
export function asBool(v: unknown, path: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw typeError(path, 'a boolean', v);
  return v;
}

function isDigits(s: string, from: number): boolean {
  if (s.length <= from) return false;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A uint32 / fixed32 (JSON number, or a decimal string as proto3 allows), 0 for absent. */
export function asUint32(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && isDigits(v, 0)) n = Number(v);
  else if (v instanceof ExactNumber) n = v.value;
  else throw typeError(path, 'a non-negative integer', v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new Reject('OTLP-JSON-TYPE', `${path} must be an integer in [0, 4294967295] (actual: ${String(n)})`, path);
  }
  return n;
}

/** An enum (kind, status.code): an integer; names are rejected as otlp-coval §2 item 3 demands. */
export function asEnum(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string') {
    throw new Reject('OTLP-JSON-ENUM-NAME', `${path} is the string '${v}'; OTLP/JSON enums MUST be integers (e.g. "kind": 1)`, path);
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
    throw typeError(path, 'an int32 enum value', v);
  }
  return v;
}

/** A double: a JSON number or "NaN" / "Infinity" / "-Infinity"; 0 for absent. */
export function asDouble(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (v instanceof ExactNumber) return v.value;
  if (v === 'NaN') return Number.NaN;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  throw typeError(path, 'a number (or "NaN", "Infinity", "-Infinity")', v);
}

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/** Exact integer value of a JSON number's source text (`1760000000000000000`, `1.76e18`). */
function integerFromSource(source: string, path: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(source);
  if (!m) throw new Reject('OTLP-JSON-INT64', `${path} has an unreadable number '${source}'`, path);
  const frac = m[3] ?? '';
  let digits = (m[2] ?? '') + frac;
  let exp = Number(m[4] ?? '0') - frac.length;
  while (exp < 0 && digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    exp++;
  }
  if (exp < 0) throw new Reject('OTLP-JSON-INT64', `${path} must be an integer (actual: ${source})`, path);
  if (exp > 40) throw new Reject('OTLP-JSON-INT64', `${path} is out of the 64-bit range (actual: ${source})`, path);
  const abs = BigInt(digits === '' ? '0' : digits) * 10n ** BigInt(exp);
  return m[1] === '-' ? -abs : abs;
}

/**
 * A 64-bit integer: canonically a decimal string, also a JSON number. Unsafe numbers force the
 * exact second pass (fast path) or are read from their source digits (exact pass), with a warning.
 */
export function asInt64(v: unknown, path: string, ctx: JsonCtx, signed: boolean): bigint {
  if (v === undefined || v === null) return 0n;
  let out: bigint;
  if (typeof v === 'string') {
    const neg = v.charCodeAt(0) === 45;
    if (!isDigits(v, neg ? 1 : 0) || v.length > 32) {
      throw new Reject('OTLP-JSON-INT64', `${path} must be a decimal integer string (actual: '${v.length > 40 ? `${v.slice(0, 40)}…` : v}')`, path);
    }
    out = BigInt(v);
  } else if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) out = BigInt(v);
    else if (Number.isInteger(v) && !ctx.exact) throw NEED_EXACT;
    else throw new Reject('OTLP-JSON-INT64', `${path} must be an integer (actual: ${String(v)})`, path);
  } else if (v instanceof ExactNumber) {
    out = integerFromSource(v.source, path);
    ctx.warnings.add('OTLP-JSON-INT64-UNSAFE', path.replace(/\[\d+\]/g, '[]'), `${path} is the JSON number ${v.source}, beyond 2^53: most JSON parsers lose precision; send 64-bit integers as decimal strings`, { path });
  } else {
    throw new Reject('OTLP-JSON-INT64', `${path} must be a decimal integer string or a JSON integer (actual: ${jsonType(v)})`, path);
  }
  if (signed ? out < I64_MIN || out > I64_MAX : out < 0n || out > U64_MAX) {
    throw new Reject('OTLP-JSON-INT64', `${path} is outside the ${signed ? 'int64' : 'unsigned 64-bit'} range (actual: ${out})`, path);
  }
  return out;
}

function isBase64Char(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 45 || c === 95;
}

/** Standard padded base64 of a bytesValue given in standard or URL-safe base64, padded or not. */
export function asBase64(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw typeError(path, 'a base64 string', v);
  let end = v.length;
  while (end > 0 && v.charCodeAt(end - 1) === 61) end--;
  const bad = v.length - end > 2 || end % 4 === 1;
  let ok = !bad;
  for (let i = 0; ok && i < end; i++) if (!isBase64Char(v.charCodeAt(i))) ok = false;
  if (ok && v.length !== end && v.length % 4 !== 0) ok = false;
  if (!ok) throw new Reject('OTLP-JSON-BASE64', `${path} is not valid base64 (actual: '${v.length > 40 ? `${v.slice(0, 40)}…` : v}')`, path);
  return Buffer.from(v.slice(0, end), 'base64').toString('base64');
}
