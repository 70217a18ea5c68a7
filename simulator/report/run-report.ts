/**
 * The RunReport: one `relaysim run` as the reports see it (architecture §3 step 8, §7). The run
 * command builds it once with {@link buildRunReport}; the console, JSON, JUnit and HTML reports are
 * pure functions of it. It is plain JSON apart from nothing: BigInt never appears.
 *
 * Versioning: `reportVersion` changes whenever a field is removed or changes meaning; adding an
 * optional field does not change it. The JSON report (docs/report.schema.json) has the same shape.
 */
import type { CheckOutcome, CheckResult } from '../checks/check-result.ts';
import { checkExpectations, type CheckExpectationResult } from '../checks/evaluate-checks.ts';
import { SimErrors } from '../core/errors.ts';
import { KIT, type AgentMode, type ExpectationResult, type RunRecord } from '../scenario/run-record.ts';

/** The report layout version; see the file comment for when it changes. */
export const REPORT_VERSION = 1 as const;

/** How one scenario went: its checks and expectations decide pass/fail; the runner decides skipped/error. */
export type ScenarioOutcome = 'pass' | 'fail' | 'skipped' | 'error';

/** An expectation result, with the call it belongs to (absent for run-wide ones). */
export interface ReportExpectation extends ExpectationResult {
  readonly call?: number;
}

/** One scenario's part of the report. */
export interface ScenarioReport {
  readonly scenario: { readonly id: string; readonly title: string; readonly tags: readonly string[]; readonly file: string };
  readonly seed: number;
  /** A one-line command that reproduces this scenario alone. */
  readonly replay: string;
  readonly record: RunRecord;
  readonly results: readonly CheckResult[];
  readonly expectations: readonly ReportExpectation[];
  /** The scenario's `expect.checks` (must pass) and `expect.failingChecks` (must fail), judged. */
  readonly checkExpectations: readonly CheckExpectationResult[];
  readonly outcome: ScenarioOutcome;
  /** Why it was skipped or errored (with the error code when there was one). */
  readonly reason?: string;
  /** Run-clock milliseconds the scenario took. */
  readonly durationMs: number;
}

/** Counts over the whole run. */
export interface RunSummary {
  /** Check results by outcome, over every scenario. */
  readonly byOutcome: Readonly<Record<CheckOutcome, number>>;
  readonly scenarios: { readonly total: number; readonly passed: number; readonly failed: number; readonly skipped: number; readonly errored: number };
  readonly expectations: { readonly passed: number; readonly failed: number };
  readonly checkExpectations: { readonly met: number; readonly unmet: number };
  /** 0 when every scenario passed or was skipped; 1 when any failed or errored. */
  readonly exitCode: 0 | 1;
}

/** How the run reached the agent: `target` is the URL, the spawn command or the embedded module. */
export interface ReportAgentTarget {
  readonly mode: AgentMode;
  readonly target: string;
}

/** One whole run. */
export interface RunReport {
  readonly reportVersion: typeof REPORT_VERSION;
  readonly kit: { readonly name: string; readonly version: string };
  /** ISO 8601, from the run's injected clock. */
  readonly startedAt: string;
  readonly endedAt: string;
  readonly seed: number;
  /** A one-line command that reproduces the whole run. */
  readonly replay: string;
  readonly options: { readonly strict: boolean; readonly agent: ReportAgentTarget };
  readonly scenarios: readonly ScenarioReport[];
  readonly summary: RunSummary;
}

/** One scenario as the run command hands it over. */
export interface ScenarioRun {
  readonly record: RunRecord;
  /** From `evaluateRecord(record, {strict})`. */
  readonly results: readonly CheckResult[];
  /** Default: `record.replay`. */
  readonly replay?: string;
  /** Default: the record's `endedAtMs - startedAtMs`. */
  readonly durationMs?: number;
}

/** Inputs of {@link buildRunReport}. */
export interface RunReportInput {
  /** `clock.epochMs()` when the run started and ended. */
  readonly startedAtEpochMs: number;
  readonly endedAtEpochMs: number;
  readonly seed: number;
  readonly replay: string;
  readonly strict: boolean;
  readonly agent: ReportAgentTarget;
  readonly scenarios: readonly ScenarioRun[];
}

/**
 * Whether a result fails its scenario: every `fail`, and a `missing` on a MUST check (on a SHOULD
 * check too under `--strict`); a missing INFO check never does.
 */
export function isFailingResult(result: Pick<CheckResult, 'outcome' | 'level'>, strict: boolean): boolean {
  if (result.outcome === 'fail') return true;
  return result.outcome === 'missing' && (result.level === 'MUST' || (strict && result.level === 'SHOULD'));
}

/** A result worth a human's attention short of failing: `warn`, or a `missing` SHOULD check that does not fail. */
export function isWarningResult(result: Pick<CheckResult, 'outcome' | 'level'>, strict: boolean): boolean {
  return result.outcome === 'warn' || (result.outcome === 'missing' && result.level === 'SHOULD' && !isFailingResult(result, strict));
}

/** How a result counts for its scenario. `expected-failure`: it fails or warns, as `expect.failingChecks` says it must. */
export type ResultStanding = 'failing' | 'warning' | 'expected-failure' | 'ok';

/** How `result` counts, given its scenario's check expectations. */
export function resultStanding(
  result: Pick<CheckResult, 'checkId' | 'outcome' | 'level'>,
  checkExpectationsOfScenario: readonly Pick<CheckExpectationResult, 'checkId' | 'expected'>[],
  strict: boolean,
): ResultStanding {
  const failing = isFailingResult(result, strict);
  const warning = isWarningResult(result, strict);
  if ((failing || result.outcome === 'warn') && checkExpectationsOfScenario.some((e) => e.checkId === result.checkId && e.expected === 'fail')) return 'expected-failure';
  return failing ? 'failing' : warning ? 'warning' : 'ok';
}

