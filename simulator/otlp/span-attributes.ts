import type { OtlpAnyValue, OtlpKeyValue, OtlpSpan } from './model.ts';

/** The value of attribute `key` on `span`, if present (linear: spans carry a handful). */
export function attr(span: Pick<OtlpSpan, 'attributes'>, key: string): OtlpAnyValue | undefined {
  const list = span.attributes;
  for (let i = 0; i < list.length; i++) {
    const kv = list[i] as OtlpKeyValue;
    if (kv.key === key) return kv.value;
  }
  return undefined;
}

/** The numeric value of an int or double attribute value, else undefined. */
export function numeric(v: OtlpAnyValue | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v.type === 'double') return v.value;
  if (v.type === 'int') return Number(v.value);
  return undefined;
}

/** The string value of a string attribute value, else undefined. */
export function text(v: OtlpAnyValue | undefined): string | undefined {
  return v?.type === 'string' ? v.value : undefined;
}

/** A short human rendering of a value for messages. */
export function describeValue(v: OtlpAnyValue): string {
  switch (v.type) {
    case 'empty':
      return 'an empty value';
    case 'string':
      return `the string '${v.value.length > 40 ? `${v.value.slice(0, 40)}…` : v.value}'`;
    case 'bool':
      return `the bool ${v.value}`;
    case 'int':
      return `the int ${v.value}`;
    case 'double':
      return `the double ${v.value}`;
    case 'bytes':
      return 'bytes';
    case 'array':
      return 'an array';
    case 'kvlist':
      return 'a kvlist';
  }
}

/** Span duration in seconds (may be negative for a span that ends before it starts). */
export function durationSeconds(span: OtlpSpan): number {
  return Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e9;
}
