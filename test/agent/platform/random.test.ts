import { describe, expect, it } from 'vitest';
import { createSeededRandom, cryptoRandom } from '../../../agent/platform/random.ts';

describe('createSeededRandom', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const draw = (seed: number) => {
      const r = createSeededRandom(seed);
      return Array.from({ length: 8 }, () => r.int(0, 1_000_000));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('keeps next() in [0, 1) and int() within its inclusive bounds', () => {
    const r = createSeededRandom(1);
    const ints = new Set<number>();
    for (let i = 0; i < 2_000; i++) {
      const x = r.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      ints.add(r.int(3, 5));
    }
    expect([...ints].sort()).toEqual([3, 4, 5]);
  });
});

describe('cryptoRandom', () => {
  it('keeps values within bounds', () => {
    for (let i = 0; i < 200; i++) {
      expect(cryptoRandom.next()).toBeLessThan(1);
      const n = cryptoRandom.int(-2, 2);
      expect(n).toBeGreaterThanOrEqual(-2);
      expect(n).toBeLessThanOrEqual(2);
    }
  });
});
