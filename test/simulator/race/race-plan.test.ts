import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callerNumber, callLetter, callPrompt, planSteps, type RaceCallPlan, racePlanArbitrary } from '../../../simulator/race/race-plan.ts';
import { stepLabels } from '../../../simulator/race/race-explorer.ts';
import { fcOptions } from '../../support/fc-config.ts';

/** A call registered at step time `registerAt` that arrives `arriveAfter` later. */
const call = ([registerAt, arriveAfter]: [number, number], over: Partial<RaceCallPlan> = {}): RaceCallPlan => ({ registerAt, arriveAfter, registration: 'once', gapMs: 0, expire: false, ...over });

describe('planSteps', () => {
  it('follows the interleaving of the calls’ step times', () => {
    // Both register at 0; B arrives at 0, A at 1.
    expect(stepLabels({ calls: [call([0, 1]), call([0, 0])] })).toEqual(['register A', 'register B', 'call B arrives', 'call A arrives']);
  });

  it('drops the registration of a call that is never registered and places duplicates', () => {
    const plan = { calls: [call([0, 0], { registration: 'twice-after-arrival' }), call([0, 0], { registration: 'missing' }), call([0, 0], { registration: 'twice-before-arrival' })] };
    expect(stepLabels(plan)).toEqual(['register A', 'register C', 'register C again', 'call A arrives', 'register A again', 'call B arrives', 'call C arrives', '(B is never registered)']);
  });

  it('carries the gap and the expiry wait to the arrival', () => {
    const steps = planSteps({ calls: [call([0, 0], { gapMs: 12, expire: true })] });
    expect(steps[1]).toEqual({ kind: 'arrive', call: 0, gapMs: 12, expire: true });
    expect(stepLabels({ calls: [call([0, 0], { gapMs: 12, expire: true })] })).toEqual(['register A', 'wait past the TTL', 'call A arrives']);
  });
});

describe('racePlanArbitrary', () => {
  it('generates 1 to maxCalls calls and never expiry when it is off', () => {
    fc.assert(
      fc.property(racePlanArbitrary({ maxCalls: 4, expiry: false }), (plan) => {
        expect(plan.calls.length).toBeGreaterThanOrEqual(1);
        expect(plan.calls.length).toBeLessThanOrEqual(4);
        expect(plan.calls.every((c) => !c.expire && c.gapMs >= 0 && c.gapMs <= 29)).toBe(true);
      }),
      fcOptions({ numRuns: 200 }, 'race plan shape'),
    );
  });

  it('produces every special case, expiry included when it is on', () => {
    const plans = fc.sample(racePlanArbitrary({ maxCalls: 3, expiry: true }), { seed: 3, numRuns: 500 });
    const all = plans.flatMap((p) => p.calls);
    for (const r of ['once', 'missing', 'twice-before-arrival', 'twice-after-arrival']) expect(all.some((c) => c.registration === r)).toBe(true);
    expect(all.some((c) => c.expire)).toBe(true);
    expect(all.some((c) => c.gapMs > 0)).toBe(true);
    // Rare cases stay rare: most calls are registered once and do not wait past the TTL.
    expect(all.filter((c) => c.registration === 'once').length / all.length).toBeGreaterThan(0.6);
    expect(all.filter((c) => c.expire).length / all.length).toBeLessThan(0.1);
  });

  it('shrinks an out-of-order race to two calls in the plain case, whatever the seed', () => {
    // Any seed: removing a call keeps the others' order (decision 0950), so every call but an
    // out-of-order pair goes, and every other field shrinks to its plain value.
    const details = fc.check(
      fc.property(racePlanArbitrary({ maxCalls: 5, expiry: true }), (plan) => {
        const arrivals = planSteps(plan).filter((s) => s.kind === 'arrive').map((s) => s.call);
        const registrations = planSteps(plan).filter((s) => s.kind === 'register' && !s.duplicate).map((s) => s.call);
        return arrivals.every((c, i) => i === 0 || c > (arrivals[i - 1] as number)) || registrations.length < 2;
      }),
      fcOptions({ numRuns: 500 }, 'plan shrinking'),
    );
    expect(details.failed).toBe(true);
    const [plan] = details.counterexample ?? [];
    expect(plan?.calls).toHaveLength(2);
    expect(plan?.calls.every((c) => c.registration === 'once' && c.gapMs === 0 && !c.expire)).toBe(true);
    expect(planSteps(plan ?? { calls: [] }).filter((s) => s.kind === 'arrive').map((s) => s.call)).toEqual([1, 0]);
  });
});

describe('call naming', () => {
  it('names calls by letter, number and a unique prompt', () => {
    expect([0, 1, 25, 26].map(callLetter)).toEqual(['A', 'B', 'Z', 'A2']);
    expect(callerNumber(0)).toBe('+15550100001');
    expect(callerNumber(11)).toBe('+15550100012');
    expect(callPrompt(1)).toBe('This is call B.');
    expect(new Set(Array.from({ length: 26 }, (_, i) => callerNumber(i))).size).toBe(26);
  });
});
