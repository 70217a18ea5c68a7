import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../simulator/checks/catalogue.ts';
import type { CheckResult } from '../../../simulator/checks/check-result.ts';
import { EVALUATORS, checkExpectations, evaluateRecord, isFailing, summarise } from '../../../simulator/checks/evaluate-checks.ts';
import { locateEvidence } from '../../../simulator/report/evidence-location.ts';
import { buildRunRecord, frozen, type MutableRecord } from '../../support/run-record-builder.ts';
import { CASES, noExport, type Mutation } from './check-cases.ts';

function built(mutation: Mutation): MutableRecord {
  const record = buildRunRecord();
  mutation(record);
  return record;
}

describe('the evaluator table', () => {
  it('has exactly one evaluator per catalogue id', () => {
    expect(Object.keys(EVALUATORS).sort()).toEqual(CHECKS.map((c) => c.id).sort());
  });

  it('has a passing and a violating example for every catalogue id', () => {
    expect(Object.keys(CASES).sort()).toEqual(CHECKS.map((c) => c.id).sort());
    for (const check of CHECKS) {
      const violate = CASES[check.id]?.violate;
      // Only informational checks may lack a violating example: they report, they do not judge.
      if (typeof violate !== 'function') expect(check.level).toBe('INFO');
    }
  });
});

describe.each(CHECKS.map((c) => [c.id, c] as const))('%s', (id) => {
  const cases = CASES[id];
  if (!cases) throw new Error(`no cases for ${id}`);
  const evaluate = EVALUATORS[id];
  if (!evaluate) throw new Error(`no evaluator for ${id}`);

  it('passes on its passing example', () => {
    const verdicts = evaluate(frozen(built(cases.pass)));
    expect(verdicts.map((v) => v.verdict)).toContain('pass');
    expect(verdicts.filter((v) => v.verdict === 'violated' || v.verdict === 'missing')).toEqual([]);
    for (const v of verdicts) expect(v.checkId).toBe(id);
  });

  const violate = cases.violate;
  if (typeof violate === 'function') {
    it('is violated on its violating example, with evidence that points into the record', () => {
      const record = frozen(built(violate));
      const verdicts = evaluate(record);
      const violated = verdicts.filter((v) => v.verdict === 'violated');
      expect(violated.length).toBeGreaterThan(0);
      for (const v of violated) {
        expect(v.message).not.toBe('');
        expect(v.evidence.length).toBeGreaterThan(0);
        for (const e of v.evidence) {
          expect(e.summary).not.toMatch(/\n/);
          if (e.kind !== 'note' && e.ref !== undefined && e.kind !== 'probe') expect(locateEvidence(record, 0, e), JSON.stringify(e)).toBeDefined();
        }
      }
    });
  } else {
    it('is never violated (informational)', () => {
      const verdicts = evaluate(frozen(built((r) => noExport(r))));
      expect(verdicts.every((v) => v.verdict !== 'violated')).toBe(true);
    });
  }
});

describe('evaluateRecord', () => {
  it('gives every catalogue check at least one result, in catalogue order, with its level applied', () => {
    const results = evaluateRecord(frozen(buildRunRecord()));
    const ids = [...new Set(results.map((r) => r.checkId))];
    expect(ids).toEqual(CHECKS.map((c) => c.id));
    for (const r of results) {
      expect(r.scenarioId).toBe('fixture');
      expect(r.level).toBe(CHECKS.find((c) => c.id === r.checkId)?.level);
    }
  });

  it('passes every MUST and SHOULD check of the built record (nothing fails, warns or is missing)', () => {
    const results = evaluateRecord(frozen(buildRunRecord()));
    expect(results.filter((r) => r.outcome !== 'pass' && r.outcome !== 'skip').map((r) => `${r.checkId}: ${r.message}`)).toEqual([]);
  });

  it('turns a violated SHOULD check into warn, and into fail under strict', () => {
    const record = frozen(built(CASES['SPAN-STT-PROVIDER']?.violate as Mutation));
    const lax = evaluateRecord(record).find((r) => r.checkId === 'SPAN-STT-PROVIDER');
    const strict = evaluateRecord(record, { strict: true }).find((r) => r.checkId === 'SPAN-STT-PROVIDER');
    expect(lax?.outcome).toBe('warn');
    expect(strict?.outcome).toBe('fail');
  });

  it('skips every check of a scenario that was not run, with the reason', () => {
    const record = buildRunRecord();
    record.outcome = { status: 'skipped', reason: 'needs agent.env' };
    const results = evaluateRecord(frozen(record));
    expect(results).toHaveLength(CHECKS.length);
    expect(results.every((r) => r.outcome === 'skip' && r.message.includes('needs agent.env'))).toBe(true);
  });

  it('gives a scenario-level skip to per-call checks when there are no calls', () => {
    const record = buildRunRecord();
    record.calls = [];
    const results = evaluateRecord(frozen(record));
    expect(new Set(results.map((r) => r.checkId)).size).toBe(CHECKS.length);
  });

  it('reports missing evidence when a registered call exported nothing', () => {
    const record = buildRunRecord();
    noExport(record);
    const results = evaluateRecord(frozen(record));
    const outcome = (id: string) => results.find((r) => r.checkId === id)?.outcome;
    expect(outcome('OTLP-DECODES')).toBe('missing');
    expect(outcome('SPAN-ROOT')).toBe('missing');
    expect(outcome('COR-OWN-SIMULATION-ID')).toBe('missing');
    expect(outcome('INFO-COVAL-METRICS')).toBe('missing');
    expect(summarise(results).passed).toBe(false);
  });

  it('skips the trace checks when the fault plan refused every export', () => {
    const record = buildRunRecord();
    record.coval.batches = [];
    const a = record.coval.attempts[0];
    if (a) Object.assign(a, { status: 400, outcome: 'fault-status', reason: 'fault plan (global) step 0: 400' });
    const results = evaluateRecord(frozen(record));
    const outcome = (id: string) => results.find((r) => r.checkId === id)?.outcome;
    expect(outcome('SPAN-ROOT')).toBe('skip');
    expect(outcome('OTLP-DECODES')).toBe('skip');
    expect(outcome('OTLP-RETRY-ONLY-RETRYABLE')).toBe('pass');
    expect(summarise(results).passed).toBe(true);
  });
});

