/**
 * ROB-*: robustness (architecture §10): bad frames, LLM failures and Coval outages leave the call
 * working, and the agent still serves a fresh call afterwards.
 */
import type { CallRecord } from '../scenario/run-record.ts';
import type { Evidence } from './check-result.ts';
import { answerAfter } from './answer-view.ts';
import { finalPrompts, relayOpened, textFrames, userInputTimes } from './call-view.ts';
import { callLlmRequests, llmFailed, requestLabel } from './llm-view.ts';
import { CHECK_TOLERANCES, RETRYABLE_STATUSES } from './tolerances.ts';
import { attemptAccepted, attemptLabel, attemptsOf, callTrace, pairLlmSpans, spanLabel } from './trace-view.ts';
import { evidence, listOf, ms, verdictsFor, type CheckEvaluator } from './verdicts.ts';

/** Why the session ended badly on the agent's side, if it did. */
function agentBrokeSession(call: CallRecord): string | undefined {
  const end = call.relay?.end;
  if (!end) return undefined;
  if (end.cause === 'too-many-malformed') return 'the session was closed for too many malformed agent frames';
  if (end.cause === 'agent-close') return `the agent closed the socket${end.close ? ` (code ${end.close.code}${end.close.reason ? ` ${end.close.reason}` : ''})` : ''}`;
  return undefined;
}

function endEvidence(call: CallRecord): Evidence[] {
  const end = call.relay?.end;
  return end ? [evidence('note', call.index, undefined, `session ended: ${end.cause} at ${Math.round(end.at)} ms${end.close ? `, close ${end.close.code} by ${end.close.initiatedBy}` : ''}`)] : [];
}

const survivesBadFrames: CheckEvaluator = (record) => {
  const v = verdictsFor('ROB-SURVIVES-BAD-FRAMES');
  return record.calls.map((call) => {
    const probes = (call.relay?.callerActions ?? []).filter((a) => a.kind === 'sendRaw');
    if (probes.length === 0) return v.skip(call.index, 'no raw frames were sent');
    const lastProbe = Math.max(...probes.map((a) => a.at));
    const problems: string[] = [];
    const ev: Evidence[] = probes.map((a) => evidence('frame', call.index, a.frames[0], `raw probe at ${Math.round(a.at)} ms`));
    const broke = agentBrokeSession(call);
    if (broke) problems.push(broke);
    const next = finalPrompts(call).find((p) => p.scripted && p.frame.at >= lastProbe);
    const unsent = (call.relay?.callerActions ?? []).find((a) => a.at >= lastProbe && a.kind !== 'sendRaw' && a.outcome === 'session-not-active');
    if (unsent) problems.push(`the caller's ${unsent.kind} after the probes found the session gone`);
    if (next) {
      const timing = answerAfter(record, call, next.frame.at);
      const line = `the next prompt (frame #${next.frame.index}) was ${timing.answer ? `answered after ${ms(timing.delayMs ?? 0)}` : 'never answered'} (bound ${ms(timing.boundMs)})`;
      ev.push(evidence('frame', call.index, timing.answer?.frame.index ?? next.frame.index, line));
      if (!timing.inTime) problems.push(line);
    }
    ev.push(...endEvidence(call));
    if (problems.length > 0) return v.violated(call.index, problems.join('; '), ev);
    return v.pass(call.index, `${probes.length} raw frame(s); ${next ? 'the next prompt was answered and ' : ''}the agent kept the socket open`, ev);
  });
};

const llmErrorSpoken: CheckEvaluator = (record) => {
  const v = verdictsFor('ROB-LLM-ERROR-SPOKEN');
  return record.calls.map((call) => {
    const requests = callLlmRequests(record, call);
    const failures = requests.filter(llmFailed);
    if (failures.length === 0) return v.skip(call.index, 'no LLM request failed');
    if (!relayOpened(call)) return v.skip(call.index, 'the call never reached the relay socket');
    const texts = textFrames(call);
    const trace = callTrace(record, call);
    const pairs = trace.kind === 'present' ? pairLlmSpans(record, requests, trace.spans.filter((s) => s.name === 'llm')) : [];
    const bad: Evidence[] = [];
    const good: Evidence[] = [];
    let traceMissing = false;
    const inputs = userInputTimes(call);
    for (const r of failures) {
      const failAt = r.endedAtMs ?? r.receivedAtMs;
      // The apology belongs to the failed turn: it must come before the caller's next input.
      const nextInput = inputs.find((at) => at > failAt) ?? Number.POSITIVE_INFINITY;
      const until = Math.min(failAt + CHECK_TOLERANCES.apologyBoundMs, nextInput);
      const spoken = texts.find((t) => t.token.trim() !== '' && t.frame.at >= failAt && t.frame.at <= until);
      const closed = texts.find((t) => t.last && t.frame.at >= failAt && t.frame.at <= until);
      const what = requestLabel(r);
      if (!spoken) bad.push(evidence('llm-request', call.index, r.seq, `${what}: nothing was spoken within ${ms(CHECK_TOLERANCES.apologyBoundMs)} of the failure, before the caller spoke again`));
      else if (!closed) bad.push(evidence('frame', call.index, spoken.frame.index, `${what}: the apology ${JSON.stringify(spoken.token)} was not followed by last:true`));
      else good.push(evidence('frame', call.index, spoken.frame.index, `${what}: spoke ${JSON.stringify(spoken.token)} after ${ms(spoken.frame.at - failAt)}, last:true at frame #${closed.frame.index}`));
      if (trace.kind === 'absent') {
        if (trace.verdict === 'missing') traceMissing = true;
        continue;
      }
      const span = pairs.find((p) => p.request === r)?.span;
      if (!span) bad.push(evidence('llm-request', call.index, r.seq, `${what}: no llm span for it`));
      else if (span.status.code !== 2) bad.push(evidence('span', call.index, span.spanId, `${spanLabel(span)}: status ${span.status.code}, not ERROR`));
      else good.push(evidence('span', call.index, span.spanId, spanLabel(span)));
    }
    if (bad.length > 0) return v.violated(call.index, `${failures.length} LLM failure(s): ${bad.length} problem(s)`, [...bad, ...good]);
    if (traceMissing) return v.missing(call.index, 'the apology was spoken, but the trace that should show the ERROR llm span never arrived', good);
    return v.pass(call.index, `${failures.length} LLM failure(s), each apologised for with last:true${trace.kind === 'present' ? ' and an ERROR llm span' : ''}`, good);
  });
};

