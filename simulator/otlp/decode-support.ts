import type { OtlpKeyValue, OtlpRequest } from './model.ts';
import { finding, type Finding, type FindingLocation, type OtlpRuleId } from './rules.ts';

/** Outcome of decoding one request body; bad input is a value, never an exception. */
export type OtlpDecodeResult =
  | { readonly ok: true; readonly request: OtlpRequest; readonly findings: readonly Finding[] }
  | { readonly ok: false; readonly rule: OtlpRuleId; readonly reason: string; readonly field?: string };

/** Thrown inside the decoders to abandon a request; caught at their edge and turned into a value. */
export class Reject {
  readonly rule: OtlpRuleId;
  readonly reason: string;
  readonly field: string | undefined;
  constructor(rule: OtlpRuleId, reason: string, field?: string) {
    this.rule = rule;
    this.reason = reason;
    this.field = field;
  }
}

/** The failure value for a {@link Reject}. */
export function rejected(r: Reject): OtlpDecodeResult {
  return r.field === undefined ? { ok: false, rule: r.rule, reason: r.reason } : { ok: false, rule: r.rule, reason: r.reason, field: r.field };
}

interface Tally {
  readonly rule: OtlpRuleId;
  readonly message: string;
  readonly location: FindingLocation;
  count: number;
}

/**
 * Collects decode warnings, folding repeats of the same issue (one snake_case key in every span of
 * a 10k-span batch) into one finding with a count, so a lint report stays readable and small.
 */
export class WarningSink {
  readonly #tallies = new Map<string, Tally>();

  /** Records one occurrence of the issue identified by `dedupeKey`. */
  add(rule: OtlpRuleId, dedupeKey: string, message: string, location: FindingLocation): void {
    const key = `${rule}\u0000${dedupeKey}`;
    const tally = this.#tallies.get(key);
    if (tally) tally.count++;
    else this.#tallies.set(key, { rule, message, location, count: 1 });
  }

  /** The folded findings, in first-seen order. */
  findings(): Finding[] {
    const out: Finding[] = [];
    for (const t of this.#tallies.values()) {
      out.push(finding(t.rule, t.count > 1 ? `${t.message} (${t.count} occurrences; first shown)` : t.message, t.location));
    }
    return out;
  }
}

/** The first key that occurs twice in `list`, if any. */
export function duplicateKey(list: readonly OtlpKeyValue[]): string | undefined {
  const n = list.length;
  if (n < 2) return undefined;
  if (n <= 16) {
    for (let i = 1; i < n; i++) {
      const k = (list[i] as OtlpKeyValue).key;
      for (let j = 0; j < i; j++) if ((list[j] as OtlpKeyValue).key === k) return k;
    }
    return undefined;
  }
  const seen = new Set<string>();
  for (const kv of list) {
    if (seen.has(kv.key)) return kv.key;
    seen.add(kv.key);
  }
  return undefined;
}

/** Rejects when `list` repeats a key (otlp-coval §2.1: keys MUST be unique). */
export function assertUniqueKeys(list: readonly OtlpKeyValue[], where: string): void {
  const dup = duplicateKey(list);
  if (dup !== undefined) throw new Reject('OTLP-ATTR-DUPLICATE', `attribute key '${dup}' appears more than once in ${where}`, where);
}

/** Deepest AnyValue nesting accepted (arrays/kvlists inside each other). */
export const MAX_ANYVALUE_DEPTH = 64;
