/**
 * COR-*: correlation (architecture §5; otlp-coval.md §4.2). Registrations are judged from the
 * dialer's records; "whose trace is this" from the trace groups (root call.sid, else transcripts).
 */
import type { Evidence } from './check-result.ts';
import type { CallRecord, RunRecord } from '../scenario/run-record.ts';
import { dialAccepted, dialLabel, registrationState, type RegistrationState } from './registration-view.ts';
import { attemptLabel, attemptsOf, callTrace, traceGroups, type TraceGroup } from './trace-view.ts';
import { evidence, listOf, verdictsFor, type CheckEvaluator } from './verdicts.ts';

function dialEvidence(call: CallRecord): Evidence[] {
  return call.registration.dials.map((d, i) => evidence('registration', call.index, i, dialLabel(d, i)));
}

function groupEvidence(group: TraceGroup, call?: number): Evidence {
  const owner = group.owner === undefined ? 'an unknown call' : `call ${group.owner}`;
  return evidence(
    'batch',
    call,
    group.batchSeqs[0],
    `trace ${group.traceId.slice(0, 8)}… under ${group.simulationId} (batch ${group.batchSeqs.map((s) => `#${s}`).join(', ')}) belongs to ${owner} by ${group.ownedBy}${group.callSid ? ` (call.sid ${group.callSid})` : ''}`,
  );
}

function ownKey(group: TraceGroup): string {
  return group.owner === undefined ? `trace ${group.traceId}` : `call ${group.owner}`;
}

function stateText(state: RegistrationState): string {
  switch (state.kind) {
    case 'none':
      return 'the call was not registered';
    case 'invalid':
      return `its registration must be refused (${state.why})`;
    case 'refused':
      return 'the agent refused its registration';
    case 'expired':
      return `its registration was ${Math.round(state.ageMs)} ms old at setup, past the ${state.ttlMs} ms TTL`;
    case 'uncertain':
      return `its registration was about ${Math.round(state.ageMs)} ms old at setup, too close to the ${state.ttlMs} ms TTL to tell`;
    case 'live':
      return 'its registration was live';
  }
}

/** Evidence that a call's trace or an export under its id exists, if any. */
function exportsOfCall(record: RunRecord, call: CallRecord): Evidence[] {
  const out: Evidence[] = [];
  for (const g of traceGroups(record)) if (g.owner === call.index) out.push(groupEvidence(g, call.index));
  for (const a of attemptsOf(record, call)) out.push(evidence('attempt', call.index, a.seq, attemptLabel(a)));
  return out;
}

const registrationAccepted: CheckEvaluator = (record) => {
  const v = verdictsFor('COR-REGISTRATION-ACCEPTED');
  return record.calls.map((call) => {
    const state = registrationState(record, call);
    if (state.kind === 'none') return v.skip(call.index, 'the call is not registered (payload: none)');
    if (state.kind === 'invalid') return v.skip(call.index, `the registration is meant to be refused: ${state.why}`);
    const dials = call.registration.dials;
    if (dials.length === 0) return v.missing(call.index, 'no registration POST was recorded');
    const bad = dials.filter((d) => !dialAccepted(d));
    if (bad.length > 0) return v.violated(call.index, `${bad.length} of ${dials.length} valid registration POST(s) were not answered 2xx`, dialEvidence(call));
    return v.pass(call.index, `${dials.length} registration POST(s) answered 2xx`, dialEvidence(call));
  });
};

