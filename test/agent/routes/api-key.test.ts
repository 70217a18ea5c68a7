import * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof crypto>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

const { apiKeyMatches } = await import('../../../agent/routes/api-key.ts');

describe('apiKeyMatches', () => {
  it('accepts exactly the expected key', () => {
    expect(apiKeyMatches('coval-key', 'coval-key')).toBe(true);
  });

  it.each([
    ['a prefix', 'coval-ke'],
    ['a longer key', 'coval-key-'],
    ['another case', 'COVAL-KEY'],
    ['an empty string', ''],
  ])('refuses %s', (_label, presented) => {
    expect(apiKeyMatches(presented, 'coval-key')).toBe(false);
  });

  it('refuses a missing or repeated header', () => {
    expect(apiKeyMatches(undefined, 'coval-key')).toBe(false);
    expect(apiKeyMatches(['coval-key', 'coval-key'], 'coval-key')).toBe(false);
  });

  it('compares with timingSafeEqual over equal-length digests even when the keys differ in length', () => {
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    apiKeyMatches('short', 'a-much-longer-expected-key');
    expect(spy).toHaveBeenCalledTimes(1);
    const [a, b] = spy.mock.calls[0] as [Buffer, Buffer];
    expect(a.length).toBe(32);
    expect(b.length).toBe(32);
  });
});
