import type { Clock } from '../platform/clock.ts';

/** A socket the tracker can cut at shutdown. */
export interface CuttableSocket {
  close(code: number, reason: string): void;
}

/** One tracked call; `finish()` is idempotent. */
export interface TrackedCall {
  finish(): void;
}

/**
 * The calls in progress, from socket open until the call's log was handed to the exporter, and
 * whether new calls are accepted. Shutdown reads it: stop accepting, wait, cut what is left.
 */
export class OpenCalls {
  readonly #clock: Clock;
  readonly #sockets = new Set<CuttableSocket>();
  #idleWaiters: Array<() => void> = [];
  #accepting = true;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Calls not yet finished. */
  get size(): number {
    return this.#sockets.size;
  }

  /** False once {@link stopAccepting} was called. */
  get accepting(): boolean {
    return this.#accepting;
  }

  /** New calls, webhooks and registrations are refused from now on. */
  stopAccepting(): void {
    this.#accepting = false;
  }

  /** Starts tracking a call on `socket`. */
  open(socket: CuttableSocket): TrackedCall {
    this.#sockets.add(socket);
    return {
      finish: () => {
        if (!this.#sockets.delete(socket)) return;
        if (this.#sockets.size === 0) {
          const waiters = this.#idleWaiters;
          this.#idleWaiters = [];
          for (const wake of waiters) wake();
        }
      },
    };
  }

  /** Resolves true once no call is open, or false when `timeoutMs` of clock time passed first. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.#sockets.size === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = this.#clock.setTimer(timeoutMs, () => {
        this.#idleWaiters = this.#idleWaiters.filter((w) => w !== wake);
        resolve(false);
      });
      const wake = (): void => {
        timer.cancel();
        resolve(true);
      };
      this.#idleWaiters.push(wake);
    });
  }

  /** Closes every open call's socket (1001 "going away"); each still finishes through its close handler. */
  cutAll(reason: string): number {
    const sockets = [...this.#sockets];
    for (const socket of sockets) socket.close(1001, reason);
    return sockets.length;
  }
}