/** Every expectation of a record: run-wide ones first, then each call's. */
export function expectationsOf(record: RunRecord): ReportExpectation[] {
  return [...record.expectations, ...record.calls.flatMap((c) => c.expectations.map((e) => ({ ...e, call: c.index })))];
}

/** The scenario's outcome from the run's status, its check results and its expectations. */
export function scenarioOutcome(
  record: RunRecord,
  results: readonly Pick<CheckResult, 'checkId' | 'outcome' | 'level'>[],
  expectations: readonly Pick<ExpectationResult, 'pass'>[],
  checkExpectationsOfScenario: readonly Pick<CheckExpectationResult, 'checkId' | 'expected' | 'met'>[],
  strict: boolean,
): ScenarioOutcome {
  if (record.outcome.status === 'skipped') return 'skipped';
  if (record.outcome.status === 'error') return 'error';
  const failing = results.some((r) => resultStanding(r, checkExpectationsOfScenario, strict) === 'failing');
  if (failing || expectations.some((e) => !e.pass) || checkExpectationsOfScenario.some((e) => !e.met)) return 'fail';
  return 'pass';
}

function isoOf(epochMs: number, name: string): string {
  if (!Number.isFinite(epochMs)) throw new SimErrors.SIM_ERR_REPORT_INPUT_INVALID(`${name} must be a finite epoch in ms (actual: ${String(epochMs)})`);
  return new Date(epochMs).toISOString();
}

function reasonOf(record: RunRecord): string | undefined {
  const { reason, code } = record.outcome;
  if (reason === undefined && code === undefined) return undefined;
  return code === undefined ? reason : `${reason ?? 'failed'} (${code})`;
}

function scenarioReport(run: ScenarioRun, strict: boolean): ScenarioReport {
  const { record } = run;
  const id = record.scenario.id;
  const stray = run.results.find((r) => r.scenarioId !== id);
  if (stray) throw new SimErrors.SIM_ERR_REPORT_INPUT_INVALID(`a result of check ${stray.checkId} belongs to scenario '${stray.scenarioId}', not '${id}'`);
  const badCall = run.results.find((r) => r.call !== undefined && !record.calls.some((c) => c.index === r.call));
  if (badCall) throw new SimErrors.SIM_ERR_REPORT_INPUT_INVALID(`check ${badCall.checkId} names call ${String(badCall.call)}, which scenario '${id}' does not have`);
  const expectations = expectationsOf(record);
  const checks = record.outcome.status === 'completed' ? checkExpectations(record, run.results) : [];
  const reason = reasonOf(record);
  return {
    scenario: { id, title: record.scenario.title, tags: [...record.scenario.tags], file: record.scenario.file },
    seed: record.seed,
    replay: run.replay ?? record.replay,
    record,
    results: run.results,
    expectations,
    checkExpectations: checks,
    outcome: scenarioOutcome(record, run.results, expectations, checks, strict),
    ...(reason === undefined ? {} : { reason }),
    durationMs: run.durationMs ?? Math.max(0, record.endedAtMs - record.startedAtMs),
  };
}

/** Counts over the scenarios and the exit code they imply. */
export function summariseScenarios(scenarios: readonly ScenarioReport[]): RunSummary {
  const byOutcome: Record<CheckOutcome, number> = { pass: 0, warn: 0, fail: 0, skip: 0, missing: 0 };
  for (const s of scenarios) for (const r of s.results) byOutcome[r.outcome]++;
  const count = (o: ScenarioOutcome) => scenarios.filter((s) => s.outcome === o).length;
  const all = scenarios.flatMap((s) => s.expectations);
  const checks = scenarios.flatMap((s) => s.checkExpectations);
  const failed = count('fail');
  const errored = count('error');
  return {
    byOutcome,
    scenarios: { total: scenarios.length, passed: count('pass'), failed, skipped: count('skipped'), errored },
    expectations: { passed: all.filter((e) => e.pass).length, failed: all.filter((e) => !e.pass).length },
    checkExpectations: { met: checks.filter((e) => e.met).length, unmet: checks.filter((e) => !e.met).length },
    exitCode: failed + errored > 0 ? 1 : 0,
  };
}

/** Builds the report of a run from its records and check results (the one input of every report). */
export function buildRunReport(input: RunReportInput): RunReport {
  if (!Number.isInteger(input.seed)) throw new SimErrors.SIM_ERR_REPORT_INPUT_INVALID(`seed must be an integer (actual: ${String(input.seed)})`);
  if (input.replay.trim() === '' || input.replay.includes('\n')) {
    throw new SimErrors.SIM_ERR_REPORT_INPUT_INVALID(`replay must be one non-empty line (actual: ${JSON.stringify(input.replay)})`);
  }
  const scenarios = input.scenarios.map((run) => scenarioReport(run, input.strict));
  const ids = new Set<string>();
  for (const s of scenarios) {
    if (ids.has(s.scenario.id)) throw new SimErrors.SIM_ERR_REPORT_INPUT_INVALID(`scenario '${s.scenario.id}' appears twice`);
    ids.add(s.scenario.id);
  }
  return {
    reportVersion: REPORT_VERSION,
    kit: { name: KIT.name, version: KIT.version },
    startedAt: isoOf(input.startedAtEpochMs, 'startedAtEpochMs'),
    endedAt: isoOf(input.endedAtEpochMs, 'endedAtEpochMs'),
    seed: input.seed,
    replay: input.replay,
    options: { strict: input.strict, agent: { mode: input.agent.mode, target: input.agent.target } },
    scenarios,
    summary: summariseScenarios(scenarios),
  };
}
