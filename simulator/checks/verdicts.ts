/**
 * Small builders for verdicts and evidence, so every evaluator words them the same way and every
 * piece of evidence points into the record with a one-line summary.
 */
import type { CheckVerdict, Evidence, RawVerdict } from './check-result.ts';
import type { RunRecord } from '../scenario/run-record.ts';

/** An evaluator: a pure function of a RunRecord returning its verdicts for one check id. */
export type CheckEvaluator = (record: RunRecord) => CheckVerdict[];

/** Verdict constructors bound to one check id. */
export interface VerdictKit {
  pass(call: number | undefined, message: string, evidence?: readonly Evidence[]): CheckVerdict;
  violated(call: number | undefined, message: string, evidence?: readonly Evidence[]): CheckVerdict;
  skip(call: number | undefined, message: string, evidence?: readonly Evidence[]): CheckVerdict;
  missing(call: number | undefined, message: string, evidence?: readonly Evidence[]): CheckVerdict;
  of(verdict: RawVerdict, call: number | undefined, message: string, evidence?: readonly Evidence[]): CheckVerdict;
}

/** Reports show messages and summaries on one line. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

/** The verdict constructors for `checkId`. */
export function verdictsFor(checkId: string): VerdictKit {
  const of = (verdict: RawVerdict, call: number | undefined, message: string, evidence: readonly Evidence[] = []): CheckVerdict => ({
    checkId,
    ...(call === undefined ? {} : { call }),
    verdict,
    message: oneLine(message),
    evidence,
  });
  return {
    of,
    pass: (call, message, evidence) => of('pass', call, message, evidence),
    violated: (call, message, evidence) => of('violated', call, message, evidence),
    skip: (call, message, evidence) => of('skip', call, message, evidence),
    missing: (call, message, evidence) => of('missing', call, message, evidence),
  };
}

const MAX_QUOTE = 60;

/** `text` in double quotes, cut to a readable length. */
export function quote(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return JSON.stringify(one.length > MAX_QUOTE ? `${one.slice(0, MAX_QUOTE)}…` : one);
}

/** One piece of evidence. */
export function evidence(kind: Evidence['kind'], call: number | undefined, ref: string | number | undefined, summary: string): Evidence {
  return { kind, ...(call === undefined ? {} : { call }), ...(ref === undefined ? {} : { ref }), summary: oneLine(summary) };
}

/** A note (no pointer), e.g. a computed bound. */
export function note(call: number | undefined, summary: string): Evidence {
  return evidence('note', call, undefined, summary);
}

/** "a, b and c" (at most `max` items, then "… and N more"). */
export function listOf(items: readonly string[], max = 5): string {
  if (items.length === 0) return 'none';
  const shown = items.slice(0, max);
  const rest = items.length - shown.length;
  if (rest > 0) return `${shown.join(', ')} and ${rest} more`;
  if (shown.length === 1) return shown[0] as string;
  return `${shown.slice(0, -1).join(', ')} and ${shown.at(-1) as string}`;
}

/** Milliseconds as a short human string. */
export function ms(value: number): string {
  return `${Math.round(value)} ms`;
}
