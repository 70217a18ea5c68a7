/**
 * Read-only views of what the fake Coval received, for the checks: span attributes as plain
 * values, the traces grouped per simulation id and trace id, and which call each trace belongs to.
 * A trace's call is found by the root's `call.sid`, else by its stt transcripts matching one call's
 * prompts, else it is assumed to be the call whose simulation id it was sent under.
 */
import type { IngestAttempt } from '../coval/trace-store.ts';
import type { LlmRequestRecord } from '../openai/history.ts';
import type { AttributeValueJson, BatchRecord, CallRecord, RunRecord, SpanRow } from '../scenario/run-record.ts';
import { finalPrompts, relayOpened, toRunClock } from './call-view.ts';
import { registrationState } from './registration-view.ts';

/** A span row with the batch it came in. */
export interface TraceSpan extends SpanRow {
  readonly batchSeq: number;
  readonly simulationId: string;
}

/** How a trace was tied to a call. */
export type Ownership = 'call.sid' | 'transcripts' | 'simulation-id' | 'unknown';

/** The spans of one trace id received under one simulation id. */
export interface TraceGroup {
  readonly simulationId: string;
  readonly traceId: string;
  readonly spans: readonly TraceSpan[];
  readonly batchSeqs: readonly number[];
  /** Index of the call the trace belongs to. */
  readonly owner: number | undefined;
  readonly ownedBy: Ownership;
  /** The root's call.sid, when present. */
  readonly callSid?: string;
}

/** A call's trace, or why there is none. */
export type CallTrace =
  | { readonly kind: 'present'; readonly spans: readonly TraceSpan[]; readonly groups: readonly TraceGroup[] }
  | { readonly kind: 'absent'; readonly verdict: 'skip' | 'missing'; readonly reason: string };

/** The first of `keys` the span has. */
export function attr(span: SpanRow, ...keys: string[]): AttributeValueJson | undefined {
  for (const key of keys) {
    const value = span.attributes[key];
    if (value !== undefined) return value;
  }
  return undefined;
}

/** An int or double attribute as a number (undefined for other types and non-numeric doubles). */
export function numberValue(value: AttributeValueJson | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value.type === 'int') return Number(value.value);
  if (value.type === 'double') return typeof value.value === 'number' ? value.value : Number(value.value);
  return undefined;
}

/** A string attribute's value. */
export function stringValue(value: AttributeValueJson | undefined): string | undefined {
  return value?.type === 'string' ? value.value : undefined;
}

/** The span's start and end in epoch nanoseconds. */
export function spanNs(span: SpanRow): { start: bigint; end: bigint } {
  return { start: BigInt(span.startNs), end: BigInt(span.endNs) };
}

/** The span's start on the run clock (ms). */
export function spanStartRunMs(record: RunRecord, span: SpanRow): number {
  return toRunClock(record, Number(BigInt(span.startNs) / 1000n) / 1000);
}

/** Describes a span in a few words for evidence. */
export function spanLabel(span: TraceSpan): string {
  const status = span.status.code === 2 ? ` ERROR ${JSON.stringify(span.status.message)}` : '';
  return `span ${span.name} ${span.spanId} (batch #${span.batchSeq}, trace ${span.traceId.slice(0, 8)}…)${status}`;
}

/** Describes an attempt in a few words for evidence. */
export function attemptLabel(attempt: IngestAttempt): string {
  const answer = attempt.status === null ? 'connection reset' : `HTTP ${attempt.status}`;
  const why = attempt.rule ?? attempt.reason;
  return `export attempt #${attempt.seq} for ${attempt.simulationId ?? '(no id)'}: ${answer} ${attempt.outcome}${why ? ` (${why})` : ''}`;
}

/** Describes a batch in a few words for evidence. */
export function batchLabel(batch: BatchRecord): string {
  return `batch #${batch.seq} for ${batch.simulationId}: ${batch.spanCount} spans, ${batch.encoding}`;
}

/** The stt transcripts of a set of spans. */
export function sttTranscripts(spans: readonly SpanRow[]): string[] {
  const out: string[] = [];
  for (const s of spans) {
    if (s.name !== 'stt') continue;
    const text = stringValue(attr(s, 'stt.transcription', 'transcript'));
    if (text !== undefined && text !== '') out.push(text);
  }
  return out;
}

function ownerOf(record: RunRecord, simulationId: string, spans: readonly TraceSpan[]): { owner: number | undefined; ownedBy: Ownership; callSid?: string } {
  const sids = new Set<string>();
  for (const s of spans) {
    const sid = stringValue(s.attributes['call.sid']);
    if (sid !== undefined && (s.parentSpanId === '' || s.name === 'conversation')) sids.add(sid);
  }
  const [sid] = sids;
  if (sid !== undefined) {
    const byCallSid = record.calls.find((c) => c.callSid === sid);
    return { owner: byCallSid?.index, ownedBy: byCallSid ? 'call.sid' : 'unknown', callSid: sid };
  }
  const byId = record.calls.find((c) => c.simulationOutputId === simulationId);
  const transcripts = sttTranscripts(spans);
  if (transcripts.length > 0) {
    const candidates = record.calls.filter((c) => {
      const prompts = new Set(finalPrompts(c).map((p) => p.text));
      return transcripts.every((t) => prompts.has(t));
    });
    const only = candidates.length === 1 ? candidates[0] : candidates.find((c) => c === byId);
    if (only) return { owner: only.index, ownedBy: candidates.length === 1 ? 'transcripts' : 'simulation-id' };
    if (candidates.length === 0) return { owner: undefined, ownedBy: 'unknown' };
  }
  return { owner: byId?.index, ownedBy: byId ? 'simulation-id' : 'unknown' };
}

