import type { Clock, TimerHandle } from './clock.ts';

/** The slices an awake sleep is measured in (ms). */
export const AWAKE_SLICE_MS = 10;

/**
 * Sleeps until this process has been awake for `ms`: the time is measured in short slices, and a
 * slice that overran (the event loop was starved by a busy machine) counts only as long as it was
 * meant to last. Windows that wait for something to *not* happen (no more exports) use it, so a
 * stalled process, in which an embedded agent's export is stalled too, gets the quiet time it was
 * promised instead of giving up while work is still queued. Resolves with the awake time slept:
 * `ms`, or less when `signal` aborted first (never rejects).
 */
export function awakeSleep(clock: Clock, ms: number, signal?: AbortSignal, sliceMs = AWAKE_SLICE_MS): Promise<number> {
  return new Promise<number>((resolve) => {
    let awake = 0;
    let slice = 0;
    let sliceStart = clock.now();
    let timer: TimerHandle | undefined;
    const finish = (): void => {
      signal?.removeEventListener('abort', onAbort);
      resolve(awake);
    };
    const onAbort = (): void => {
      timer?.cancel();
      awake += Math.min(clock.now() - sliceStart, slice);
      finish();
    };
    const next = (): void => {
      if (awake >= ms) return finish();
      slice = Math.min(sliceMs, ms - awake);
      sliceStart = clock.now();
      timer = clock.setTimer(slice, () => {
        awake += Math.min(Math.max(clock.now() - sliceStart, 0), slice);
        next();
      });
    };
    if (signal?.aborted) return resolve(0);
    signal?.addEventListener('abort', onAbort, { once: true });
    next();
  });
}
