import { Kind, type TSchema } from '@sinclair/typebox';
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import { schemaHint } from './schema.ts';
import type { PositionTarget } from './yaml-positions.ts';

/** A schema violation phrased for people, still addressed by JSON pointer. */
export interface PointerProblem {
  readonly pointer: string;
  readonly target: PositionTarget;
  readonly message: string;
}

/**
 * Every way `value` violates `schema`, one message per offending value. Unions are resolved to the
 * variant the author evidently meant (the one whose kind matches the value), so a wrong key inside
 * `say: {…}` is reported as that key, not as "no union variant matched".
 */
export function schemaProblems(schema: TSchema, value: unknown): PointerProblem[] {
  const out: PointerProblem[] = [];
  collect(schema, value, '', out);
  const seen = new Set<string>();
  return out.filter((p) => {
    const key = `${p.pointer}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function collect(schema: TSchema, value: unknown, base: string, out: PointerProblem[]): void {
  const errors = [...Value.Errors(schema, value)];
  // TypeBox also type-checks the absent value of a missing required key; one message is enough.
  const missing = new Set(errors.filter((e) => e.type === ValueErrorType.ObjectRequiredProperty).map((e) => e.path));
  for (const error of errors) {
    if (error.type !== ValueErrorType.ObjectRequiredProperty && error.value === undefined && missing.has(error.path)) continue;
    out.push(...describe(error, base));
  }
}

function describe(error: ValueError, base: string): PointerProblem[] {
  const pointer = base + error.path;
  const at = (message: string, target: PositionTarget = 'value'): PointerProblem[] => [{ pointer, target, message }];
  const s = error.schema as TSchema & Record<string, unknown>;
  const hint = schemaHint(error.schema);
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties: {
      const key = lastSegment(error.path);
      if (s[Kind] === 'Record') return at(`key '${key}' is not allowed here: expected ${hint ?? 'a different key'}`, 'key');
      const known = Object.keys((s.properties as Record<string, unknown> | undefined) ?? {});
      const guess = closest(key, known);
      const suggestion = guess === undefined ? '' : ` (did you mean '${guess}'?)`;
      const allowed = known.length === 0 ? 'no keys are allowed here' : `allowed: ${known.join(', ')}`;
      return at(`unknown key '${key}'${suggestion}; ${allowed}`, 'key');
    }
    case ValueErrorType.ObjectRequiredProperty:
      return [{ pointer: parentPointer(pointer), target: 'value', message: `missing required key '${lastSegment(error.path)}'` }];
    case ValueErrorType.ObjectMinProperties:
    case ValueErrorType.ObjectMaxProperties: {
      const keys = isPlainObject(error.value) ? Object.keys(error.value) : [];
      const got = keys.length === 0 ? 'no key' : `${keys.length} keys (${keys.join(', ')})`;
      return at(`expected ${hint ?? 'a different number of keys'}, got ${got}`);
    }
    case ValueErrorType.Union:
      return describeUnion(error, base);
    case ValueErrorType.String:
    case ValueErrorType.Number:
    case ValueErrorType.Integer:
    case ValueErrorType.Boolean:
    case ValueErrorType.Object:
    case ValueErrorType.Array:
    case ValueErrorType.Null:
    case ValueErrorType.Literal: {
      const quote = error.type === ValueErrorType.String && isScalar(error.value) ? ' (put it in quotes)' : '';
      return at(`expected ${expectation(error.schema)}, got ${show(error.value)}${quote}`);
    }
    case ValueErrorType.StringPattern:
      return at(`expected ${hint ?? `a string matching ${String(s.pattern)}`}, got ${show(error.value)}`);
    case ValueErrorType.StringMinLength:
      return at(s.minLength === 1 ? 'must not be empty' : `must be at least ${String(s.minLength)} characters long`);
    case ValueErrorType.StringMaxLength:
      return at(`must be at most ${String(s.maxLength)} characters long`);
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return at(`must be at least ${String(s.minimum)}, got ${show(error.value)}`);
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return at(`must be at most ${String(s.maximum)}, got ${show(error.value)}`);
    case ValueErrorType.NumberExclusiveMinimum:
    case ValueErrorType.IntegerExclusiveMinimum:
      return at(`must be greater than ${String(s.exclusiveMinimum)}, got ${show(error.value)}`);
    case ValueErrorType.ArrayMinItems:
      return at(`needs at least ${String(s.minItems)} item${s.minItems === 1 ? '' : 's'}`);
    case ValueErrorType.ArrayMaxItems:
      return at(`may have at most ${String(s.maxItems)} items`);
    case ValueErrorType.ArrayUniqueItems:
      return at('has duplicate items');
    default:
      return at(`${error.message}, got ${show(error.value)}`);
  }
}

/** Picks the variant the author meant by the value's kind; falls back to listing what fits. */
function describeUnion(error: ValueError, base: string): PointerProblem[] {
  const variants = ((error.schema as { anyOf?: TSchema[] }).anyOf ?? []) as TSchema[];
  const kind = valueKind(error.value);
  const literals = variants.filter((v) => 'const' in v);
  const shaped = variants.filter((v) => !('const' in v) && schemaKinds(v).includes(kind));
  const literalOfKind = literals.some((v) => valueKind(constOf(v)) === kind);
  if (shaped.length > 0 && !literalOfKind) {
    // Among several variants of the right kind, the one with the fewest complaints is the intended one.
    let best: PointerProblem[] | undefined;
    for (const variant of shaped) {
      const problems: PointerProblem[] = [];
      collect(variant, error.value, base + error.path, problems);
      if (best === undefined || problems.length < best.length) best = problems;
    }
    if (best !== undefined && best.length > 0) return best;
  }
  const options = variants.map(expectation);
  const list = options.length <= 1 ? options.join('') : `${options.slice(0, -1).join(', ')} or ${options[options.length - 1]}`;
  return [{ pointer: base + error.path, target: 'value', message: `expected ${list}, got ${show(error.value)}` }];
}

type JsonKind = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object' | 'other';

function valueKind(value: unknown): JsonKind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const t = typeof value;
  if (t === 'string' || t === 'number' || t === 'boolean' || t === 'object') return t;
  return 'other';
}

function schemaKinds(schema: TSchema): JsonKind[] {
  switch (schema[Kind]) {
    case 'String':
      return ['string'];
    case 'Number':
    case 'Integer':
      return ['number'];
    case 'Boolean':
      return ['boolean'];
    case 'Null':
      return ['null'];
    case 'Array':
      return ['array'];
    case 'Object':
    case 'Record':
      return ['object'];
    case 'Union':
      return ((schema as { anyOf?: TSchema[] }).anyOf ?? []).flatMap(schemaKinds);
    case 'Literal':
      return [valueKind((schema as { const?: unknown }).const)];
    default:
      return ['string', 'number', 'boolean', 'null', 'array', 'object'];
  }
}

function expectation(schema: TSchema): string {
  if ('const' in schema) return JSON.stringify(constOf(schema)).replace(/^"(.*)"$/, "'$1'");
  switch (schema[Kind]) {
    case 'String':
      return 'a string';
    case 'Number':
      return 'a number';
    case 'Integer':
      return 'a whole number';
    case 'Boolean':
      return 'true or false';
    case 'Null':
      return 'nothing';
    case 'Array':
      return 'a list';
    case 'Object':
    case 'Record':
      return 'a mapping';
    case 'Union':
      return ((schema as { anyOf?: TSchema[] }).anyOf ?? []).map(expectation).join(' or ');
    default:
      return 'a value';
  }
}

/** A value as it appears in a message. */
export function show(value: unknown): string {
  switch (valueKind(value)) {
    case 'string': {
      const text = String(value);
      return `'${text.length > 40 ? `${text.slice(0, 37)}...` : text}'`;
    }
    case 'number':
      return `the number ${String(value)}`;
    case 'boolean':
      return String(value);
    case 'null':
      return 'nothing';
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping';
    default:
      return 'nothing';
  }
}

function constOf(schema: TSchema): unknown {
  return (schema as Record<string, unknown>).const;
}

function isScalar(value: unknown): boolean {
  return typeof value === 'number' || typeof value === 'boolean';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lastSegment(path: string): string {
  const segment = path.slice(path.lastIndexOf('/') + 1);
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parentPointer(pointer: string): string {
  return pointer.slice(0, pointer.lastIndexOf('/'));
}

/** The known key closest to a misspelt one, when it is close enough to be a plausible typo. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
}

/** Optimal-string-alignment distance: a swap of two neighbours counts as one edit. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      const row = d[i];
      if (row) row[j] = best;
    }
  }
  return at(a.length, b.length);
}
