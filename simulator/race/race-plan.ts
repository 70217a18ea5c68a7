import fc from 'fast-check';
import { type CallTiming, callsArbitrary, interleavingSteps, stepTimeArbitrary } from './interleaving.ts';

/** Which fields Coval's pre-call webhook carries (otlp-coval §4.2). */
export type RacePayload = 'id' | 'id+from' | 'id+from+to';

/** Every payload shape, in the order the matrix lists them. */
export const RACE_PAYLOADS: readonly RacePayload[] = ['id', 'id+from', 'id+from+to'];

/** How a call is registered: once (normal), never, or twice (the duplicate before or after its arrival). */
export type RaceRegistration = 'once' | 'missing' | 'twice-before-arrival' | 'twice-after-arrival';

/** One generated call. Every field shrinks towards the plain case (registered once, no wait). */
export interface RaceCallPlan extends CallTiming {
  /** `registerAt` and `arriveAfter` place its two steps in the interleaving (decision 0950). */
  readonly registration: RaceRegistration;
  /** Real milliseconds to wait before this call arrives. */
  readonly gapMs: number;
  /** Wait past the agent's TTL before this call arrives (only when expiry is explored). */
  readonly expire: boolean;
}

/** One generated race: 1 to `--calls` calls; the interleaving follows from their step times. */
export interface RacePlan {
  readonly calls: readonly RaceCallPlan[];
}

/** One step the runner executes, in order. */
export type RaceStep =
  | { readonly kind: 'register'; readonly call: number; readonly duplicate: boolean }
  | { readonly kind: 'arrive'; readonly call: number; readonly gapMs: number; readonly expire: boolean };

/** Options of {@link racePlanArbitrary}. */
export interface RacePlanShape {
  /** Most calls per race (`--calls`). */
  readonly maxCalls: number;
  /** Generate waits past the TTL (off for `--no-expiry` and for agents whose TTL the kit cannot set). */
  readonly expiry: boolean;
}

/** The largest generated gap before an arrival. */
export const MAX_GAP_MS = 29;

function registrationOf(n: number): RaceRegistration {
  if (n < 85) return 'once';
  if (n < 90) return 'missing';
  if (n < 95) return 'twice-before-arrival';
  return 'twice-after-arrival';
}

/**
 * The race generator. A call is a record holding its own step times, so shrinking removes any
 * call without reordering the others (decision 0950) and moves each field towards its plain value:
 * times towards the in-order interleaving, registration towards `once`, gaps towards 0, expiry
 * towards off. Rare cases are mapped from the top of a small integer range so that they shrink away.
 */
export function racePlanArbitrary(shape: RacePlanShape): fc.Arbitrary<RacePlan> {
  const time = stepTimeArbitrary(shape.maxCalls);
  // fast-check shrinks a record's fields in key order: the costly ones first (an expiry wait takes
  // the TTL + 0.3 s of real time in every run that keeps it), so later shrinks run without them.
  const call = fc.record({
    expire: shape.expiry ? fc.nat({ max: 199 }).map((n) => n >= 196) : fc.constant(false),
    gapMs: fc.nat({ max: 69 + MAX_GAP_MS + 1 }).map((n) => Math.max(0, n - 70)),
    registration: fc.nat({ max: 99 }).map(registrationOf),
    registerAt: time,
    arriveAfter: time,
  });
  return callsArbitrary(call, shape.maxCalls).map((calls) => ({ calls }));
}

/**
 * The steps of a plan in execution order: the interleaving of registrations and arrivals, without
 * the registrations of calls that are never registered, with duplicate registrations right after
 * the registration or the arrival they repeat.
 */
export function planSteps(plan: RacePlan): RaceStep[] {
  const steps: RaceStep[] = [];
  for (const step of interleavingSteps(plan.calls)) {
    const call = plan.calls[step.call] as RaceCallPlan;
    if (step.kind === 'register') {
      if (call.registration === 'missing') continue;
      steps.push({ kind: 'register', call: step.call, duplicate: false });
      if (call.registration === 'twice-before-arrival') steps.push({ kind: 'register', call: step.call, duplicate: true });
    } else {
      steps.push({ kind: 'arrive', call: step.call, gapMs: call.gapMs, expire: call.expire });
      if (call.registration === 'twice-after-arrival') steps.push({ kind: 'register', call: step.call, duplicate: true });
    }
  }
  return steps;
}

/** The letter naming call `index` in timelines: A, B, … Z, then A2, B2, …. */
export function callLetter(index: number): string {
  const letter = String.fromCharCode(65 + (index % 26));
  return index < 26 ? letter : `${letter}${Math.floor(index / 26) + 1}`;
}

/** The caller number of call `index` (fixed, so a timeline reads the same in every replay). */
export function callerNumber(index: number): string {
  return `+1555010${String(index + 1).padStart(4, '0')}`;
}

/** The number every race call dials (the agent's). */
export const RACE_AGENT_NUMBER = '+15550100999';

/** What call `index` says; unique per call, so its trace can be told apart by `stt.transcription`. */
export function callPrompt(index: number): string {
  return `This is call ${callLetter(index)}.`;
}
