import { describe, expect, it } from 'vitest';
import { applyLevel, type CheckVerdict } from '../../../simulator/checks/check-result.ts';

const verdict = (checkId: string, v: CheckVerdict['verdict']): CheckVerdict => ({ checkId, verdict: v, message: 'm', evidence: [], call: 0 });

describe('applyLevel', () => {
  it.each([
    ['COR-OWN-SIMULATION-ID', false, 'fail'],
    ['COR-OWN-SIMULATION-ID', true, 'fail'],
    ['OTLP-ONE-TRACE', false, 'warn'],
    ['OTLP-ONE-TRACE', true, 'fail'],
    ['INFO-COVAL-METRICS', false, 'warn'],
    ['INFO-COVAL-METRICS', true, 'warn'],
  ] as const)('turns a violation of %s (strict: %s) into %s', (id, strict, outcome) => {
    expect(applyLevel(verdict(id, 'violated'), 's', strict).outcome).toBe(outcome);
  });

  it('passes pass, skip and missing through unchanged and keeps the call', () => {
    for (const v of ['pass', 'skip', 'missing'] as const) {
      expect(applyLevel(verdict('CR-FRAMES-VALID', v), 's', true)).toMatchObject({ outcome: v, call: 0, level: 'MUST', scenarioId: 's' });
    }
  });

  it('refuses an id that is not in the catalogue', () => {
    expect(() => applyLevel(verdict('NOPE-1', 'pass'), 's', false)).toThrow(/unknown check id 'NOPE-1'/);
  });
});
