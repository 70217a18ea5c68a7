import type { Clock, TimerHandle } from './clock.ts';

interface PendingTimer {
  readonly dueAt: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/** Options for {@link ManualClock}. */
export interface ManualClockOptions {
  /** Initial monotonic reading in ms (default 0). */
  readonly startMs?: number;
  /** Wall-clock epoch ms at monotonic 0 (default 2026-01-01T00:00:00Z). */
  readonly epochBaseMs?: number;
}

/** Resolves once the event loop has drained pending microtasks and I/O callbacks. */
function flushEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock that only moves when told to. `advance(ms)` fires every timer that falls due within
 * the window in due-time order (ties in creation order), including timers created by callbacks
 * fired during the same advance.
 */
export class ManualClock implements Clock {
  #now: number;
  readonly #epochBaseMs: number;
  #seq = 0;
  #timers: PendingTimer[] = [];

  constructor(options: ManualClockOptions = {}) {
    this.#now = options.startMs ?? 0;
    this.#epochBaseMs = options.epochBaseMs ?? Date.UTC(2026, 0, 1);
  }

  /** Monotonic milliseconds. */
  now(): number {
    return this.#now;
  }

  /** Wall-clock epoch milliseconds. */
  epochMs(): number {
    return this.#epochBaseMs + this.#now;
  }

  /** Registers a timer due at `now() + delayMs`. */
  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const timer: PendingTimer = {
      dueAt: this.#now + Math.max(0, delayMs),
      seq: this.#seq++,
      callback,
      cancelled: false,
    };
    this.#timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Number of timers not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /** Due time of the next live timer, or undefined when none is pending. */
  nextDueAt(): number | undefined {
    return this.#nextDue()?.dueAt;
  }

  /** Moves time forward by `ms`, firing due timers synchronously; returns how many fired. */
  advance(ms: number): number {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance needs a non-negative duration (actual: ${ms})`);
    const target = this.#now + ms;
    let fired = 0;
    for (let timer = this.#takeDue(target); timer; timer = this.#takeDue(target)) {
      this.#now = Math.max(this.#now, timer.dueAt);
      timer.callback();
      fired++;
    }
    this.#now = target;
    return fired;
  }

  /**
   * Like {@link advance}, but lets promise continuations and socket I/O run after each timer, so
   * async code woken by a timer can schedule the next one inside the same window.
   */
  async advanceAsync(ms: number): Promise<number> {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advanceAsync needs a non-negative duration (actual: ${ms})`);
    const target = this.#now + ms;
    let fired = 0;
    await flushEventLoop();
    for (let timer = this.#takeDue(target); timer; timer = this.#takeDue(target)) {
      this.#now = Math.max(this.#now, timer.dueAt);
      timer.callback();
      fired++;
      await flushEventLoop();
    }
    this.#now = target;
    await flushEventLoop();
    return fired;
  }

  /** Advances to each next timer until none is pending or `limitMs` has elapsed. */
  async runAllAsync(limitMs = 3_600_000): Promise<number> {
    const stopAt = this.#now + limitMs;
    let fired = 0;
    await flushEventLoop();
    for (let due = this.nextDueAt(); due !== undefined && due <= stopAt; due = this.nextDueAt()) {
      fired += await this.advanceAsync(Math.max(0, due - this.#now));
    }
    return fired;
  }

  #nextDue(): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.#timers) {
      if (t.cancelled) continue;
      if (!best || t.dueAt < best.dueAt || (t.dueAt === best.dueAt && t.seq < best.seq)) best = t;
    }
    return best;
  }

  #takeDue(limit: number): PendingTimer | undefined {
    const next = this.#nextDue();
    if (!next || next.dueAt > limit) return undefined;
    next.cancelled = true;
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    return next;
  }
}
