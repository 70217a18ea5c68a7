import fc from 'fast-check';

/** One step of an interleaving: call `call` registers, or call `call` arrives (its `setup`). */
export interface InterleavingStep {
  readonly kind: 'register' | 'arrive';
  /** 0-based call index. */
  readonly call: number;
}

/**
 * When one call's two steps happen, on an abstract step clock (decision 0950). The times belong to
 * the call, not to a position in the interleaving, so removing a call leaves the order of the
 * others unchanged: that is what lets shrinking remove every call that does not matter.
 */
export interface CallTiming {
  /** Step time of the registration. */
  readonly registerAt: number;
  /** Step time of the arrival, counted from the registration (0: as early as the registration). */
  readonly arriveAfter: number;
}

const rank = (s: { time: number; kind: InterleavingStep['kind']; call: number }) => [s.time, s.kind === 'register' ? 0 : 1, s.call] as const;

/**
 * Turns per-call step times into an interleaving of registrations and arrivals in which each call
 * arrives after its own registration: steps run in time order; at equal times registrations come
 * before arrivals and lower call indexes first. All-zero times give the in-order interleaving
 * (every registration, then every arrival, in call order), so shrinking times towards 0 moves the
 * interleaving towards it and leaves only the steps that matter out of order. Negative or
 * fractional times are truncated to non-negative integers.
 */
export function interleavingSteps(calls: readonly CallTiming[]): InterleavingStep[] {
  const at = (n: number) => Math.abs(Math.trunc(n));
  const timed = calls.flatMap((c, call) => [
    { kind: 'register' as const, call, time: at(c.registerAt) },
    { kind: 'arrive' as const, call, time: at(c.registerAt) + at(c.arriveAfter) },
  ]);
  timed.sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
  return timed.map(({ kind, call }) => ({ kind, call }));
}

/** The label of a step in {@link interleaving}'s form: `register sim-<i>` or `call <i> arrives`. */
export function interleavingLabel(step: InterleavingStep): string {
  return step.kind === 'register' ? `register sim-${step.call}` : `call ${step.call} arrives`;
}

/** {@link interleavingSteps} as labels (`register sim-0`, `call 0 arrives`, …), for {@link orderedSteps}-style barriers. */
export function interleaving(calls: readonly CallTiming[]): string[] {
  return interleavingSteps(calls).map(interleavingLabel);
}

/** One step time for a race of at most `maxCalls` calls: 0 to 2·maxCalls − 1, enough to reach every interleaving. */
export function stepTimeArbitrary(maxCalls: number): fc.Arbitrary<number> {
  return fc.nat({ max: Math.max(1, 2 * maxCalls - 1) });
}

/** The step times of one call of a race of at most `maxCalls` calls. */
export function callTimingArbitrary(maxCalls: number): fc.Arbitrary<CallTiming> {
  const time = stepTimeArbitrary(maxCalls);
  return fc.record({ registerAt: time, arriveAfter: time });
}

/**
 * An array of 1 to `maxCalls` calls that shrinks by removing any call, the last one included.
 * fast-check shortens an array from the front and recurses into its tail, which never goes below
 * the minimum length: with a minimum of 1, `[a, b, c]` can become `[b, c]` or `[a, c]` but never
 * `[a, b]`. So the array may be empty while shrinking and the empty race is filtered out.
 */
export function callsArbitrary<T>(call: fc.Arbitrary<T>, maxCalls: number): fc.Arbitrary<T[]> {
  return fc.array(call, { minLength: 0, maxLength: maxCalls }).filter((calls) => calls.length > 0);
}
