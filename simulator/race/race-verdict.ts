import type { ArrivalObservation, RaceObservation, RegistrationObservation } from './race-observation.ts';

/** What the correlation contract owes a call. */
export type RaceExpectation =
  /** Its registration was live when it arrived: it must export with its own id. */
  | 'own'
  /** Never registered, refused, or expired: it must export nothing. */
  | 'none'
  /** Its registration's age at the claim is too close to the TTL to tell: own id or nothing. */
  | 'own-or-none';

/** Why a call expects what it expects. */
export type ExpectationReason = 'registered' | 'never registered' | 'registration refused' | 'registration expired' | 'at the TTL boundary';

/** A broken rule of the correlation contract, with the calls it involves. */
export interface RaceViolation {
  readonly kind: 'wrong-id' | 'missing-export' | 'expired-id-used' | 'id-reused' | 'orphan-export' | 'arrival-failed' | 'registration-failed';
  /** Call indexes involved (the exporting call first). */
  readonly calls: readonly number[];
  /** One timeline line, ending in ✗. */
  readonly message: string;
}

/** The judgement of one call. */
export interface CallVerdict {
  readonly call: number;
  readonly expected: RaceExpectation;
  readonly reason: ExpectationReason;
  /** The ids it exported with, as call indexes (or the raw id when no call of the run owns it). */
  readonly exportedWith: readonly (number | string)[];
  readonly ok: boolean;
  /** One timeline line, ending in ✓ or ✗. */
  readonly line: string;
}

/** The judgement of one race run. */
export interface RaceJudgement {
  readonly pass: boolean;
  readonly verdicts: readonly CallVerdict[];
  readonly violations: readonly RaceViolation[];
}

/** Clock slack between the kit's and the agent's readings when telling expired from live. */
export const TTL_TOLERANCE_MS = 50;

function accepted(step: RegistrationObservation): boolean {
  return step.outcome === 'response' && step.status !== undefined && step.status >= 200 && step.status < 300;
}

function expectationOf(observation: RaceObservation, call: number): { expected: RaceExpectation; reason: ExpectationReason } {
  const arrivalAt = observation.steps.findIndex((s) => s.kind === 'arrive' && s.call === call);
  const before = observation.steps.filter((s, i): s is RegistrationObservation => s.kind === 'register' && s.call === call && (arrivalAt < 0 || i < arrivalAt));
  if (before.length === 0) return { expected: 'none', reason: 'never registered' };
  // A duplicate sent before the arrival registers the call just as well when the first was refused.
  const first = before.find(accepted);
  if (first === undefined) return { expected: 'none', reason: 'registration refused' };
  const arrival = arrivalAt < 0 ? undefined : (observation.steps[arrivalAt] as ArrivalObservation);
  const ttl = observation.ttlMs;
  if (ttl === undefined || arrival?.setupSentAtMs === undefined) return { expected: 'own', reason: 'registered' };
  // The agent stamped the registration while handling the POST and claimed between `setup` and its answer.
  const youngest = arrival.setupSentAtMs - first.answeredAtMs;
  const oldest = (arrival.answeredAtMs ?? arrival.setupSentAtMs) - first.sentAtMs;
  if (youngest > ttl + TTL_TOLERANCE_MS) return { expected: 'none', reason: 'registration expired' };
  if (oldest < ttl - TTL_TOLERANCE_MS) return { expected: 'own', reason: 'registered' };
  return { expected: 'own-or-none', reason: 'at the TTL boundary' };
}

/**
 * Judges one run against the correlation contract (architecture §5): every exported trace carries
 * its own call's simulation id, a call whose registration was not live exports nothing, and no id
 * is used by two calls. Pure: the same observation always gives the same judgement.
 */
export function judgeRace(observation: RaceObservation): RaceJudgement {
  const letters = observation.calls.map((c) => c.letter);
  const ownerOfId = new Map(observation.calls.map((c) => [c.simulationOutputId, c.index]));
  const name = (id: string): string => {
    const owner = ownerOfId.get(id);
    return owner === undefined ? `an unknown id (${id})` : `${letters[owner]}'s id`;
  };
  const violations: RaceViolation[] = [];

  for (const step of observation.steps) {
    if (step.kind === 'register' && step.outcome !== 'response') {
      // A refusal (4xx/5xx) is an answer; a dropped connection or no answer at all is not.
      const what = `register ${letters[step.call]}${step.duplicate ? ' again' : ''}`;
      violations.push({ kind: 'registration-failed', calls: [step.call], message: `${what} got no answer: ${step.error ?? step.outcome} ✗` });
    }
    if (step.kind === 'arrive' && step.failure !== undefined) {
      violations.push({ kind: 'arrival-failed', calls: [step.call], message: `call ${letters[step.call]} did not get through: ${step.failure} ✗` });
    }
  }

  const verdicts: CallVerdict[] = observation.calls.map((call) => {
    const { expected, reason } = expectationOf(observation, call.index);
    const ids = [...new Set(observation.exports.filter((e) => e.owner === call.index).map((e) => e.simulationId))];
    const exportedWith = ids.map((id) => ownerOfId.get(id) ?? id);
    const own = ids.includes(call.simulationOutputId);
    const foreign = ids.filter((id) => id !== call.simulationOutputId);
    const who = call.letter;
    for (const id of foreign) violations.push({ kind: 'wrong-id', calls: [call.index, ...(ownerOfId.has(id) ? [ownerOfId.get(id) as number] : [])], message: `${who} exported with ${name(id)} ✗` });
    if (expected === 'own' && !own) {
      if (foreign.length === 0) violations.push({ kind: 'missing-export', calls: [call.index], message: `${who} exported nothing, although its registration was live ✗` });
    }
    if (expected === 'none' && own) {
      violations.push({ kind: 'expired-id-used', calls: [call.index], message: `${who} exported with its own id, although its registration had expired ✗` });
    }
    const ok = foreign.length === 0 && (expected === 'own' ? own : expected === 'none' ? !own : true);
    const line = ok
      ? own
        ? `${who} exported with its own id ✓`
        : `${who} exported nothing ✓ (${reason})`
      : foreign.length > 0
        ? `${who} exported with ${foreign.map(name).join(' and ')} ✗`
        : own
          ? `${who} exported with its own id, although its registration had expired ✗`
          : `${who} exported nothing, although its registration was live ✗`;
    return { call: call.index, expected, reason, exportedWith, ok, line };
  });

  const users = new Map<string, Set<number>>();
  for (const e of observation.exports) {
    if (e.owner === undefined) continue;
    const set = users.get(e.simulationId) ?? new Set<number>();
    set.add(e.owner);
    users.set(e.simulationId, set);
  }
  for (const [id, set] of users) {
    if (set.size < 2) continue;
    const calls = [...set].sort((a, b) => a - b);
    violations.push({ kind: 'id-reused', calls, message: `${name(id)} was used by ${calls.map((c) => letters[c]).join(' and ')} ✗` });
  }
  for (const e of observation.exports) {
    if (e.owner !== undefined) continue;
    const owner = ownerOfId.get(e.simulationId);
    violations.push({
      kind: 'orphan-export',
      calls: owner === undefined ? [] : [owner],
      message: `an export under ${name(e.simulationId)}${e.callSid ? ` (call.sid ${e.callSid})` : ''} belongs to no call of this run ✗`,
    });
  }
  const pass = violations.length === 0 && verdicts.every((v) => v.ok) && observation.error === undefined;
  return { pass, verdicts, violations };
}
