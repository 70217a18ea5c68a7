import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../simulator/checks/check-result.ts';
import {
  buildRunReport,
  isFailingResult,
  isWarningResult,
  REPORT_VERSION,
  resultStanding,
  scenarioOutcome,
  type RunReportInput,
} from '../../../simulator/report/run-report.ts';
import { KIT } from '../../../simulator/scenario/run-record.ts';
import { EPOCH_OFFSET_MS, fixtureRecord } from '../../support/report-record-fixtures.ts';
import { sampleRunReport } from '../../support/report-fixtures.ts';

const listed = fixtureRecord({ scenarioId: 'one-question-no-tools', seed: 7, turns: [{ prompt: 'Hi', promptAt: 2000, tokens: ['Hello ', 'there.'], firstTokenMs: 10, interTokenMs: 5 }] });
// Without the scenario's own `expect.checks`, so these tests control every result.
const record = { ...listed, scenario: { ...listed.scenario, expect: { ...listed.scenario.expect, checks: [], failingChecks: [] } } };

const result = (outcome: CheckResult['outcome'], level: CheckResult['level'] = 'MUST', over: Partial<CheckResult> = {}): CheckResult => ({
  checkId: 'CR-FRAMES-VALID',
  level,
  scenarioId: 'one-question-no-tools',
  call: 0,
  outcome,
  message: outcome,
  evidence: [],
  ...over,
});

const input = (over: Partial<RunReportInput> = {}): RunReportInput => ({
  startedAtEpochMs: EPOCH_OFFSET_MS,
  endedAtEpochMs: EPOCH_OFFSET_MS + 1500,
  seed: 9,
  replay: 'relaysim run --seed 9',
  strict: false,
  agent: { mode: 'embedded', target: 'agent/embed.ts' },
  scenarios: [{ record, results: [result('pass')] }],
  ...over,
});

describe('isFailingResult', () => {
  it('fails on fail, and on missing for MUST checks (SHOULD too when strict), never on INFO', () => {
    expect(isFailingResult(result('fail', 'SHOULD'), false)).toBe(true);
    expect(isFailingResult(result('missing', 'MUST'), false)).toBe(true);
    expect(isFailingResult(result('missing', 'SHOULD'), false)).toBe(false);
    expect(isFailingResult(result('missing', 'SHOULD'), true)).toBe(true);
    expect(isFailingResult(result('missing', 'INFO'), true)).toBe(false);
    expect(isFailingResult(result('warn', 'SHOULD'), false)).toBe(false);
    expect(isWarningResult(result('missing', 'SHOULD'), false)).toBe(true);
    expect(isWarningResult(result('warn', 'SHOULD'), false)).toBe(true);
    expect(isWarningResult(result('pass'), false)).toBe(false);
    expect(isWarningResult(result('missing', 'INFO'), false)).toBe(false);
    expect(isWarningResult(result('missing', 'SHOULD'), true)).toBe(false);
  });
});

describe('scenarioOutcome', () => {
  it('takes skipped and error from the run, else fail on a failing result, expectation or check expectation', () => {
    expect(scenarioOutcome({ ...record, outcome: { status: 'skipped' } }, [result('fail')], [], [], false)).toBe('skipped');
    expect(scenarioOutcome({ ...record, outcome: { status: 'error', code: 'SIM_ERR_AGENT_EXITED' } }, [], [], [], false)).toBe('error');
    expect(scenarioOutcome(record, [result('pass'), result('warn', 'SHOULD')], [{ pass: true }], [], false)).toBe('pass');
    expect(scenarioOutcome(record, [result('pass')], [{ pass: false }], [], false)).toBe('fail');
    expect(scenarioOutcome(record, [result('missing')], [], [], false)).toBe('fail');
    expect(scenarioOutcome(record, [result('pass')], [], [{ checkId: 'CR-FRAMES-VALID', expected: 'pass', met: false }], false)).toBe('fail');
  });

  it('does not fail a scenario on a failure its expect.failingChecks asks for', () => {
    const expected = [{ checkId: 'CR-FRAMES-VALID', expected: 'fail' as const, met: true }];
    expect(scenarioOutcome(record, [result('fail')], [], expected, false)).toBe('pass');
    expect(scenarioOutcome(record, [result('fail'), result('fail', 'MUST', { checkId: 'CR-TWIML-VALID' })], [], expected, false)).toBe('fail');
    expect(resultStanding(result('fail'), expected, false)).toBe('expected-failure');
    expect(resultStanding(result('warn', 'SHOULD'), expected, false)).toBe('expected-failure');
    expect(resultStanding(result('pass'), expected, false)).toBe('ok');
    expect(resultStanding(result('fail'), [], false)).toBe('failing');
    expect(resultStanding(result('warn', 'SHOULD'), [], false)).toBe('warning');
  });
});

