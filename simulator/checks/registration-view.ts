/**
 * What became of a call's registration: never sent, refused, accepted but expired by the time the
 * call arrived, or live. COR checks judge these; the trace checks use them to know whether the agent
 * owed the call a trace.
 */
import type { DialRecord } from '../coval/dialer.ts';
import type { CallRecord, RunRecord } from '../scenario/run-record.ts';
import { setupAt, toRunClock } from './call-view.ts';
import { CHECK_TOLERANCES, DEFAULT_REGISTRATION_TTL_SECONDS } from './tolerances.ts';

/** The state of a call's registration when the call arrived. */
export type RegistrationState =
  | { readonly kind: 'none' }
  | { readonly kind: 'invalid'; readonly why: string }
  | { readonly kind: 'refused'; readonly dials: readonly DialRecord[] }
  | { readonly kind: 'expired'; readonly ageMs: number; readonly ttlMs: number }
  | { readonly kind: 'uncertain'; readonly ageMs: number; readonly ttlMs: number }
  | { readonly kind: 'live'; readonly dial: DialRecord };

/** Whether a dial got a 2xx answer. */
export function dialAccepted(dial: DialRecord): boolean {
  return dial.outcome === 'response' && dial.status !== undefined && dial.status >= 200 && dial.status < 300;
}

/** Why a registration spec is one the agent must refuse, if it is. */
export function invalidRegistration(call: CallRecord): string | undefined {
  const spec = call.registration;
  if (spec.apiKey !== 'valid') return `its x-api-key is ${spec.apiKey}`;
  if (spec.omitSimulationId) return 'it has no simulation_output_id';
  return undefined;
}

/** The TTL the agent was given (SIMULATION_TTL_SECONDS), in ms. */
export function registrationTtlMs(record: RunRecord): number {
  const raw = record.agent.env.SIMULATION_TTL_SECONDS ?? record.scenario.agent.env.SIMULATION_TTL_SECONDS;
  const seconds = raw === undefined ? DEFAULT_REGISTRATION_TTL_SECONDS : Number(raw);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_REGISTRATION_TTL_SECONDS) * 1000;
}

/**
 * The registration's state at the call's `setup`. Its age is bracketed by the dial's start and end,
 * so a registration is `expired` only when even the shortest possible age exceeds the TTL by the
 * margin, and `live` when even the longest is within the TTL by the margin; else `uncertain`.
 */
export function registrationState(record: RunRecord, call: CallRecord): RegistrationState {
  if (call.registration.payload === 'none') return { kind: 'none' };
  const invalid = invalidRegistration(call);
  if (invalid !== undefined) return { kind: 'invalid', why: invalid };
  const accepted = call.registration.dials.filter(dialAccepted);
  const first = accepted[0];
  if (first === undefined) return { kind: 'refused', dials: call.registration.dials };
  const arrived = setupAt(call);
  if (arrived === undefined) return { kind: 'live', dial: first };
  // A duplicate is ignored by the agent, so the first accepted dial sets the age.
  const sentAt = toRunClock(record, first.sentAtMs);
  const minAge = arrived - (sentAt + first.durationMs);
  const maxAge = arrived - sentAt;
  const ttlMs = registrationTtlMs(record);
  if (minAge > ttlMs + CHECK_TOLERANCES.expiryMarginMs) return { kind: 'expired', ageMs: minAge, ttlMs };
  if (maxAge < ttlMs - CHECK_TOLERANCES.expiryMarginMs) return { kind: 'live', dial: first };
  return { kind: 'uncertain', ageMs: maxAge, ttlMs };
}

/** Describes a dial in a few words for evidence. */
export function dialLabel(dial: DialRecord, i: number): string {
  const answer = dial.outcome === 'response' ? `answered ${dial.status}` : dial.outcome;
  return `registration POST #${i + 1} for ${dial.simulationOutputId}: ${answer}${dial.bodyText ? ` ${dial.bodyText.slice(0, 60)}` : ''}`;
}
