/**
 * What a check concludes about one call (or one scenario), with the evidence that decided it.
 * Evaluators return raw verdicts (`pass`, `violated`, `skip`, `missing`); `applyLevel` turns a
 * violation into `fail` for a MUST check and `warn` for a SHOULD check (`fail` under `--strict`).
 */
import { CHECKS_BY_ID, type CheckLevel } from './catalogue.ts';

/** The outcome reported for a check (architecture §7). */
export type CheckOutcome = 'pass' | 'warn' | 'fail' | 'skip' | 'missing';

/** What an evaluator says before the check's level is applied. */
export type RawVerdict = 'pass' | 'violated' | 'skip' | 'missing';

/** A pointer into the RunRecord plus a one-line summary a human can read in a report. */
export interface Evidence {
  readonly kind: 'frame' | 'http' | 'registration' | 'llm-request' | 'llm-chunk' | 'span' | 'batch' | 'attempt' | 'probe' | 'step' | 'note';
  /** Index of the call in the record, when the evidence belongs to one. */
  readonly call?: number;
  /** Where in the record: a frame index, LLM request seq, attempt seq, span id, … */
  readonly ref?: string | number;
  readonly summary: string;
}

/** An evaluator's verdict for one call (`call` set) or for the whole scenario. */
export interface CheckVerdict {
  readonly checkId: string;
  readonly call?: number;
  readonly verdict: RawVerdict;
  readonly message: string;
  readonly evidence: readonly Evidence[];
}

/** A verdict with the check's level applied: what reports show. */
export interface CheckResult {
  readonly checkId: string;
  readonly level: CheckLevel;
  readonly scenarioId: string;
  readonly call?: number;
  readonly outcome: CheckOutcome;
  readonly message: string;
  readonly evidence: readonly Evidence[];
}

/** Maps a raw verdict to the reported outcome for the check's level. */
export function applyLevel(verdict: CheckVerdict, scenarioId: string, strict: boolean): CheckResult {
  const definition = CHECKS_BY_ID.get(verdict.checkId);
  if (!definition) throw new Error(`applyLevel: unknown check id '${verdict.checkId}' (not in the catalogue)`);
  // INFO checks report; they never fail a run, not even under --strict.
  const outcome: CheckOutcome =
    verdict.verdict !== 'violated' ? verdict.verdict
    : definition.level === 'MUST' || (strict && definition.level === 'SHOULD') ? 'fail'
    : 'warn';
  return {
    checkId: verdict.checkId,
    level: definition.level,
    scenarioId,
    ...(verdict.call === undefined ? {} : { call: verdict.call }),
    outcome,
    message: verdict.message,
    evidence: verdict.evidence,
  };
}
