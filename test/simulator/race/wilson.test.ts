import { describe, expect, it } from 'vitest';
import { wilsonInterval } from '../../../simulator/race/wilson.ts';

describe('wilsonInterval', () => {
  // Reference values: the Wilson score interval without continuity correction at z = 1.96
  // (R: binom::binom.wilson, or prop.test(x, n, correct = FALSE)$conf.int).
  it.each([
    [0, 10, 0, 0.2775],
    [1, 10, 0.0179, 0.4042],
    [5, 10, 0.2366, 0.7634],
    [10, 10, 0.7225, 1],
    [7, 20, 0.1812, 0.5671],
    [81, 263, 0.2553, 0.3662],
  ])('%i of %i → [%f, %f]', (x, n, low, high) => {
    const ci = wilsonInterval(x, n);
    expect(ci.low).toBeCloseTo(low, 4);
    expect(ci.high).toBeCloseTo(high, 4);
  });

  it('is symmetric around one half and narrows with more trials', () => {
    const a = wilsonInterval(3, 20);
    const b = wilsonInterval(17, 20);
    expect(a.low).toBeCloseTo(1 - b.high, 12);
    expect(a.high).toBeCloseTo(1 - b.low, 12);
    const wide = wilsonInterval(5, 10);
    const narrow = wilsonInterval(50, 100);
    expect(narrow.high - narrow.low).toBeLessThan(wide.high - wide.low);
  });

  it('is uninformative without trials and honours another quantile', () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
    const z99 = wilsonInterval(5, 10, 2.5758);
    expect(z99.high - z99.low).toBeGreaterThan(wilsonInterval(5, 10).high - wilsonInterval(5, 10).low);
  });
});
