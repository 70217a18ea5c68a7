import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { schemaProblems, show } from '../../../simulator/scenario/schema-problems.ts';

const strict = { additionalProperties: false } as const;

describe('schemaProblems', () => {
  it('reports nothing for a valid value', () => {
    expect(schemaProblems(Type.Object({ a: Type.String() }, strict), { a: 'x' })).toEqual([]);
  });

  it('names an unknown key at the key, suggesting a close known one', () => {
    const schema = Type.Object({ afterTokens: Type.Optional(Type.Integer()), say: Type.Optional(Type.String()) }, strict);
    expect(schemaProblems(schema, { afterToken: 1 })).toEqual([
      { pointer: '/afterToken', target: 'key', message: "unknown key 'afterToken' (did you mean 'afterTokens'?); allowed: afterTokens, say" },
    ]);
    expect(schemaProblems(schema, { zzz: 1 })[0]?.message).toBe("unknown key 'zzz'; allowed: afterTokens, say");
  });

  it('reports a missing required key once, at the mapping that lacks it', () => {
    const schema = Type.Object({ inner: Type.Object({ need: Type.String() }, strict) }, strict);
    expect(schemaProblems(schema, { inner: {} })).toEqual([{ pointer: '/inner', target: 'value', message: "missing required key 'need'" }]);
  });

  it('descends into the union variant whose kind matches the value', () => {
    const schema = Type.Object({ v: Type.Union([Type.String(), Type.Object({ text: Type.String() }, strict)]) }, strict);
    expect(schemaProblems(schema, { v: { text: 3 } })).toEqual([
      { pointer: '/v/text', target: 'value', message: 'expected a string, got the number 3 (put it in quotes)' },
    ]);
    expect(schemaProblems(schema, { v: true })[0]?.message).toBe('expected a string or a mapping, got true');
  });

  it('prefers the object variant with the fewest complaints among several', () => {
    const a = Type.Object({ kind: Type.Literal('a'), x: Type.Number() }, strict);
    const b = Type.Object({ kind: Type.Literal('b'), y: Type.Number() }, strict);
    expect(schemaProblems(Type.Union([a, b]), { kind: 'b', y: 'no' })).toEqual([
      { pointer: '/y', target: 'value', message: "expected a number, got 'no'" },
    ]);
  });

  it('lists literal choices for an enum', () => {
    const schema = Type.Union([Type.Literal('valid'), Type.Literal('wrong')]);
    expect(schemaProblems(schema, 'valdi')[0]?.message).toBe("expected 'valid' or 'wrong', got 'valdi'");
  });

  it('uses the schema hint for a pattern', () => {
    const schema = Type.String({ pattern: '^[a-z]+$', hint: 'lower-case letters' });
    expect(schemaProblems(schema, 'ABC')[0]?.message).toBe("expected lower-case letters, got 'ABC'");
    expect(schemaProblems(Type.String({ pattern: '^x$' }), 'y')[0]?.message).toBe("expected a string matching ^x$, got 'y'");
  });

  it('phrases bounds, lengths and list sizes', () => {
    expect(schemaProblems(Type.Integer({ minimum: 1 }), 0)[0]?.message).toBe('must be at least 1, got the number 0');
    expect(schemaProblems(Type.Integer({ maximum: 9 }), 10)[0]?.message).toBe('must be at most 9, got the number 10');
    expect(schemaProblems(Type.Number({ exclusiveMinimum: 0 }), 0)[0]?.message).toBe('must be greater than 0, got the number 0');
    expect(schemaProblems(Type.String({ minLength: 1 }), '')[0]?.message).toBe('must not be empty');
    expect(schemaProblems(Type.Array(Type.String(), { minItems: 1 }), [])[0]?.message).toBe('needs at least 1 item');
    expect(schemaProblems(Type.Array(Type.String(), { uniqueItems: true }), ['a', 'a'])[0]?.message).toBe('has duplicate items');
  });

  it('reports a record key that breaks the key pattern at the key', () => {
    const schema = Type.Record(Type.String({ pattern: '^[A-Z]+$' }), Type.String(), { additionalProperties: false, hint: 'an upper-case name' });
    expect(schemaProblems(schema, { lower: 'x' })).toEqual([
      { pointer: '/lower', target: 'key', message: "key 'lower' is not allowed here: expected an upper-case name" },
    ]);
  });
});

describe('show', () => {
  it('quotes and shortens strings and names other kinds', () => {
    expect(show('x'.repeat(50))).toBe(`'${'x'.repeat(37)}...'`);
    expect(show(null)).toBe('nothing');
    expect(show([1])).toBe('a list');
    expect(show({})).toBe('a mapping');
    expect(show(false)).toBe('false');
  });
});
