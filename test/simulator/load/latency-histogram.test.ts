import { describe, expect, it } from 'vitest';
import { EMPTY_SUMMARY, LatencyHistogram } from '../../../simulator/load/latency-histogram.ts';

describe('LatencyHistogram', () => {
  it('gives percentiles of 1..100 ms within the histogram precision', () => {
    const h = new LatencyHistogram();
    for (let ms = 1; ms <= 100; ms++) h.record(ms);
    const s = h.summary();
    expect(s.count).toBe(100);
    expect(s.p50).toBeCloseTo(50, 0);
    expect(s.p90).toBeCloseTo(90, 0);
    expect(s.p99).toBeCloseTo(99, 0);
    expect(s.max).toBeCloseTo(100, 0);
    expect(s.mean).toBeCloseTo(50.5, 0);
  });

  it('keeps microseconds: sub-millisecond latencies are not rounded to zero', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 99; i++) h.record(0.25);
    h.record(4.5);
    const s = h.summary();
    expect(s.p50).toBeCloseTo(0.25, 3);
    expect(s.max).toBeCloseTo(4.5, 2);
  });

  it('counts negative jitter as the smallest value and ignores non-finite input', () => {
    const h = new LatencyHistogram();
    h.record(-0.2);
    h.record(Number.NaN);
    expect(h.count).toBe(1);
    expect(h.summary().max).toBe(0.001);
  });

  it('summarises an empty histogram as zeros', () => {
    expect(new LatencyHistogram().summary()).toEqual(EMPTY_SUMMARY);
  });
});
