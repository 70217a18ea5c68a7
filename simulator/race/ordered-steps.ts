/** Runs `action` when its turn comes; how turns are decided is up to the implementation. */
export type StepRunner = (label: string, action: () => Promise<void>) => Promise<void>;

/**
 * A barrier that lets labelled steps run strictly one after another in `order`: a step starts only
 * when every step before it has finished (decision 0004). Actors run concurrently and each calls
 * the runner for its own steps; the runner holds a step back until its turn. A label that is not
 * in `order` throws: it is a bug in whoever built the order.
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
