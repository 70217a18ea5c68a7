import { describe, expect, it } from 'vitest';
import { ABORTED, AbortableSteps, orAbort } from '../../../agent/session/abort-race.ts';
import { barrier } from './session-harness.ts';

/** An iterator whose steps resolve when the test says so; counts its `next()` calls. */
function manualIterator<T>(): { iterator: AsyncIterator<T>; resolveNext(value: T): void; rejectNext(error: unknown): void; readonly calls: number } {
  let pending: { resolve(r: IteratorResult<T>): void; reject(e: unknown): void } | undefined;
  let calls = 0;
  return {
    iterator: {
      next: () =>
        new Promise<IteratorResult<T>>((resolve, reject) => {
          calls++;
          pending = { resolve, reject };
        }),
    },
    resolveNext: (value) => pending?.resolve({ done: false, value }),
    rejectNext: (error) => pending?.reject(error),
    get calls() {
      return calls;
    },
  };
}

describe('orAbort', () => {
  it('passes the value through, or resolves ABORTED when the signal wins', async () => {
    await expect(orAbort(Promise.resolve(7), new AbortController().signal)).resolves.toBe(7);
    const controller = new AbortController();
    const never = new Promise<number>(() => undefined);
    const pending = orAbort(never, controller.signal);
    controller.abort();
    await expect(pending).resolves.toBe(ABORTED);
    await expect(orAbort(Promise.reject(new Error('late')), controller.signal)).resolves.toBe(ABORTED);
  });
});

describe('AbortableSteps', () => {
  it('yields the iterator steps in order and passes errors through', async () => {
    const source = manualIterator<string>();
    const steps = new AbortableSteps(new AbortController().signal);
    const first = steps.next(source.iterator);
    source.resolveNext('a');
    await expect(first).resolves.toEqual({ done: false, value: 'a' });
    const second = steps.next(source.iterator);
    source.rejectNext(new Error('broken stream'));
    await expect(second).rejects.toThrow('broken stream');
    expect(source.calls).toBe(2);
  });

  it('a pending step resolves ABORTED when the signal aborts, and no step is taken after', async () => {
    const source = manualIterator<string>();
    const controller = new AbortController();
    const steps = new AbortableSteps(controller.signal);
    const pending = steps.next(source.iterator);
    controller.abort('interrupt');
    await expect(pending).resolves.toBe(ABORTED);
    // The iterator settling later changes nothing.
    source.resolveNext('late');
    await expect(steps.next(source.iterator)).resolves.toBe(ABORTED);
    expect(source.calls).toBe(1);
  });

  it('a signal aborted before the first step never calls the iterator', async () => {
    const source = manualIterator<string>();
    const controller = new AbortController();
    controller.abort();
    await expect(new AbortableSteps(controller.signal).next(source.iterator)).resolves.toBe(ABORTED);
    expect(source.calls).toBe(0);
  });

  it('after dispose an abort no longer settles a pending step', async () => {
    const source = manualIterator<string>();
    const controller = new AbortController();
    const steps = new AbortableSteps(controller.signal);
    const pending = steps.next(source.iterator);
    steps.dispose();
    controller.abort();
    const settled = barrier();
    let outcome: unknown = 'unsettled';
    void pending.then((value) => {
      outcome = value;
      settled.open();
    });
    await Promise.resolve();
    expect(outcome).toBe('unsettled');
    source.resolveNext('b');
    await settled.promise;
    expect(outcome).toEqual({ done: false, value: 'b' });
  });
});