describe('buildRunReport', () => {
  it('stamps version, kit, ISO times from the given epochs, options and per-scenario data', () => {
    const report = buildRunReport(input());
    expect(report.reportVersion).toBe(REPORT_VERSION);
    expect(report.kit).toEqual({ name: KIT.name, version: KIT.version });
    expect(report.startedAt).toBe(new Date(EPOCH_OFFSET_MS).toISOString());
    expect(report.endedAt).toBe(new Date(EPOCH_OFFSET_MS + 1500).toISOString());
    expect(report.options).toEqual({ strict: false, agent: { mode: 'embedded', target: 'agent/embed.ts' } });
    const [s] = report.scenarios;
    expect(s?.scenario).toMatchObject({ id: 'one-question-no-tools', file: 'scenarios/one-question-no-tools.yaml' });
    expect(s?.replay).toBe(record.replay);
    expect(s?.seed).toBe(7);
    expect(s?.durationMs).toBe(record.endedAtMs - record.startedAtMs);
    expect(s?.outcome).toBe('pass');
    expect(report.summary.exitCode).toBe(0);
  });

  it('gathers run-wide and per-call expectations, tagging the call', () => {
    const withExpect = {
      ...record,
      expectations: [{ kind: 'export' as const, expectation: 'one batch', pass: true, evidence: '1 batch' }],
      calls: record.calls.map((c) => ({ ...c, expectations: [{ kind: 'toolCalled' as const, expectation: 'lookup called', pass: false, evidence: 'no tool call' }] })),
    };
    const report = buildRunReport(input({ scenarios: [{ record: withExpect, results: [] }] }));
    expect(report.scenarios[0]?.expectations).toEqual([
      { kind: 'export', expectation: 'one batch', pass: true, evidence: '1 batch' },
      { kind: 'toolCalled', expectation: 'lookup called', pass: false, evidence: 'no tool call', call: 0 },
    ]);
    expect(report.scenarios[0]?.outcome).toBe('fail');
    expect(report.summary.expectations).toEqual({ passed: 1, failed: 1 });
    expect(report.summary.exitCode).toBe(1);
  });

  it('counts outcomes over the sample run and exits 1 when a scenario failed or errored', () => {
    const report = sampleRunReport();
    expect(report.scenarios.map((s) => s.outcome)).toEqual(['pass', 'fail', 'skipped', 'error', 'pass']);
    expect(report.summary.scenarios).toEqual({ total: 5, passed: 2, failed: 1, skipped: 1, errored: 1 });
    const checks = report.scenarios.flatMap((s) => s.checkExpectations);
    expect(report.summary.checkExpectations).toEqual({ met: checks.filter((e) => e.met).length, unmet: 1 });
    expect(report.scenarios[1]?.checkExpectations.filter((e) => !e.met).map((e) => e.checkId)).toEqual(['CR-INTERRUPT-STOPS']);
    expect(report.scenarios[2]?.checkExpectations).toEqual([]);
    expect(report.scenarios[4]?.checkExpectations).toContainEqual(expect.objectContaining({ checkId: 'COR-OWN-SIMULATION-ID', expected: 'fail', met: true }));
    const all = report.scenarios.flatMap((s) => s.results);
    for (const o of ['pass', 'warn', 'fail', 'skip', 'missing'] as const) expect(report.summary.byOutcome[o]).toBe(all.filter((r) => r.outcome === o).length);
    expect(report.summary.exitCode).toBe(1);
    expect(report.scenarios[3]?.reason).toBe('the agent under test exited during the run (code 1) (SIM_ERR_AGENT_EXITED)');
  });

  it('exits 0 when every scenario passed or was skipped', () => {
    const skipped = { ...fixtureRecord({ scenarioId: 'registration-expired', seed: 1, turns: [] }), outcome: { status: 'skipped' as const, reason: 'needs TTL' } };
    expect(buildRunReport(input({ scenarios: [{ record, results: [result('warn', 'SHOULD')] }, { record: skipped, results: [] }] })).summary.exitCode).toBe(0);
  });

  it("judges the scenario's expect.checks and expect.failingChecks over the results", () => {
    const report = buildRunReport(input({ scenarios: [{ record: listed, results: [result('pass')] }] }));
    const [s] = report.scenarios;
    expect(s?.checkExpectations.find((e) => e.checkId === 'CR-FRAMES-VALID')).toMatchObject({ expected: 'pass', met: true });
    expect(s?.checkExpectations.find((e) => e.checkId === 'CR-TWIML-VALID')).toMatchObject({ expected: 'pass', met: false, detail: 'no results' });
    expect(s?.outcome).toBe('fail');
  });

  it('refuses results of another scenario, unknown calls, duplicate scenarios, bad seeds, times and replay lines', () => {
    expect(() => buildRunReport(input({ scenarios: [{ record, results: [result('pass', 'MUST', { scenarioId: 'other' })] }] }))).toThrow(/belongs to scenario 'other'/);
    expect(() => buildRunReport(input({ scenarios: [{ record, results: [result('pass', 'MUST', { call: 5 })] }] }))).toThrow(/names call 5/);
    expect(() => buildRunReport(input({ scenarios: [{ record, results: [] }, { record, results: [] }] }))).toThrow(/appears twice/);
    expect(() => buildRunReport(input({ seed: 1.5 }))).toThrow(/SIM_ERR_REPORT_INPUT_INVALID|seed must be an integer/);
    expect(() => buildRunReport(input({ endedAtEpochMs: Number.NaN }))).toThrow(/endedAtEpochMs/);
    expect(() => buildRunReport(input({ replay: 'a\nb' }))).toThrow(/one non-empty line/);
  });
});
