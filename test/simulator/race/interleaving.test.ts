import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interleaving, interleavingSteps } from '../../../simulator/race/interleaving.ts';
import { fcOptions } from '../../support/fc-config.ts';

describe('interleavingSteps', () => {
  it('gives the in-order interleaving for all-zero (or missing) choices', () => {
    expect(interleaving(2, [])).toEqual(['register sim-0', 'register sim-1', 'call 0 arrives', 'call 1 arrives']);
    expect(interleaving(2, [0, 0, 0, 0])).toEqual(interleaving(2, []));
  });

  it('picks among the available steps, registrations first, then arrivals of registered calls', () => {
    // step 0: [reg0, reg1] → 1 = reg1; step 1: [reg0, arr1] → 1 = arr1; step 2: [reg0] → reg0; step 3: [arr0].
    expect(interleaving(2, [1, 1, 5, 9])).toEqual(['register sim-1', 'call 1 arrives', 'register sim-0', 'call 0 arrives']);
    expect(interleavingSteps(1, [7, 7])).toEqual([
      { kind: 'register', call: 0 },
      { kind: 'arrive', call: 0 },
    ]);
  });

  it('always yields each call registered once and arriving once, after its registration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.array(fc.nat({ max: 40 }), { maxLength: 20 }), (calls, choices) => {
        const steps = interleavingSteps(calls, choices);
        expect(steps).toHaveLength(2 * calls);
        for (let i = 0; i < calls; i++) {
          const reg = steps.findIndex((s) => s.kind === 'register' && s.call === i);
          const arr = steps.findIndex((s) => s.kind === 'arrive' && s.call === i);
          expect(reg).toBeGreaterThanOrEqual(0);
          expect(arr).toBeGreaterThan(reg);
          expect(steps.filter((s) => s.call === i)).toHaveLength(2);
        }
      }),
      fcOptions({ numRuns: 300 }, 'interleaving shape'),
    );
  });

  it('can reach every valid interleaving of two calls', () => {
    const seen = new Set<string>();
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) for (let c = 0; c < 4; c++) seen.add(interleaving(2, [a, b, c, 0]).join(','));
    // 4!/(2·2) = 6 orders keep each arrival after its registration.
    expect(seen.size).toBe(6);
  });
});
