/**
 * OTLP-*: the export payloads and the exporter's retry behaviour (otlp-coval.md §1, §2, §4.1, §5.1).
 * Decoding rules are not re-implemented: the fake Coval's rejections (attempt `rule`), the batch
 * findings and the finalize findings (simulator/otlp/rules.ts) decide, by rule id. Per call, only
 * what was sent under the call's own simulation id is judged.
 */
import type { IngestAttempt } from '../coval/trace-store.ts';
import type { Finding } from '../otlp/rules.ts';
import type { BatchRecord, CallRecord, RunRecord } from '../scenario/run-record.ts';
import type { CheckVerdict, Evidence } from './check-result.ts';
import { relayOpened } from './call-view.ts';
import { registrationState } from './registration-view.ts';
import { CHECK_TOLERANCES, RETRYABLE_STATUSES } from './tolerances.ts';
import { attemptAccepted, attemptLabel, attemptsOf, batchesOf, batchLabel } from './trace-view.ts';
import { evidence, listOf, ms, verdictsFor, type CheckEvaluator, type VerdictKit } from './verdicts.ts';

function attemptEvidence(call: CallRecord | undefined, a: IngestAttempt): Evidence {
  return evidence('attempt', call?.index, a.seq, attemptLabel(a));
}

function findingEvidence(call: CallRecord, f: Finding, batch?: BatchRecord): Evidence {
  const where = f.location.spanId ? `span ${f.location.spanName ?? ''} ${f.location.spanId}`.replace('  ', ' ') : f.location.path ?? '';
  const ref = f.location.spanId ?? batch?.seq;
  return evidence(f.location.spanId ? 'span' : 'batch', call.index, ref, `${f.rule}${batch ? ` in batch #${batch.seq}` : ''}${where ? ` at ${where}` : ''}: ${f.message}`);
}

/** The verdict for a call that sent nothing under its id: owed (missing) or not (skip). */
function noExport(record: RunRecord, call: CallRecord, v: VerdictKit): CheckVerdict {
  const state = registrationState(record, call);
  if (state.kind === 'live' && relayOpened(call)) return v.missing(call.index, `no export for ${call.simulationOutputId} arrived (the runner waited ${Math.round(call.export.waitedMs)} ms)`);
  return v.skip(call.index, `nothing was exported under ${call.simulationOutputId}, and nothing was owed (registration ${state.kind})`);
}

/** A check decided by validator rule ids over the call's rejections, batch findings and finalize findings. */
function byRules(checkId: string, rules: readonly string[], what: string): CheckEvaluator {
  const wanted = new Set(rules);
  return (record) => {
    const v = verdictsFor(checkId);
    return record.calls.map((call) => {
      const attempts = attemptsOf(record, call);
      const batches = batchesOf(record, call);
      if (attempts.length === 0 && batches.length === 0) return noExport(record, call, v);
      const bad: Evidence[] = [];
      for (const a of attempts) if (a.outcome === 'rejected' && a.rule !== undefined && wanted.has(a.rule)) bad.push(attemptEvidence(call, a));
      for (const b of batches) for (const f of b.findings) if (f.severity === 'error' && wanted.has(f.rule)) bad.push(findingEvidence(call, f, b));
      for (const f of record.coval.finalize[call.simulationOutputId] ?? []) if (f.severity === 'error' && wanted.has(f.rule)) bad.push(findingEvidence(call, f));
      if (bad.length > 0) return v.violated(call.index, `${bad.length} ${what} problem(s)`, bad);
      if (batches.length === 0) {
        return attempts.some((a) => a.outcome === 'rejected')
          ? v.skip(call.index, `no export was decoded, so ${what} cannot be judged (OTLP-DECODES says why)`)
          : v.skip(call.index, `every export attempt was answered by the fault plan before decoding`);
      }
      const spans = batches.reduce((n, b) => n + b.spanCount, 0);
      return v.pass(call.index, `${batches.length} batch(es), ${spans} span(s): no ${what} problems`, batches.map((b) => evidence('batch', call.index, b.seq, batchLabel(b))));
    });
  };
}

const decodes: CheckEvaluator = (record) => {
  const v = verdictsFor('OTLP-DECODES');
  return record.calls.map((call) => {
    const attempts = attemptsOf(record, call);
    if (attempts.length === 0) return noExport(record, call, v);
    const rejected = attempts.filter((a) => a.outcome === 'rejected');
    const ev = attempts.map((a) => attemptEvidence(call, a));
    if (rejected.length > 0) return v.violated(call.index, `${rejected.length} of ${attempts.length} export(s) were rejected: ${listOf(rejected.map((a) => `${a.status} ${a.rule ?? ''}`.trim()))}`, ev);
    const judged = attempts.filter((a) => a.outcome === 'accepted');
    if (judged.length === 0) return v.skip(call.index, 'every export attempt was answered by the fault plan before decoding', ev);
    return v.pass(call.index, `${judged.length} export(s) decoded and accepted${judged.length < attempts.length ? ` (${attempts.length - judged.length} answered by the fault plan)` : ''}`, ev);
  });
};

const HEADER_RULES = new Set(['OTLP-COVAL-API-KEY', 'OTLP-COVAL-TARGET']);

const headers: CheckEvaluator = (record) => {
  const v = verdictsFor('OTLP-HEADERS');
  const out = record.calls.map((call) => {
    const attempts = attemptsOf(record, call);
    const batches = batchesOf(record, call);
    if (attempts.length === 0 && batches.length === 0) return noExport(record, call, v);
    const bad: Evidence[] = attempts.filter((a) => a.outcome === 'rejected' && a.rule !== undefined && HEADER_RULES.has(a.rule)).map((a) => attemptEvidence(call, a));
    for (const b of batches) {
      const problems: string[] = [];
      if (b.headers['x-api-key'] === undefined) problems.push(b.headers.authorization === undefined ? 'no x-api-key' : 'Authorization instead of x-api-key');
      const targets = ['x-simulation-id', 'x-conversation-id'].filter((h) => b.headers[h] !== undefined);
      if (targets.length !== 1) problems.push(`${targets.length} target headers`);
      if (problems.length > 0) bad.push(evidence('batch', call.index, b.seq, `${batchLabel(b)}: ${problems.join(', ')}`));
    }
    if (bad.length > 0) return v.violated(call.index, `${bad.length} export(s) with wrong headers`, bad);
    if (batches.length === 0) return v.skip(call.index, 'no export got past the fault plan or the body checks, so its headers were not recorded');
    return v.pass(call.index, `${batches.length} batch(es) with x-api-key and X-Simulation-Id`, batches.map((b) => evidence('batch', call.index, b.seq, batchLabel(b))));
  });
  const anonymous = record.coval.attempts.filter((a) => a.simulationId === null);
  if (anonymous.length > 0) {
    out.push(v.violated(undefined, `${anonymous.length} export(s) carried no X-Simulation-Id or X-Conversation-Id`, anonymous.map((a) => attemptEvidence(undefined, a))));
  }
  return out;
};

const ids = byRules('OTLP-IDS', ['OTLP-ID-HEX', 'OTLP-ID-BASE64', 'OTLP-ID-LENGTH', 'OTLP-ID-ZERO', 'OTLP-SPAN-ID-UNIQUE'], 'id');
const times = byRules('OTLP-TIMES', ['OTLP-JSON-INT64', 'OTLP-SPAN-TIME-ZERO', 'OTLP-SPAN-TIME-ORDER'], 'time');
const attributeTypes = byRules(
  'OTLP-ATTRIBUTE-TYPES',
  ['OTLP-ANYVALUE-ONEOF', 'OTLP-ATTR-DUPLICATE', 'OTLP-JSON-ENUM-NAME', 'OTLP-JSON-TYPE', 'OTLP-JSON-BASE64'],
  'attribute type',
);

/** A check computed over the call's stored batches, plus finalize findings of the given rule. */
function overBatches(checkId: string, finalizeRule: string, judge: (batches: readonly BatchRecord[], call: CallRecord) => { bad: Evidence[]; passMessage: string }): CheckEvaluator {
  return (record) => {
    const v = verdictsFor(checkId);
    return record.calls.map((call) => {
      const batches = batchesOf(record, call);
      if (batches.length === 0) {
        const attempts = attemptsOf(record, call);
        return attempts.length === 0 ? noExport(record, call, v) : v.skip(call.index, `no batch was stored under ${call.simulationOutputId}`);
      }
      const { bad, passMessage } = judge(batches, call);
      for (const f of record.coval.finalize[call.simulationOutputId] ?? []) {
        if (f.rule === finalizeRule && !bad.some((e) => e.ref === f.location.spanId && f.location.spanId !== undefined)) bad.push(findingEvidence(call, f));
      }
      if (bad.length > 0) return v.violated(call.index, `${bad.length} problem(s) across ${batches.length} batch(es)`, bad);
      return v.pass(call.index, passMessage);
    });
  };
}

const oneTrace = overBatches('OTLP-ONE-TRACE', 'OTLP-TRACE-SINGLE', (batches, call) => {
  const traces = new Map<string, number>();
  for (const b of batches) for (const s of b.spans) traces.set(s.traceId, (traces.get(s.traceId) ?? 0) + 1);
  const bad =
    traces.size > 1
      ? [...traces.entries()].map(([id, n]) => evidence('batch', call.index, batches.find((b) => b.spans.some((s) => s.traceId === id))?.seq, `trace ${id}: ${n} span(s)`))
      : [];
  return { bad, passMessage: `all spans share trace ${[...traces.keys()][0] ?? '(none)'}` };
});

const parentsResolve = overBatches('OTLP-PARENTS-RESOLVE', 'OTLP-PARENT-RESOLVES', (batches, call) => {
  const known = new Set<string>();
  for (const b of batches) for (const s of b.spans) known.add(`${s.traceId}/${s.spanId}`);
  const bad: Evidence[] = [];
  let children = 0;
  for (const b of batches) {
    for (const s of b.spans) {
      if (s.parentSpanId === '') continue;
      children++;
      if (!known.has(`${s.traceId}/${s.parentSpanId}`)) bad.push(evidence('span', call.index, s.spanId, `span ${s.name} ${s.spanId} (batch #${b.seq}) names parent ${s.parentSpanId}, which is not in its trace`));
    }
  }
  return { bad, passMessage: `every one of ${children} parent id(s) resolves` };
});

const noDuplicateBatch = overBatches('OTLP-NO-DUPLICATE-BATCH', 'OTLP-SPAN-RESENT', (batches, call) => {
  const firstSeen = new Map<string, number>();
  const bad: Evidence[] = [];
  for (const b of batches) {
    for (const s of b.spans) {
      const key = `${s.traceId}/${s.spanId}`;
      const earlier = firstSeen.get(key);
      if (earlier === undefined) firstSeen.set(key, b.seq);
      else if (earlier !== b.seq) bad.push(evidence('span', call.index, s.spanId, `span ${s.name} ${s.spanId} accepted in batch #${earlier} was sent again in batch #${b.seq}`));
    }
  }
  return { bad, passMessage: `${firstSeen.size} span(s) across ${batches.length} batch(es), none sent twice` };
});

/** Whether `b` carries the same batch as `a`: same body size and, when both were stored, the same spans. */
function sameBatch(a: IngestAttempt, b: IngestAttempt, stored: ReadonlyMap<number, BatchRecord>): boolean {
  if (a.bodyBytes !== b.bodyBytes) return false;
  const sa = stored.get(a.seq);
  const sb = stored.get(b.seq);
  if (!sa || !sb) return true;
  const ids = new Set(sa.spans.map((s) => `${s.traceId}/${s.spanId}`));
  return sb.spans.some((s) => ids.has(`${s.traceId}/${s.spanId}`));
}

function attemptChecks(checkId: string, judge: (record: RunRecord, call: CallRecord, attempts: IngestAttempt[], v: VerdictKit) => CheckVerdict): CheckEvaluator {
  return (record) => {
    const v = verdictsFor(checkId);
    return record.calls.map((call) => {
      const attempts = attemptsOf(record, call);
      if (attempts.length === 0) return noExport(record, call, v);
      return judge(record, call, attempts, v);
    });
  };
}

const retryOnlyRetryable = attemptChecks('OTLP-RETRY-ONLY-RETRYABLE', (record, call, attempts, v) => {
  const stored = new Map(batchesOf(record, call).map((b) => [b.seq, b]));
  const bad: Evidence[] = [];
  const flagged = new Set<number>();
  attempts.forEach((a, i) => {
    const accepted = attemptAccepted(a);
    const permanent = a.status !== null && !accepted && !RETRYABLE_STATUSES.has(a.status);
    if (!accepted && !permanent) return;
    for (const b of attempts.slice(i + 1)) {
      if (flagged.has(b.seq) || !sameBatch(a, b, stored)) continue;
      flagged.add(b.seq);
      bad.push(attemptEvidence(call, a), evidence('attempt', call.index, b.seq, `re-sent as ${attemptLabel(b)} after ${accepted ? 'it was accepted' : `a non-retryable ${a.status}`}`));
    }
  });
  if (bad.length > 0) return v.violated(call.index, `${flagged.size} export(s) re-sent after an answer that forbids retrying`, bad);
  return v.pass(call.index, `${attempts.length} attempt(s); none re-sent after an accepted or non-retryable answer`, attempts.map((a) => attemptEvidence(call, a)));
});

/** The Retry-After (seconds) the scenario's fault plan sent with an attempt, if any. */
function retryAfterSeconds(record: RunRecord, attempt: IngestAttempt): number | undefined {
  if (attempt.outcome !== 'fault-status') return undefined;
  const step = /fault plan \(global\) step (\d+)/.exec(attempt.reason ?? '');
  if (!step) return undefined;
  const fault = record.scenario.coval.faults[Number(step[1])];
  return fault?.kind === 'status' ? fault.retryAfterS : undefined;
}

const retryAfter = attemptChecks('OTLP-RETRY-AFTER', (record, call, attempts, v) => {
  const bad: Evidence[] = [];
  const good: Evidence[] = [];
  attempts.forEach((a, i) => {
    const seconds = retryAfterSeconds(record, a);
    const next = attempts[i + 1];
    if (seconds === undefined || !next) return;
    const answeredAt = a.receivedAtMs + a.delayMs;
    const gap = next.receivedAtMs - answeredAt;
    const line = evidence('attempt', call.index, next.seq, `attempt #${next.seq} came ${ms(gap)} after #${a.seq} was answered ${a.status} with Retry-After: ${seconds}`);
    if (gap >= seconds * 1000 - CHECK_TOLERANCES.retryAfterMs) good.push(line);
    else bad.push(line);
  });
  if (bad.length > 0) return v.violated(call.index, `${bad.length} retry(ies) came before Retry-After allowed`, [...bad, ...good]);
  if (good.length === 0) return v.skip(call.index, 'no retried attempt was answered with Retry-After');
  return v.pass(call.index, `${good.length} retry(ies) waited for Retry-After`, good);
});

const retriesRetryable = attemptChecks('OTLP-RETRIES-RETRYABLE', (_record, call, attempts, v) => {
  const retryable = attempts.filter((a) => (a.status === null && a.outcome === 'fault-reset') || (a.status !== null && RETRYABLE_STATUSES.has(a.status)));
  if (retryable.length === 0) return v.skip(call.index, 'no export failed in a retryable way');
  const last = attempts.at(-1) as IngestAttempt;
  const dropped = retryable.filter((a) => a === last);
  if (dropped.length > 0) return v.violated(call.index, `the export was given up after a retryable failure`, attempts.map((a) => attemptEvidence(call, a)));
  return v.pass(call.index, `${retryable.length} retryable failure(s), each retried`, attempts.map((a) => attemptEvidence(call, a)));
});

/** The OTLP evaluators by check id. */
export const OTLP_CHECKS: Readonly<Record<string, CheckEvaluator>> = {
  'OTLP-DECODES': decodes,
  'OTLP-HEADERS': headers,
  'OTLP-IDS': ids,
  'OTLP-TIMES': times,
  'OTLP-ATTRIBUTE-TYPES': attributeTypes,
  'OTLP-ONE-TRACE': oneTrace,
  'OTLP-PARENTS-RESOLVE': parentsResolve,
  'OTLP-NO-DUPLICATE-BATCH': noDuplicateBatch,
  'OTLP-RETRY-ONLY-RETRYABLE': retryOnlyRetryable,
  'OTLP-RETRY-AFTER': retryAfter,
  'OTLP-RETRIES-RETRYABLE': retriesRetryable,
};
