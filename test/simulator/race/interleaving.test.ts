import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CallTiming, callsArbitrary, callTimingArbitrary, interleaving, interleavingSteps } from '../../../simulator/race/interleaving.ts';
import { fcOptions } from '../../support/fc-config.ts';

const t = (registerAt: number, arriveAfter: number): CallTiming => ({ registerAt, arriveAfter });

describe('interleavingSteps', () => {
  it('gives the in-order interleaving for all-zero times', () => {
    expect(interleaving([t(0, 0), t(0, 0)])).toEqual(['register sim-0', 'register sim-1', 'call 0 arrives', 'call 1 arrives']);
    expect(interleaving([])).toEqual([]);
  });

  it('orders steps by time, registrations before arrivals at equal times, then by call', () => {
    // reg1 at 0, arr1 at 0 + 0, reg0 at 1, arr0 at 1 + 2.
    expect(interleaving([t(1, 2), t(0, 0)])).toEqual(['register sim-1', 'call 1 arrives', 'register sim-0', 'call 0 arrives']);
    // reg0, reg1 at 0; arr1 at 0 comes before arr0 at 1.
    expect(interleaving([t(0, 1), t(0, 0)])).toEqual(['register sim-0', 'register sim-1', 'call 1 arrives', 'call 0 arrives']);
    expect(interleavingSteps([t(-2.7, 7.9)])).toEqual([
      { kind: 'register', call: 0 },
      { kind: 'arrive', call: 0 },
    ]);
  });

  it('always yields each call registered once and arriving once, after its registration', () => {
    fc.assert(
      fc.property(fc.array(callTimingArbitrary(8), { maxLength: 8 }), (calls) => {
        const steps = interleavingSteps(calls);
        expect(steps).toHaveLength(2 * calls.length);
        for (let i = 0; i < calls.length; i++) {
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

  it('keeps the order of the other calls when a call is removed (what lets shrinking remove any call)', () => {
    fc.assert(
      fc.property(fc.array(callTimingArbitrary(6), { minLength: 1, maxLength: 6 }), fc.nat(), (calls, pick) => {
        const removed = pick % calls.length;
        const rest = calls.filter((_, i) => i !== removed);
        const renumber = (c: number) => (c > removed ? c - 1 : c);
        const projected = interleavingSteps(calls)
          .filter((s) => s.call !== removed)
          .map((s) => ({ kind: s.kind, call: renumber(s.call) }));
        expect(interleavingSteps(rest)).toEqual(projected);
      }),
      fcOptions({ numRuns: 300 }, 'interleaving removal'),
    );
  });

  it('can reach every valid interleaving of two calls', () => {
    const seen = new Set<string>();
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) for (let c = 0; c < 4; c++) for (let d = 0; d < 4; d++) seen.add(interleaving([t(a, b), t(c, d)]).join(','));
    // 4!/(2·2) = 6 orders keep each arrival after its registration.
    expect(seen.size).toBe(6);
  });
});

describe('callsArbitrary', () => {
  it('generates 1 to maxCalls calls', () => {
    fc.assert(
      fc.property(callsArbitrary(callTimingArbitrary(3), 3), (calls) => {
        expect(calls.length).toBeGreaterThanOrEqual(1);
        expect(calls.length).toBeLessThanOrEqual(3);
      }),
      fcOptions({ numRuns: 200 }, 'calls length'),
    );
  });

  it('shrinks away every call but the two that matter, the last one included', () => {
    // Only the first two calls matter and no later call can take their place, so [a, b, c] must lose
    // its last item: fast-check does that only for an array allowed to shrink towards empty.
    const details = fc.check(
      fc.property(callsArbitrary(callTimingArbitrary(5), 5), (calls) => !(calls.length >= 2 && (calls[0]?.registerAt ?? 0) >= 3 && (calls[1]?.registerAt ?? 0) >= 3)),
      fcOptions({ numRuns: 500 }, 'calls shrinking'),
    );
    expect(details.failed).toBe(true);
    expect(details.counterexample?.[0]).toEqual([t(3, 0), t(3, 0)]);
  });
});