const covalOutage: CheckEvaluator = (record) => {
  const v = verdictsFor('ROB-COVAL-OUTAGE');
  return record.calls.map((call) => {
    const attempts = attemptsOf(record, call);
    const retryable = attempts.filter((a) => (a.outcome === 'fault-reset' && a.status === null) || (a.outcome === 'fault-status' && a.status !== null && RETRYABLE_STATUSES.has(a.status)));
    if (retryable.length === 0) return v.skip(call.index, 'Coval was not down for this call');
    const permanent = attempts.filter((a) => a.outcome === 'fault-status' && !attemptAccepted(a) && !RETRYABLE_STATUSES.has(a.status ?? 0));
    if (permanent.length > 0) return v.skip(call.index, `not an outage: the fault plan answered ${listOf(permanent.map((a) => String(a.status)))}, which is permanent`);
    const first = retryable[0] as (typeof retryable)[number];
    const delivered = attempts.find((a) => a.seq > first.seq && attemptAccepted(a));
    const ev = attempts.map((a) => evidence('attempt', call.index, a.seq, attemptLabel(a)));
    const problems: string[] = [];
    if (!delivered) problems.push(`the trace was never accepted after ${retryable.length} retryable failure(s)`);
    const failedSteps = call.steps.filter((s) => s.outcome === 'timeout' || s.outcome === 'error');
    if (failedSteps.length > 0) {
      problems.push(`${failedSteps.length} caller step(s) failed`);
      ev.push(...failedSteps.map((s) => evidence('step', call.index, s.index, `step ${s.index} ${s.kind}: ${s.outcome}${s.detail ? ` (${s.detail})` : ''}`)));
    }
    const broke = agentBrokeSession(call);
    if (broke) problems.push(broke);
    if (problems.length > 0) return v.violated(call.index, problems.join('; '), ev);
    const stored = delivered?.outcome === 'accepted' ? 'and stored' : '(answered 2xx by the fault plan, so not stored)';
    return v.pass(call.index, `the call went normally; the trace was accepted on attempt #${delivered?.seq} ${stored} after ${retryable.length} retryable failure(s)`, ev);
  });
};

const nextCallWorks: CheckEvaluator = (record) => {
  const v = verdictsFor('ROB-NEXT-CALL-WORKS');
  const exit = record.agent.process?.exit;
  if (exit) {
    return [v.violated(undefined, `the agent process exited during the run (code ${exit.code}, signal ${exit.signal})`, [evidence('note', undefined, undefined, record.agent.process?.stderrTail.split('\n').filter(Boolean).at(-1) ?? 'no output')])];
  }
  const health = record.probes?.healthAfter;
  if (!health) return [v.skip(undefined, 'the record has no post-scenario health probe')];
  const ev = [evidence('probe', undefined, 'healthAfter', `GET /health after the run: ${health.status ?? 'no answer'} ${health.detail}`.trim())];
  if (health.status === null || health.status < 200 || health.status >= 300) return [v.violated(undefined, `the agent did not answer its health check after the run (${health.status ?? 'no answer'})`, ev)];
  return [v.pass(undefined, `the agent answered ${health.status} after the run`, ev)];
};

/** The ROB evaluators by check id. */
export const ROB_CHECKS: Readonly<Record<string, CheckEvaluator>> = {
  'ROB-SURVIVES-BAD-FRAMES': survivesBadFrames,
  'ROB-LLM-ERROR-SPOKEN': llmErrorSpoken,
  'ROB-COVAL-OUTAGE': covalOutage,
  'ROB-NEXT-CALL-WORKS': nextCallWorks,
};
