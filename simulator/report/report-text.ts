/* Wording shared by the console, JUnit and HTML reports, so a check reads the same everywhere. */
import type { CheckResult, Evidence } from '../checks/check-result.ts';
import type { RunRecord } from '../scenario/run-record.ts';
import { locateEvidence } from './evidence-location.ts';

/** The call's scenario name (`call-1` by default), or `call #<index>` for an index the record lacks. */
export function callName(record: RunRecord, call: number): string {
  return record.calls.find((c) => c.index === call)?.name ?? `call #${call}`;
}

/** `CR-INTERRUPT-STOPS [call-1]` for a per-call result, the bare id for a scenario-wide one. */
export function resultName(record: RunRecord, result: Pick<CheckResult, 'checkId' | 'call'>): string {
  return result.call === undefined ? result.checkId : `${result.checkId} [${callName(record, result.call)}]`;
}

/** One line for a piece of evidence: its summary, then where it is in the record. */
export function evidenceText(record: RunRecord, scenarioIndex: number, evidence: Evidence): string {
  const where = locateEvidence(record, scenarioIndex, evidence)?.path;
  const summary = oneLine(evidence.summary);
  return where === undefined ? summary : `${summary} (${where})`;
}

/**
 * Collapses line breaks and shows other control characters as `\u{…}`, so untrusted text cannot
 * fake extra report lines or send terminal escape sequences.
 */
export function oneLine(text: string): string {
  return text
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ⏎ ')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
}

/** Milliseconds as `850 ms`, `1.25 s` or `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (Math.abs(ms) < 1000) return `${Math.round(ms * 10) / 10} ms`;
  if (Math.abs(ms) < 60_000) return `${Math.round(ms / 10) / 100} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1000)} s`;
}

/** `text` cut to `max` code points with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
