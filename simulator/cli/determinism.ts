import type { ScenarioRun } from '../report/run-report.ts';
import { normaliseRecord } from '../scenario/normalise-record.ts';
import { diffValues, type ValueDifference } from './value-diff.ts';

/** How two runs of one scenario with the same seed differed. */
export interface DeterminismDifference {
  readonly scenario: string;
  /** Differences between the normalised RunRecords (the first few). */
  readonly recordDifferences: readonly ValueDifference[];
  readonly recordDifferenceCount: number;
  /** Checks whose outcome differs: `CR-INTERRUPT-STOPS [call 0]: pass then fail`. */
  readonly verdictDifferences: readonly string[];
}

function outcomes(run: ScenarioRun): Map<string, string> {
  return new Map(run.results.map((r) => [`${r.checkId}${r.call === undefined ? '' : ` [call ${r.call}]`}`, r.outcome]));
}

/**
 * Pairs the two passes by scenario id and compares the normalised records (architecture §4) and
 * the check outcomes. A scenario that ran in only one pass is a difference too.
 */
export function compareRuns(first: readonly ScenarioRun[], second: readonly ScenarioRun[], limit = 10): DeterminismDifference[] {
  const byId = new Map(second.map((r) => [r.record.scenario.id, r]));
  const out: DeterminismDifference[] = [];
  for (const a of first) {
    const id = a.record.scenario.id;
    const b = byId.get(id);
    if (b === undefined) {
      out.push({ scenario: id, recordDifferences: [], recordDifferenceCount: 0, verdictDifferences: ['the second run did not finish'] });
      continue;
    }
    const { differences, total } = diffValues(normaliseRecord(a.record), normaliseRecord(b.record), limit);
    const left = outcomes(a);
    const right = outcomes(b);
    const verdicts = [...new Set([...left.keys(), ...right.keys()])]
      .filter((k) => left.get(k) !== right.get(k))
      .map((k) => `${k}: ${left.get(k) ?? 'absent'} then ${right.get(k) ?? 'absent'}`);
    if (total > 0 || verdicts.length > 0) out.push({ scenario: id, recordDifferences: differences, recordDifferenceCount: total, verdictDifferences: verdicts });
  }
  return out;
}

/** The console section for determinism differences (empty when there are none). */
export function formatDeterminism(found: readonly DeterminismDifference[], seed: number, total: number, replay: (scenario: string) => string): string {
  if (found.length === 0) return `determinism: ${total} scenario${total === 1 ? '' : 's'} gave equal normalised records and verdicts in two runs with seed ${seed}\n`;
  const lines = [`DETERMINISM FAILED: ${found.length} of ${total} scenario${total === 1 ? '' : 's'} differ between two runs with seed ${seed}`];
  for (const d of found) {
    lines.push(`  ${d.scenario}: ${d.recordDifferenceCount} record difference${d.recordDifferenceCount === 1 ? '' : 's'}, ${d.verdictDifferences.length} verdict difference${d.verdictDifferences.length === 1 ? '' : 's'}`);
    for (const v of d.verdictDifferences) lines.push(`    verdict ${v}`);
    for (const r of d.recordDifferences) lines.push(`    ${r.path}: ${r.first} then ${r.second}`);
    if (d.recordDifferenceCount > d.recordDifferences.length) lines.push(`    … ${d.recordDifferenceCount - d.recordDifferences.length} more`);
    lines.push(`    replay: ${replay(d.scenario)}`);
  }
  return `${lines.join('\n')}\n`;
}