const GROUPS = new WeakMap<RunRecord, TraceGroup[]>();

/** Every trace received, per simulation id and trace id, each tied to a call where possible. */
export function traceGroups(record: RunRecord): readonly TraceGroup[] {
  const cached = GROUPS.get(record);
  if (cached) return cached;
  const byKey = new Map<string, { simulationId: string; traceId: string; spans: TraceSpan[]; seqs: Set<number> }>();
  for (const batch of record.coval.batches) {
    for (const span of batch.spans) {
      const key = `${batch.simulationId}\u0000${span.traceId}`;
      let group = byKey.get(key);
      if (!group) {
        group = { simulationId: batch.simulationId, traceId: span.traceId, spans: [], seqs: new Set() };
        byKey.set(key, group);
      }
      group.spans.push({ ...span, batchSeq: batch.seq, simulationId: batch.simulationId });
      group.seqs.add(batch.seq);
    }
  }
  const groups = [...byKey.values()].map((g) => ({
    simulationId: g.simulationId,
    traceId: g.traceId,
    spans: g.spans,
    batchSeqs: [...g.seqs],
    ...ownerOf(record, g.simulationId, g.spans),
  }));
  GROUPS.set(record, groups);
  return groups;
}

/** The batches sent under a call's own simulation id. */
export function batchesOf(record: RunRecord, call: CallRecord): BatchRecord[] {
  return record.coval.batches.filter((b) => b.simulationId === call.simulationOutputId);
}

/** The export attempts made under a call's own simulation id, in order. */
export function attemptsOf(record: RunRecord, call: CallRecord): IngestAttempt[] {
  return record.coval.attempts.filter((a) => a.simulationId === call.simulationOutputId).sort((a, b) => a.seq - b.seq);
}

/** Whether Coval (or a fault plan step) answered the attempt 2xx. */
export function attemptAccepted(attempt: IngestAttempt): boolean {
  return attempt.status !== null && attempt.status >= 200 && attempt.status < 300;
}

/** Whether the attempt was answered by the scenario's fault plan rather than by Coval's checks. */
export function attemptFaulted(attempt: IngestAttempt): boolean {
  return attempt.outcome === 'fault-status' || attempt.outcome === 'fault-reset';
}

/**
 * The call's trace wherever it was sent, or why there is none: `skip` when none was owed (no live
 * registration, no relay session) or the fault plan refused every export; `missing` when one was
 * owed and never stored.
 */
export function callTrace(record: RunRecord, call: CallRecord): CallTrace {
  const groups = traceGroups(record).filter((g) => g.owner === call.index);
  if (groups.length > 0) return { kind: 'present', spans: groups.flatMap((g) => g.spans), groups };
  if (!relayOpened(call)) return { kind: 'absent', verdict: 'skip', reason: 'the call never reached the relay socket, so no trace is owed' };
  const state = registrationState(record, call);
  if (state.kind !== 'live') return { kind: 'absent', verdict: 'skip', reason: `no trace is owed: the registration is ${state.kind}` };
  const attempts = attemptsOf(record, call);
  if (attempts.length === 0) {
    return { kind: 'absent', verdict: 'missing', reason: `no export for ${call.simulationOutputId} arrived (the runner waited ${Math.round(call.export.waitedMs)} ms)` };
  }
  if (attempts.every(attemptFaulted)) {
    return { kind: 'absent', verdict: 'skip', reason: `the scenario's fault plan answered every export for ${call.simulationOutputId}, so nothing was stored` };
  }
  return { kind: 'absent', verdict: 'missing', reason: `no export for ${call.simulationOutputId} was stored (${attempts.length} attempt(s), none accepted)` };
}

/**
 * Each LLM request paired with an llm span, keeping both in time order (an order-preserving
 * alignment that pairs as many as possible and, among those, minimises the start-time gaps).
 * Order, not nearest start, decides: the agent's clock and the run clock may differ by more than
 * the gap between two quick completions.
 */
export function pairLlmSpans(record: RunRecord, requests: readonly LlmRequestRecord[], llms: readonly TraceSpan[]): { request: LlmRequestRecord; span: TraceSpan }[] {
  const reqs = [...requests].sort((a, b) => a.receivedAtMs - b.receivedAtMs);
  const spans = [...llms].sort((a, b) => (BigInt(a.startNs) < BigInt(b.startNs) ? -1 : BigInt(a.startNs) > BigInt(b.startNs) ? 1 : 0));
  const n = reqs.length;
  const m = spans.length;
  const unpaired = 1e12;
  const cost: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(Number.POSITIVE_INFINITY));
  const move: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  (cost[0] as number[])[0] = 0;
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= m; j++) {
      const here = (cost[i] as number[])[j] as number;
      if (here === Number.POSITIVE_INFINITY) continue;
      const relax = (a: number, b: number, c: number, how: number) => {
        const row = cost[a] as number[];
        if (c < (row[b] as number)) {
          row[b] = c;
          (move[a] as number[])[b] = how;
        }
      };
      if (i < n && j < m) relax(i + 1, j + 1, here + Math.abs(spanStartRunMs(record, spans[j] as TraceSpan) - (reqs[i] as LlmRequestRecord).receivedAtMs), 1);
      if (j < m) relax(i, j + 1, here, 2);
      if (i < n) relax(i + 1, j, here + unpaired, 3);
    }
  }
  const out: { request: LlmRequestRecord; span: TraceSpan }[] = [];
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const how = (move[i] as number[])[j];
    if (how === 1) {
      out.push({ request: reqs[i - 1] as LlmRequestRecord, span: spans[j - 1] as TraceSpan });
      i--;
      j--;
    } else if (how === 2) j--;
    else i--;
  }
  return out.reverse();
}
