/** Shared helpers for the per-family check tests. */
import type { CheckVerdict, RawVerdict } from '../../../simulator/checks/check-result.ts';
import { EVALUATORS } from '../../../simulator/checks/evaluate-checks.ts';
import { buildRunRecord, frozen, type MutableRecord } from '../../support/run-record-builder.ts';

/** The verdicts of check `id` over `record`. */
export function verdicts(id: string, record: MutableRecord): CheckVerdict[] {
  const evaluate = EVALUATORS[id];
  if (!evaluate) throw new Error(`no evaluator for ${id}`);
  return evaluate(frozen(record));
}

/** The raw verdict of check `id` for call `call` (`'scenario'` = the scenario-level one). */
export function verdictOf(id: string, record: MutableRecord, call: number | 'scenario' = 0): CheckVerdict {
  const want = call === 'scenario' ? undefined : call;
  const found = verdicts(id, record).find((v) => v.call === want);
  if (!found) throw new Error(`${id} gave no verdict for ${call === 'scenario' ? 'the scenario' : `call ${call}`}`);
  return found;
}

/** Shorthand: the raw verdict word. */
export function rawOf(id: string, record: MutableRecord, call: number | 'scenario' = 0): RawVerdict {
  return verdictOf(id, record, call).verdict;
}

/** The built record after `change`. */
export function recordWith(change: (r: MutableRecord) => void): MutableRecord {
  const r = buildRunRecord();
  change(r);
  return r;
}
