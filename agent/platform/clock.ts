/** A handle to a pending timer; cancelling twice, or after it fired, is harmless. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * The agent's only source of time (architecture §4): TTLs, retry backoff and TTFB all read it,
 * so tests can swap in a {@link ManualClock} and decide exactly when things happen.
 */
export interface Clock {
  /** Monotonic milliseconds since an arbitrary origin; never goes backwards. */
  now(): number;
  /** Wall-clock milliseconds since the Unix epoch, consistent with {@link Clock.now}. */
  epochMs(): number;
  /** Calls `callback` once after `delayMs` milliseconds of this clock's time. */
  setTimer(delayMs: number, callback: () => void): TimerHandle;
}

/**
 * The production clock. Wall-clock time is derived from the monotonic clock plus the process's
 * time origin, so durations computed from either are consistent (Date.now can jump with NTP).
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  epochMs: () => performance.timeOrigin + performance.now(),
  setTimer(delayMs, callback) {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(timer) };
  },
};

/** Resolves after `delayMs` on `clock`; rejects with the signal's reason if it aborts first. */
export function sleep(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      timer.cancel();
      reject(signal?.reason);
    };
    const timer = clock.setTimer(delayMs, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
