/** One step of an interleaving: call `call` registers, or call `call` arrives (its `setup`). */
export interface InterleavingStep {
  readonly kind: 'register' | 'arrive';
  /** 0-based call index. */
  readonly call: number;
}

/**
 * Turns shrinkable choices into an interleaving of `calls` registrations and arrivals in which each
 * call arrives after its own registration (decision 0004). At each step the choice picks one of the
 * available steps (registrations of calls not yet registered, lower indexes first, then arrivals
 * of registered calls); choice 0 always picks the first, so shrinking the choices towards 0 moves
 * the interleaving towards the in-order one and leaves only the steps that matter out of order.
 * Missing choices count as 0; choices past `2 × calls` are ignored.
 */
export function interleavingSteps(calls: number, choices: readonly number[]): InterleavingStep[] {
  const registered = new Set<number>();
  const arrived = new Set<number>();
  const order: InterleavingStep[] = [];
  for (let step = 0; step < 2 * calls; step++) {
    const available: InterleavingStep[] = [];
    for (let i = 0; i < calls; i++) if (!registered.has(i)) available.push({ kind: 'register', call: i });
    for (let i = 0; i < calls; i++) if (registered.has(i) && !arrived.has(i)) available.push({ kind: 'arrive', call: i });
    const choice = Math.abs(Math.trunc(choices[step] ?? 0));
    const picked = available[choice % available.length] as InterleavingStep;
    (picked.kind === 'register' ? registered : arrived).add(picked.call);
    order.push(picked);
  }
  return order;
}

/** The label of a step in {@link interleaving}'s form: `register sim-<i>` or `call <i> arrives`. */
export function interleavingLabel(step: InterleavingStep): string {
  return step.kind === 'register' ? `register sim-${step.call}` : `call ${step.call} arrives`;
}

/** {@link interleavingSteps} as labels (`register sim-0`, `call 0 arrives`, …), for {@link orderedSteps}-style barriers. */
export function interleaving(calls: number, choices: readonly number[]): string[] {
  return interleavingSteps(calls, choices).map(interleavingLabel);
}
