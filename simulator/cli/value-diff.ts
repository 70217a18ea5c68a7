/** One place where two JSON values differ. */
export interface ValueDifference {
  /** JSONPath-like location: `calls[0].relay.frames[12].parsed.token`. */
  readonly path: string;
  /** Short renderings of both sides (`(absent)` when a key exists on one side only). */
  readonly first: string;
  readonly second: string;
}

const ABSENT = '(absent)';

function show(value: unknown): string {
  if (value === undefined) return ABSENT;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function key(path: string, k: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? (path === '' ? k : `${path}.${k}`) : `${path}[${JSON.stringify(k)}]`;
}

/**
 * The differences between two plain JSON values, depth first in document order, at most `limit`
 * (`total` counts them all). Arrays of different lengths differ at each extra index.
 */
export function diffValues(a: unknown, b: unknown, limit = 20): { readonly differences: ValueDifference[]; readonly total: number } {
  const differences: ValueDifference[] = [];
  let total = 0;
  const add = (path: string, x: unknown, y: unknown): void => {
    total++;
    if (differences.length < limit) differences.push({ path: path || '(root)', first: show(x), second: show(y) });
  };
  const walk = (x: unknown, y: unknown, path: string): void => {
    if (Object.is(x, y)) return;
    if (Array.isArray(x) && Array.isArray(y)) {
      for (let i = 0; i < Math.max(x.length, y.length); i++) walk(x[i], y[i], `${path}[${i}]`);
      return;
    }
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
    if (isObject(x) && isObject(y)) {
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
      for (const k of keys) walk(x[k], y[k], key(path, k));
      return;
    }
    add(path, x, y);
  };
  walk(a, b, '');
  return { differences, total };
}
