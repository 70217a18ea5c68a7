import { describe, expect, it } from 'vitest';
import { linearFit, rssSlope, type RssPoint } from '../../../simulator/load/rss-slope.ts';

const MIB = 1024 * 1024;

/** A deterministic wobble in [-1, 1] (no randomness in tests). */
const wobble = (i: number): number => Math.sin(i * 12.9898) * 0.999;

describe('linearFit', () => {
  it('recovers an exact line with zero error', () => {
    const fit = linearFit([0, 1, 2, 3], [5, 7, 9, 11]);
    expect(fit.slope).toBeCloseTo(2);
    expect(fit.intercept).toBeCloseTo(5);
    expect(fit.residualStd).toBeCloseTo(0);
    expect(fit.slopeStdErr).toBeCloseTo(0);
  });

  it('is zero for no points or a single x', () => {
    expect(linearFit([], []).slope).toBe(0);
    expect(linearFit([3, 3], [1, 2]).slope).toBe(0);
  });
});

describe('rssSlope', () => {
  it('reports a leak of 1 MiB per 1,000 calls as growing', () => {
    const points: RssPoint[] = Array.from({ length: 50 }, (_, i) => ({ calls: i * 200, rssBytes: 100 * MIB + i * 200 * (MIB / 1000) + wobble(i) * 0.1 * MIB }));
    const s = rssSlope(points);
    expect(s.bytesPer1000Calls / MIB).toBeCloseTo(1, 1);
    expect(s.flat).toBe(false);
  });

  it('calls noise around a constant flat', () => {
    const points: RssPoint[] = Array.from({ length: 50 }, (_, i) => ({ calls: i * 200, rssBytes: 120 * MIB + wobble(i) * 4 * MIB }));
    const s = rssSlope(points);
    expect(Math.abs(s.bytesPer1000Calls)).toBeLessThan(0.5 * MIB);
    expect(s.flat).toBe(true);
  });

  it('counts memory given back as flat (only growth is a leak)', () => {
    const points: RssPoint[] = Array.from({ length: 50 }, (_, i) => ({ calls: i * 200, rssBytes: 200 * MIB - i * 200 * (MIB / 1000) + wobble(i) * 0.1 * MIB }));
    const s = rssSlope(points);
    expect(s.bytesPer1000Calls).toBeLessThan(0);
    expect(s.flat).toBe(true);
  });

  it('drops the warm-up tenth (heap sizing) before fitting', () => {
    const points: RssPoint[] = [
      { calls: 0, rssBytes: 50 * MIB },
      { calls: 500, rssBytes: 90 * MIB },
      ...Array.from({ length: 20 }, (_, i) => ({ calls: 1000 + i * 450, rssBytes: 100 * MIB })),
    ];
    const s = rssSlope(points);
    expect(s.fromCalls).toBe(1000);
    expect(s.bytesPer1000Calls).toBe(0);
    expect(s.flat).toBe(true);
  });

  it('gives no verdict on fewer than five samples', () => {
    expect(rssSlope([{ calls: 10, rssBytes: 1 }, { calls: 20, rssBytes: 2 }]).flat).toBeUndefined();
  });
});
