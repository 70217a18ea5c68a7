/**
 * The check engine: every catalogue check evaluated over one RunRecord, its level applied, and the
 * results summed up. Pure: a saved record re-checked offline gives the same results.
 */
import { SimErrors } from '../core/errors.ts';
import type { RunRecord } from '../scenario/run-record.ts';
import { CHECKS } from './catalogue.ts';
import { applyLevel, type CheckOutcome, type CheckResult, type CheckVerdict } from './check-result.ts';
import { COR_CHECKS } from './cor-checks.ts';
import { CR_CHECKS } from './cr-checks.ts';
import { INFO_CHECKS } from './info-checks.ts';
import { OTLP_CHECKS } from './otlp-checks.ts';
import { ROB_CHECKS } from './rob-checks.ts';
import { SEC_CHECKS } from './sec-checks.ts';
import { SPAN_CHECKS } from './span-checks.ts';
import type { CheckEvaluator } from './verdicts.ts';

/** Every evaluator by check id. */
export const EVALUATORS: Readonly<Record<string, CheckEvaluator>> = {
  ...COR_CHECKS,
  ...CR_CHECKS,
  ...OTLP_CHECKS,
  ...SPAN_CHECKS,
  ...SEC_CHECKS,
  ...ROB_CHECKS,
  ...INFO_CHECKS,
};

/** Options of {@link evaluateRecord}. */
export interface EvaluateOptions {
  /** `--strict`: a violated SHOULD check fails instead of warning. */
  readonly strict?: boolean;
}

function checked(id: string, record: RunRecord, verdicts: readonly CheckVerdict[]): readonly CheckVerdict[] {
  for (const v of verdicts) {
    if (v.checkId !== id) throw new SimErrors.SIM_ERR_CHECK_EVALUATOR_INVALID(id, `it returned a verdict for ${v.checkId}`);
    if (v.call !== undefined && !record.calls.some((c) => c.index === v.call)) throw new SimErrors.SIM_ERR_CHECK_EVALUATOR_INVALID(id, `it named call ${v.call}, which the record does not have`);
  }
  return verdicts;
}

/**
 * Every catalogue check over `record`, in catalogue order: at least one result per check (one per
 * call for per-call checks, or one for the scenario), with the check's level applied.
 */
export function evaluateRecord(record: RunRecord, options: EvaluateOptions = {}): CheckResult[] {
  const strict = options.strict ?? false;
  const scenarioId = record.scenario.id;
  const out: CheckResult[] = [];
  for (const check of CHECKS) {
    const evaluator = EVALUATORS[check.id];
    if (!evaluator) throw new SimErrors.SIM_ERR_CHECK_EVALUATOR_INVALID(check.id, 'there is none');
    let verdicts: readonly CheckVerdict[];
    if (record.outcome.status === 'skipped') {
      verdicts = [{ checkId: check.id, verdict: 'skip', message: `the scenario was not run: ${record.outcome.reason ?? 'skipped'}`, evidence: [] }];
    } else {
      verdicts = checked(check.id, record, evaluator(record));
      if (verdicts.length === 0) verdicts = [{ checkId: check.id, verdict: 'skip', message: 'not applicable: the scenario has no calls', evidence: [] }];
    }
    for (const v of verdicts) out.push(applyLevel(v, scenarioId, strict));
  }
  return out;
}

/**
 * Whether a result fails its scenario: every `fail`, and a `missing` on a MUST check (on a SHOULD
 * check too under strict); a missing INFO check never does. The same rule as the run report's.
 */
export function isFailing(result: Pick<CheckResult, 'outcome' | 'level'>, strict = false): boolean {
  if (result.outcome === 'fail') return true;
  return result.outcome === 'missing' && (result.level === 'MUST' || (strict && result.level === 'SHOULD'));
}

/** Counts by outcome and the overall verdict. */
export interface CheckSummary {
  readonly total: number;
  readonly counts: Readonly<Record<CheckOutcome, number>>;
  /** The results that fail the run (see {@link isFailing}). */
  readonly failing: readonly CheckResult[];
  /** True when nothing fails. */
  readonly passed: boolean;
}

/** Sums results up: counts by outcome; the run fails on any `fail` (and on a MUST check's `missing`). */
export function summarise(results: readonly CheckResult[], options: EvaluateOptions = {}): CheckSummary {
  const counts: Record<CheckOutcome, number> = { pass: 0, warn: 0, fail: 0, skip: 0, missing: 0 };
  for (const r of results) counts[r.outcome]++;
  const failing = results.filter((r) => isFailing(r, options.strict ?? false));
  return { total: results.length, counts, failing, passed: failing.length === 0 };
}

/** Whether a check the scenario lists under `expect.checks` or `expect.failingChecks` behaved as listed. */
export interface CheckExpectationResult {
  readonly checkId: string;
  readonly expected: 'pass' | 'fail';
  readonly met: boolean;
  readonly detail: string;
}

/**
 * Judges `expect.checks` (each must pass somewhere and fail or warn nowhere) and
 * `expect.failingChecks` (each must fail or warn at least once) over the results of a record.
 */
export function checkExpectations(record: RunRecord, results: readonly CheckResult[]): CheckExpectationResult[] {
  const describe = (rs: readonly CheckResult[]) => rs.map((r) => `${r.call === undefined ? 'scenario' : `call ${r.call}`}: ${r.outcome}`).join(', ') || 'no results';
  const out: CheckExpectationResult[] = [];
  for (const id of record.scenario.expect.checks) {
    const rs = results.filter((r) => r.checkId === id);
    const bad = rs.filter((r) => r.outcome === 'fail' || r.outcome === 'warn' || r.outcome === 'missing');
    const met = bad.length === 0 && rs.some((r) => r.outcome === 'pass');
    out.push({ checkId: id, expected: 'pass', met, detail: describe(rs) });
  }
  for (const id of record.scenario.expect.failingChecks) {
    const rs = results.filter((r) => r.checkId === id);
    const met = rs.some((r) => r.outcome === 'fail' || r.outcome === 'warn');
    out.push({ checkId: id, expected: 'fail', met, detail: describe(rs) });
  }
  return out;
}