describe('summarise', () => {
  const result = (outcome: CheckResult['outcome'], level: CheckResult['level'] = 'MUST'): CheckResult => ({ checkId: 'X', level, scenarioId: 's', outcome, message: '', evidence: [] });

  it('counts by outcome and fails on any fail', () => {
    const s = summarise([result('pass'), result('warn', 'SHOULD'), result('skip'), result('fail')]);
    expect(s.counts).toEqual({ pass: 1, warn: 1, fail: 1, skip: 1, missing: 0 });
    expect(s.total).toBe(4);
    expect(s.passed).toBe(false);
    expect(s.failing).toHaveLength(1);
  });

  it('passes with warnings and skips only', () => {
    expect(summarise([result('pass'), result('warn', 'SHOULD'), result('skip')]).passed).toBe(true);
  });

  it('fails on a MUST check whose evidence is missing, not on a missing INFO check', () => {
    expect(isFailing(result('missing', 'MUST'))).toBe(true);
    expect(isFailing(result('missing', 'INFO'), true)).toBe(false);
    expect(isFailing(result('missing', 'SHOULD'))).toBe(false);
    expect(isFailing(result('missing', 'SHOULD'), true)).toBe(true);
  });
});

describe('checkExpectations', () => {
  it('meets expect.checks that pass and expect.failingChecks that fail', () => {
    const record = buildRunRecord();
    record.scenario.expect.checks = ['SPAN-ROOT'];
    record.scenario.expect.failingChecks = ['SPAN-STT-PER-PROMPT'];
    spanWithWrongTranscript(record);
    const results = evaluateRecord(frozen(record));
    expect(checkExpectations(frozen(record), results).map((e) => [e.checkId, e.expected, e.met])).toEqual([
      ['SPAN-ROOT', 'pass', true],
      ['SPAN-STT-PER-PROMPT', 'fail', true],
    ]);
  });

  it('does not meet a listed check that only skipped, nor a failing check that passed', () => {
    const record = buildRunRecord();
    record.scenario.expect.checks = ['CR-DTMF-HANDLED'];
    record.scenario.expect.failingChecks = ['SPAN-ROOT'];
    const met = checkExpectations(frozen(record), evaluateRecord(frozen(record))).map((e) => e.met);
    expect(met).toEqual([false, false]);
  });
});

function spanWithWrongTranscript(record: MutableRecord): void {
  (CASES['SPAN-STT-PER-PROMPT']?.violate as Mutation)(record);
}

describe('evidence', () => {
  it('keeps summaries on one line even for frames that carry newlines', () => {
    const record = buildRunRecord();
    const f = record.calls[0]?.relay?.frames[2];
    if (f) {
      f.raw = '{"type":"text",\n"token":"It\'s"}';
      f.parsed = { type: 'text', token: "It's", last: false };
    }
    const results = evaluateRecord(frozen(record));
    const untrimmed = results.find((r) => r.checkId === 'CR-TOKENS-UNTRIMMED');
    expect(untrimmed?.outcome).toBe('warn');
    for (const r of results) for (const e of r.evidence) expect(e.summary).not.toMatch(/[\r\n]/);
  });
});
