import { describe, expect, it } from 'vitest';
import { awakeSleep } from '../../../simulator/core/awake-sleep.ts';
import type { Clock } from '../../../simulator/core/clock.ts';
import { ManualClock } from '../../../simulator/core/manual-clock.ts';

/** A clock whose timers fire `lag` times later than asked, as on a starved event loop. */
function laggingClock(lag: number): Clock & { readonly fired: number[] } {
  let now = 0;
  const fired: number[] = [];
  return {
    fired,
    now: () => now,
    epochMs: () => now,
    setTimer(delayMs, callback) {
      let cancelled = false;
      void Promise.resolve().then(() => {
        if (cancelled) return;
        now += delayMs * lag;
        fired.push(delayMs);
        callback();
      });
      return { cancel: () => void (cancelled = true) };
    },
  };
}

describe('awakeSleep', () => {
  it('takes exactly its time on a clock that keeps time', async () => {
    const clock = new ManualClock();
    let slept: number | undefined;
    void awakeSleep(clock, 100).then((ms) => (slept = ms));
    await clock.advanceAsync(99);
    expect(slept).toBeUndefined();
    await clock.advanceAsync(1);
    expect(slept).toBe(100);
  });

  it('counts an overrunning slice only as long as it was meant to last', async () => {
    const clock = laggingClock(3);
    expect(await awakeSleep(clock, 100, undefined, 10)).toBe(100);
    // Ten slices of 10 ms, each taking 30 ms: 300 ms passed for 100 ms awake.
    expect(clock.fired).toEqual(Array.from({ length: 10 }, () => 10));
    expect(clock.now()).toBe(300);
  });

  it('resolves with the awake time so far when aborted, and with 0 when already aborted', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const sleeping = awakeSleep(clock, 100, controller.signal);
    await clock.advanceAsync(35);
    controller.abort();
    expect(await sleeping).toBe(35);
    expect(await awakeSleep(clock, 100, controller.signal)).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });
});