const wrongKeyRefused: CheckEvaluator = (record) => {
  const v = verdictsFor('COR-WRONG-KEY-REFUSED');
  return record.calls.map((call) => {
    const spec = call.registration;
    if (spec.payload === 'none' || spec.apiKey === 'valid') return v.skip(call.index, 'the registration carries the valid key');
    const dials = call.registration.dials;
    if (dials.length === 0) return v.missing(call.index, 'no registration POST was recorded');
    const problems: string[] = [];
    const not401 = dials.filter((d) => d.status !== 401);
    if (not401.length > 0) problems.push(`${not401.length} POST(s) with a ${spec.apiKey} key answered ${listOf(not401.map((d) => String(d.status ?? d.outcome)))} instead of 401`);
    const attempts = attemptsOf(record, call);
    if (attempts.length > 0) problems.push(`the agent exported under the refused id ${call.simulationOutputId} (${attempts.length} attempt(s)), so it was queued`);
    const ev = [...dialEvidence(call), ...attempts.map((a) => evidence('attempt', call.index, a.seq, attemptLabel(a)))];
    if (problems.length > 0) return v.violated(call.index, problems.join('; '), ev);
    return v.pass(call.index, `refused with 401 (${spec.apiKey} key) and nothing was exported under ${call.simulationOutputId}`, ev);
  });
};

const missingIdRefused: CheckEvaluator = (record) => {
  const v = verdictsFor('COR-MISSING-ID-REFUSED');
  return record.calls.map((call) => {
    const spec = call.registration;
    if (spec.payload === 'none' || !spec.omitSimulationId) return v.skip(call.index, 'the registration carries a simulation_output_id');
    if (spec.apiKey !== 'valid') return v.skip(call.index, `the registration also has a ${spec.apiKey} key, so a 401 may come first`);
    const dials = call.registration.dials;
    if (dials.length === 0) return v.missing(call.index, 'no registration POST was recorded');
    const not400 = dials.filter((d) => d.status !== 400);
    if (not400.length > 0) {
      return v.violated(call.index, `a registration without simulation_output_id was answered ${listOf(not400.map((d) => String(d.status ?? d.outcome)))} instead of 400`, dialEvidence(call));
    }
    return v.pass(call.index, 'refused with 400', dialEvidence(call));
  });
};

const ownSimulationId: CheckEvaluator = (record) => {
  const v = verdictsFor('COR-OWN-SIMULATION-ID');
  const groups = traceGroups(record);
  const out = record.calls.map((call) => {
    const underOwnId = groups.filter((g) => g.simulationId === call.simulationOutputId);
    const ownElsewhere = groups.filter((g) => g.owner === call.index && g.simulationId !== call.simulationOutputId);
    const foreign = underOwnId.filter((g) => g.owner !== call.index);
    const ev = [...underOwnId, ...ownElsewhere].map((g) => groupEvidence(g, call.index));
    if (foreign.length > 0 || ownElsewhere.length > 0) {
      const parts: string[] = [];
      if (foreign.length > 0) parts.push(`its id ${call.simulationOutputId} carries the trace of ${listOf(foreign.map((g) => (g.owner === undefined ? 'an unknown call' : `call ${g.owner}`)))}`);
      if (ownElsewhere.length > 0) parts.push(`its own trace was exported under ${listOf(ownElsewhere.map((g) => g.simulationId))}`);
      return v.violated(call.index, parts.join('; '), ev);
    }
    if (underOwnId.length > 0) {
      const unconfirmed = underOwnId.every((g) => g.ownedBy === 'simulation-id');
      return v.pass(
        call.index,
        unconfirmed
          ? `its trace arrived under ${call.simulationOutputId} (no call.sid or transcripts to confirm whose it is)`
          : `its trace arrived under its own id ${call.simulationOutputId}`,
        ev,
      );
    }
    const trace = callTrace(record, call);
    if (trace.kind === 'absent') return v.of(trace.verdict, call.index, trace.reason);
    return v.pass(call.index, 'no trace under another id');
  });
  const issued = new Set(record.calls.map((c) => c.simulationOutputId));
  const strangers = record.coval.attempts.filter((a) => a.simulationId !== null && !issued.has(a.simulationId));
  if (strangers.length > 0) {
    out.push(
      v.violated(
        undefined,
        `exports were sent under ids no call was given: ${listOf([...new Set(strangers.map((a) => a.simulationId as string))])}`,
        strangers.map((a) => evidence('attempt', undefined, a.seq, attemptLabel(a))),
      ),
    );
  }
  return out;
};

