/** Runs `action` when its turn comes; how turns are decided is up to the implementation. */
export type StepRunner = (label: string, action: () => Promise<void>) => Promise<void>;

/**
 * A barrier that lets labelled steps run strictly one after another in `order`: a step starts only
 * when every step before it has finished. Steps whose label is not in `order` are a test bug.
 */
export function orderedSteps(order: readonly string[]): StepRunner {
  let turn = 0;
  const waiting = new Map<string, () => void>();
  const release = () => waiting.get(order[turn] ?? '')?.();
  return async (label, action) => {
    const position = order.indexOf(label);
    if (position < 0) throw new Error(`orderedSteps: step '${label}' is not in the order ${JSON.stringify(order)}`);
    if (position !== turn) await new Promise<void>((resolve) => waiting.set(label, resolve));
    try {
      await action();
    } finally {
      waiting.delete(label);
      turn++;
      release();
    }
  };
}

/**
 * Turns shrinkable choices into an interleaving of `calls` registrations and arrivals in which each
 * call arrives after its own registration. Choice 0 always picks the first available step
 * (registrations before arrivals, lower indexes first), so shrinking the choices towards 0 moves the
 * interleaving towards the in-order one and leaves only the steps that matter out of order.
 */
export function interleaving(calls: number, choices: readonly number[]): string[] {
  const registered = new Set<number>();
  const arrived = new Set<number>();
  const order: string[] = [];
  for (let step = 0; step < 2 * calls; step++) {
    const available: string[] = [];
    for (let i = 0; i < calls; i++) if (!registered.has(i)) available.push(`register sim-${i}`);
    for (let i = 0; i < calls; i++) if (registered.has(i) && !arrived.has(i)) available.push(`call ${i} arrives`);
    const label = available[(choices[step] ?? 0) % available.length] ?? '';
    const index = Number(/\d+/.exec(label)?.[0]);
    (label.startsWith('register') ? registered : arrived).add(index);
    order.push(label);
  }
  return order;
}
