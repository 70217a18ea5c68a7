/**
 * Where a piece of check evidence points in its RunRecord: a path a reader can follow in the JSON
 * report (`calls[0].relay.frames[12]`) and the id of the HTML row that shows it. The HTML report
 * gives its rows exactly these ids, so the two stay in step.
 */
import type { Evidence } from '../checks/check-result.ts';
import type { RunRecord } from '../scenario/run-record.ts';

/** A record path and, when the HTML report draws the thing, the anchor of its row. */
export interface EvidenceLocation {
  readonly path: string;
  readonly anchor?: string;
}

/** An HTML id from parts: characters outside `[A-Za-z0-9-]` become `_xx` escapes, so untrusted ids stay inert. */
export function anchorId(...parts: readonly (string | number)[]): string {
  return parts.map((p) => String(p).replace(/[^A-Za-z0-9-]/g, (c) => `_${c.codePointAt(0)?.toString(16) ?? ''}`)).join('_');
}

/** Row anchors of the HTML report, scoped by scenario position so several scenarios share one page. */
export const anchors = {
  scenario: (s: number) => anchorId(`s${s}`),
  call: (s: number, call: number) => anchorId(`s${s}`, `c${call}`),
  frame: (s: number, call: number, frame: number) => anchorId(`s${s}`, `c${call}`, `f${frame}`),
  webhook: (s: number, call: number) => anchorId(`s${s}`, `c${call}`, 'webhook'),
  action: (s: number, call: number) => anchorId(`s${s}`, `c${call}`, 'action'),
  dial: (s: number, call: number, dial: number) => anchorId(`s${s}`, `c${call}`, `reg${dial}`),
  step: (s: number, call: number, step: number) => anchorId(`s${s}`, `c${call}`, `step${step}`),
  llm: (s: number, seq: number) => anchorId(`s${s}`, `llm${seq}`),
  attempt: (s: number, seq: number) => anchorId(`s${s}`, `att${seq}`),
  span: (s: number, spanId: string) => anchorId(`s${s}`, 'span', spanId),
  probe: (s: number, probe: number) => anchorId(`s${s}`, `probe${probe}`),
  health: (s: number) => anchorId(`s${s}`, 'health'),
  /** A check result's entry in the list of problems (scenario-wide results use `run`). */
  result: (s: number, checkId: string, call: number | undefined) => anchorId(`s${s}`, 'chk', checkId, call === undefined ? 'run' : `c${call}`),
} as const;

function asInt(ref: string | number | undefined): number | undefined {
  if (typeof ref === 'number') return Number.isInteger(ref) ? ref : undefined;
  if (typeof ref === 'string' && /^\d+$/.test(ref)) return Number(ref);
  return undefined;
}

/** `7`, `"7"`, `"7:3"`, `"7/3"` or `"7.3"` → request seq 7 (and chunk 3). */
function llmRef(ref: string | number | undefined): { seq: number; chunk?: number } | undefined {
  const whole = asInt(ref);
  if (whole !== undefined) return { seq: whole };
  const m = typeof ref === 'string' ? /^(\d+)[:/.](\d+)$/.exec(ref) : null;
  return m ? { seq: Number(m[1]), chunk: Number(m[2]) } : undefined;
}

function locateCallEvidence(record: RunRecord, s: number, e: Evidence, c: number): EvidenceLocation | undefined {
  const call = record.calls.find((x) => x.index === c);
  if (!call) return undefined;
  const base = `calls[${record.calls.indexOf(call)}]`;
  const n = asInt(e.ref);
  switch (e.kind) {
    case 'frame': {
      const i = call.relay?.frames.findIndex((f) => f.index === n) ?? -1;
      return i < 0 || n === undefined ? undefined : { path: `${base}.relay.frames[${i}]`, anchor: anchors.frame(s, c, n) };
    }
    case 'http':
      if (e.ref === 'action' && call.relay?.actionCallback && 'exchange' in call.relay.actionCallback) {
        return { path: `${base}.relay.actionCallback.exchange`, anchor: anchors.action(s, c) };
      }
      return call.webhook ? { path: `${base}.webhook.exchange`, anchor: anchors.webhook(s, c) } : undefined;
    case 'registration': {
      const i = n ?? 0;
      return i < call.registration.dials.length ? { path: `${base}.registration.dials[${i}]`, anchor: anchors.dial(s, c, i) } : { path: `${base}.registration` };
    }
    case 'step': {
      const i = call.steps.findIndex((st) => st.index === n);
      return i < 0 || n === undefined ? undefined : { path: `${base}.steps[${i}]`, anchor: anchors.step(s, c, n) };
    }
    default:
      return undefined;
  }
}

/** Locates evidence of scenario `s` (its position in the report) in `record`; undefined when it points nowhere. */
export function locateEvidence(record: RunRecord, s: number, e: Evidence): EvidenceLocation | undefined {
  switch (e.kind) {
    case 'llm-request':
    case 'llm-chunk': {
      const ref = llmRef(e.ref);
      const i = ref === undefined ? -1 : record.llm.requests.findIndex((r) => r.seq === ref.seq);
      if (ref === undefined || i < 0) return undefined;
      const chunk = ref.chunk !== undefined && ref.chunk < (record.llm.requests[i]?.chunks.length ?? 0) ? `.chunks[${ref.chunk}]` : '';
      return { path: `llm.requests[${i}]${chunk}`, anchor: anchors.llm(s, ref.seq) };
    }
    case 'attempt':
    case 'batch': {
      const seq = asInt(e.ref);
      const list = e.kind === 'attempt' ? record.coval.attempts : record.coval.batches;
      const i = list.findIndex((x) => x.seq === seq);
      if (seq === undefined || i < 0) return undefined;
      return { path: `coval.${e.kind === 'attempt' ? 'attempts' : 'batches'}[${i}]`, anchor: anchors.attempt(s, seq) };
    }
    case 'span': {
      if (typeof e.ref !== 'string') return undefined;
      for (const [b, batch] of record.coval.batches.entries()) {
        const i = batch.spans.findIndex((row) => row.spanId === e.ref);
        if (i >= 0) return { path: `coval.batches[${b}].spans[${i}]`, anchor: anchors.span(s, e.ref) };
      }
      return undefined;
    }
    case 'probe': {
      if (e.ref === 'healthAfter') return record.probes?.healthAfter ? { path: 'probes.healthAfter', anchor: anchors.health(s) } : undefined;
      const results = record.probes?.results ?? [];
      const n = asInt(e.ref);
      const i = n !== undefined ? (n < results.length ? n : -1) : results.findIndex((p) => p.kind === e.ref);
      return i < 0 ? undefined : { path: `probes.results[${i}]`, anchor: anchors.probe(s, i) };
    }
    case 'note':
      return undefined;
    default:
      return e.call === undefined ? undefined : locateCallEvidence(record, s, e, e.call);
  }
}
