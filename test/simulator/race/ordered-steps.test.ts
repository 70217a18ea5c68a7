import { describe, expect, it } from 'vitest';
import { orderedSteps } from '../../../simulator/race/ordered-steps.ts';

/** Resolves after `n` turns of the microtask queue, so actors reach their steps in a scrambled order. */
async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

describe('orderedSteps', () => {
  it('runs the steps of concurrent actors strictly in the given order, each after the previous finished', async () => {
    const order = ['b1', 'a1', 'c1', 'a2', 'b2'];
    const step = orderedSteps(order);
    const log: string[] = [];
    const act = (label: string, delay: number) => async () => {
      log.push(`start ${label}`);
      await ticks(delay);
      log.push(`end ${label}`);
    };
    await Promise.all([
      (async () => {
        await step('a1', act('a1', 5));
        await step('a2', act('a2', 1));
      })(),
      (async () => {
        await ticks(7);
        await step('b1', act('b1', 3));
        await step('b2', act('b2', 0));
      })(),
      step('c1', act('c1', 2)),
    ]);
    expect(log).toEqual(order.flatMap((l) => [`start ${l}`, `end ${l}`]));
  });

  it('releases the next step even when an action throws', async () => {
    const step = orderedSteps(['x', 'y']);
    const ran: string[] = [];
    const x = step('x', async () => {
      throw new Error('boom');
    });
    const y = step('y', async () => {
      ran.push('y');
    });
    await expect(x).rejects.toThrow('boom');
    await y;
    expect(ran).toEqual(['y']);
  });

  it('refuses a label that is not in the order', async () => {
    await expect(orderedSteps(['x'])('z', async () => undefined)).rejects.toThrow("step 'z' is not in the order");
  });
});
