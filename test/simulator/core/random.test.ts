import { describe, expect, it } from 'vitest';
import { createSeededRandom, cryptoRandom, freshSeed } from '../../../simulator/core/random.ts';

const draw = (r: { int(a: number, b: number): number }, n = 6) => Array.from({ length: n }, () => r.int(0, 1_000_000));

describe('createSeededRandom', () => {
  it('repeats its sequence for the same seed', () => {
    expect(draw(createSeededRandom(11))).toEqual(draw(createSeededRandom(11)));
    expect(draw(createSeededRandom(11))).not.toEqual(draw(createSeededRandom(12)));
  });

  it('derives streams that depend on the label and the seed but not on earlier draws', () => {
    const a = createSeededRandom(5);
    const b = createSeededRandom(5);
    draw(b, 50);
    expect(draw(a.derive('call-1'))).toEqual(draw(b.derive('call-1')));
    expect(draw(a.derive('call-1'))).not.toEqual(draw(a.derive('call-2')));
    expect(draw(a.derive('call-1'))).not.toEqual(draw(createSeededRandom(6).derive('call-1')));
  });

  it('keeps next() in [0, 1)', () => {
    const r = createSeededRandom(2);
    for (let i = 0; i < 1_000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});

describe('cryptoRandom and freshSeed', () => {
  it('stay within bounds', () => {
    for (let i = 0; i < 100; i++) {
      expect(cryptoRandom.next()).toBeLessThan(1);
      const seed = freshSeed();
      expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 31).toBe(true);
    }
  });
});
