import type { ArrivalObservation, RaceObservation, RegistrationObservation } from './race-observation.ts';
import type { RaceJudgement } from './race-verdict.ts';

/** How the replicas were set up, for the routing diagnosis. */
export interface ReplicaSetup {
  readonly replicas: number;
  /** True when every replica was started with the same REDIS_URL. */
  readonly sharedRegistry: boolean;
}

function replicaName(index: number | undefined): string {
  return index === undefined ? 'an unknown replica' : `replica ${index + 1}`;
}

function registrationLine(obs: RaceObservation, step: RegistrationObservation, multi: boolean): string {
  const call = obs.calls[step.call];
  const letter = call?.letter ?? String(step.call);
  const fields = step.payload.from_number === undefined ? ' (id only)' : step.payload.to_number === undefined ? ` (from ${step.payload.from_number})` : ` (from ${step.payload.from_number}, to ${step.payload.to_number})`;
  const answer = step.outcome === 'response' ? `HTTP ${step.status}` : step.outcome;
  return `${step.duplicate ? `register ${letter} again` : `register ${letter}`}${fields} → ${answer}${multi ? `, ${replicaName(step.replica)}` : ''}`;
}

function arrivalLines(obs: RaceObservation, step: ArrivalObservation, multi: boolean): string[] {
  const call = obs.calls[step.call];
  const letter = call?.letter ?? String(step.call);
  const lines: string[] = [];
  if (step.expiryWaitMs > 0) lines.push(`wait ${step.expiryWaitMs} ms (past the ${obs.ttlMs ?? '?'} ms TTL)`);
  if (step.gapMs > 0) lines.push(`wait ${step.gapMs} ms`);
  const where = multi ? ` → webhook on ${replicaName(step.webhookReplica)}, socket on ${replicaName(step.socketReplica)}` : '';
  lines.push(`call ${letter} arrives (from ${call?.from ?? '?'})${where}${step.failure === undefined ? '' : ` ✗ ${step.failure}`}`);
  return lines;
}

/**
 * The readable account of one run: the steps in the order the agent saw them, the hang-up, then
 * one verdict per call and the contract's other findings. Lines carry no times, so a replay of
 * the same interleaving prints the same timeline.
 */
export function raceTimeline(obs: RaceObservation, judgement: RaceJudgement, setup: ReplicaSetup): string[] {
  const multi = setup.replicas > 1;
  const lines: string[] = [];
  for (const step of obs.steps) {
    if (step.kind === 'register') lines.push(registrationLine(obs, step, multi));
    else lines.push(...arrivalLines(obs, step, multi));
  }
  const never = obs.calls.filter((c) => !obs.steps.some((s) => s.kind === 'register' && s.call === c.index));
  for (const call of never) lines.push(`(${call.letter} is never registered)`);
  lines.push('hang up every call; collect the exports');
  for (const verdict of judgement.verdicts) lines.push(verdict.line);
  for (const violation of judgement.violations) {
    if (violation.kind === 'id-reused' || violation.kind === 'orphan-export' || violation.kind === 'registration-failed') lines.push(violation.message);
  }
  if (obs.error !== undefined) lines.push(`run stopped: ${obs.error} ✗`);
  return lines;
}

/**
 * Explains failures that come from routing: a call whose registration went to one replica and
 * whose WebSocket went to another, when it did not get its own id and the replicas keep their
 * registries in memory. With a shared registry routing explains nothing, so nothing is said.
 */
export function routingDiagnosis(obs: RaceObservation, judgement: RaceJudgement, setup: ReplicaSetup): string[] {
  if (setup.replicas < 2 || setup.sharedRegistry) return [];
  const out: string[] = [];
  for (const verdict of judgement.verdicts) {
    if (verdict.ok || verdict.expected === 'none') continue;
    const registration = obs.steps.find((s): s is RegistrationObservation => s.kind === 'register' && s.call === verdict.call && !s.duplicate);
    const arrival = obs.steps.find((s): s is ArrivalObservation => s.kind === 'arrive' && s.call === verdict.call);
    if (registration?.replica === undefined || arrival?.socketReplica === undefined || registration.replica === arrival.socketReplica) continue;
    const letter = obs.calls[verdict.call]?.letter ?? String(verdict.call);
    out.push(`registration of ${letter} went to ${replicaName(registration.replica)}, call ${letter} went to ${replicaName(arrival.socketReplica)}: replicas do not share the in-memory registry; set REDIS_URL`);
  }
  return out;
}