/** Calls whose registration gave them no usable id: none, refused, invalid or expired. */
function unregisteredNoExport(checkId: string, applies: (state: RegistrationState) => boolean, what: string): CheckEvaluator {
  return (record) => {
    const v = verdictsFor(checkId);
    return record.calls.map((call) => {
      const state = registrationState(record, call);
      if (state.kind === 'uncertain') return v.skip(call.index, stateText(state));
      if (!applies(state)) return v.skip(call.index, `not applicable: ${stateText(state)}`);
      const ev = exportsOfCall(record, call);
      if (ev.length > 0) return v.violated(call.index, `${stateText(state)}, yet ${what}`, ev);
      return v.pass(call.index, `${stateText(state)}; nothing was exported for it`);
    });
  };
}

const unregistered = unregisteredNoExport(
  'COR-UNREGISTERED-NO-EXPORT',
  (s) => s.kind === 'none' || s.kind === 'invalid' || s.kind === 'refused' || s.kind === 'expired',
  'its trace or an export under its id arrived',
);

const expiredNotUsed = unregisteredNoExport('COR-EXPIRED-NOT-USED', (s) => s.kind === 'expired', 'its trace was exported (the stale id was used)');

const duplicateSingleClaim: CheckEvaluator = (record) => {
  const v = verdictsFor('COR-DUPLICATE-SINGLE-CLAIM');
  const groups = traceGroups(record);
  return record.calls.map((call) => {
    const accepted = call.registration.dials.filter(dialAccepted).length;
    if (call.registration.repeat < 2 && accepted < 2) return v.skip(call.index, 'the registration was sent once');
    const under = groups.filter((g) => g.simulationId === call.simulationOutputId);
    const claimants = new Set(under.map(ownKey));
    const ev = under.map((g) => groupEvidence(g, call.index));
    if (claimants.size > 1) {
      return v.violated(call.index, `the id registered ${accepted} times was claimed by ${claimants.size} calls: ${listOf([...claimants])}`, ev);
    }
    return v.pass(call.index, `registered ${call.registration.dials.length} times, claimed by ${claimants.size === 0 ? 'no call' : 'one call'}`, ev);
  });
};

const noIdReuse: CheckEvaluator = (record) => {
  const v = verdictsFor('COR-NO-ID-REUSE');
  const groups = traceGroups(record);
  if (groups.length === 0) return [v.skip(undefined, 'no trace was received')];
  const bySimulation = new Map<string, TraceGroup[]>();
  for (const g of groups) bySimulation.set(g.simulationId, [...(bySimulation.get(g.simulationId) ?? []), g]);
  const reused = [...bySimulation.entries()].filter(([, gs]) => new Set(gs.map(ownKey)).size > 1);
  if (reused.length > 0) {
    return [
      v.violated(
        undefined,
        `${listOf(reused.map(([id, gs]) => `${id} used by ${listOf([...new Set(gs.map(ownKey))])}`))}`,
        reused.flatMap(([, gs]) => gs.map((g) => groupEvidence(g))),
      ),
    ];
  }
  return [v.pass(undefined, `${bySimulation.size} simulation id(s), each used by one call`, groups.map((g) => groupEvidence(g)))];
};

/** The COR evaluators by check id. */
export const COR_CHECKS: Readonly<Record<string, CheckEvaluator>> = {
  'COR-REGISTRATION-ACCEPTED': registrationAccepted,
  'COR-WRONG-KEY-REFUSED': wrongKeyRefused,
  'COR-MISSING-ID-REFUSED': missingIdRefused,
  'COR-OWN-SIMULATION-ID': ownSimulationId,
  'COR-UNREGISTERED-NO-EXPORT': unregistered,
  'COR-EXPIRED-NOT-USED': expiredNotUsed,
  'COR-DUPLICATE-SINGLE-CLAIM': duplicateSingleClaim,
  'COR-NO-ID-REUSE': noIdReuse,
};
