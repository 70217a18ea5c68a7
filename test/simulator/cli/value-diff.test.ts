import { describe, expect, it } from 'vitest';
import { diffValues } from '../../../simulator/cli/value-diff.ts';

describe('diffValues', () => {
  it('finds nothing in equal values', () => {
    expect(diffValues({ a: [1, { b: 'x' }], c: null }, { a: [1, { b: 'x' }], c: null })).toEqual({ differences: [], total: 0 });
  });

  it('names each differing leaf by path, with both sides', () => {
    const { differences, total } = diffValues({ calls: [{ frames: [{ token: 'a ' }] }], 'odd key': 1, gone: true }, { calls: [{ frames: [{ token: 'an ' }, { token: 'x' }] }], 'odd key': 2 });
    expect(total).toBe(4);
    expect(differences).toEqual([
      { path: 'calls[0].frames[0].token', first: '"a "', second: '"an "' },
      { path: 'calls[0].frames[1]', first: '(absent)', second: '{"token":"x"}' },
      { path: '["odd key"]', first: '1', second: '2' },
      { path: 'gone', first: 'true', second: '(absent)' },
    ]);
  });

  it('keeps at most `limit` differences but counts them all, and shortens long values', () => {
    const a = Array.from({ length: 30 }, (_, i) => i);
    const b = a.map((i) => i + 1);
    const { differences, total } = diffValues(a, b, 5);
    expect(total).toBe(30);
    expect(differences).toHaveLength(5);
    const long = diffValues('x'.repeat(500), 'y').differences[0];
    expect(long?.path).toBe('(root)');
    expect(long?.first.length).toBe(120);
  });
});
