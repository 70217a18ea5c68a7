import { describe, expect, it } from 'vitest';

/** The surface both programs' manual clocks share. */
export interface TestableManualClock {
  now(): number;
  epochMs(): number;
  setTimer(delayMs: number, callback: () => void): { cancel(): void };
  readonly pendingTimers: number;
  nextDueAt(): number | undefined;
  advance(ms: number): number;
  advanceAsync(ms: number): Promise<number>;
  runAllAsync(limitMs?: number): Promise<number>;
}

/** A ManualClock class and its program's sleep; each program's test runs the suite on its own. */
export interface ManualClockSuite<C extends TestableManualClock> {
  readonly ManualClock: new (options?: { startMs?: number; epochBaseMs?: number }) => C;
  readonly sleep: (clock: C, delayMs: number, signal?: AbortSignal) => Promise<void>;
}

/** The behaviour every ManualClock and sleep pair must have (agent/platform and simulator/core). */
export function describeManualClock<C extends TestableManualClock>({ ManualClock, sleep }: ManualClockSuite<C>): void {
  describe('ManualClock', () => {
    it('does not move until advanced, and keeps wall-clock time in step with monotonic time', () => {
      const clock = new ManualClock({ startMs: 5, epochBaseMs: 1_000_000 });
      expect(clock.now()).toBe(5);
      expect(clock.epochMs()).toBe(1_000_005);
      clock.advance(10);
      expect(clock.now()).toBe(15);
      expect(clock.epochMs()).toBe(1_000_015);
    });

    it('fires due timers in due-time order, ties in creation order, and reports the time they were due', () => {
      const clock = new ManualClock();
      const fired: string[] = [];
      clock.setTimer(30, () => fired.push(`c@${clock.now()}`));
      clock.setTimer(10, () => fired.push(`a@${clock.now()}`));
      clock.setTimer(10, () => fired.push(`b@${clock.now()}`));
      clock.setTimer(31, () => fired.push('late'));
      expect(clock.advance(30)).toBe(3);
      expect(fired).toEqual(['a@10', 'b@10', 'c@30']);
      expect(clock.pendingTimers).toBe(1);
      expect(clock.nextDueAt()).toBe(31);
    });

    it('fires a timer exactly at its due time, not a millisecond before', () => {
      const clock = new ManualClock();
      let fired = false;
      clock.setTimer(100, () => { fired = true; });
      clock.advance(99);
      expect(fired).toBe(false);
      clock.advance(1);
      expect(fired).toBe(true);
    });

    it('fires timers scheduled by callbacks within the same advance window', () => {
      const clock = new ManualClock();
      const fired: number[] = [];
      clock.setTimer(10, () => {
        fired.push(clock.now());
        clock.setTimer(5, () => fired.push(clock.now()));
      });
      clock.advance(20);
      expect(fired).toEqual([10, 15]);
      expect(clock.now()).toBe(20);
    });

    it('never fires a cancelled timer', () => {
      const clock = new ManualClock();
      let fired = false;
      const timer = clock.setTimer(1, () => { fired = true; });
      timer.cancel();
      timer.cancel();
      clock.advance(5);
      expect(fired).toBe(false);
      expect(clock.pendingTimers).toBe(0);
    });

    it('rejects a negative advance', () => {
      expect(() => new ManualClock().advance(-1)).toThrow(RangeError);
    });

    it('lets promise continuations schedule follow-up timers during advanceAsync', async () => {
      const clock = new ManualClock();
      const seen: number[] = [];
      const run = (async () => {
        await sleep(clock, 10);
        seen.push(clock.now());
        await sleep(clock, 10);
        seen.push(clock.now());
      })();
      await clock.advanceAsync(25);
      await run;
      expect(seen).toEqual([10, 20]);
    });

    it('runs every pending timer with runAllAsync', async () => {
      const clock = new ManualClock();
      const done = sleep(clock, 1_000).then(() => clock.now());
      await clock.runAllAsync();
      await expect(done).resolves.toBe(1_000);
    });
  });

  describe('sleep', () => {
    it('rejects with the abort reason and cancels its timer when aborted', async () => {
      const clock = new ManualClock();
      const controller = new AbortController();
      const slept = sleep(clock, 100, controller.signal);
      controller.abort(new Error('stop'));
      await expect(slept).rejects.toThrow('stop');
      expect(clock.pendingTimers).toBe(0);
    });

    it('rejects at once when the signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort(new Error('already'));
      await expect(sleep(new ManualClock(), 1, controller.signal)).rejects.toThrow('already');
    });
  });
}
