import type { Clock } from '../core/clock.ts';
import type { RouteKind } from './proxy-options.ts';

/**
 * How a route ended. `completed`: the exchange (or the WebSocket) finished normally;
 * `target-failed`: the replica could not be reached or broke off; `client-aborted`: the client
 * went away first; `proxy-closed`: `close()` cut it; `proxy-error`: the `choose` hook misbehaved.
 */
export type RouteOutcome = 'completed' | 'target-failed' | 'client-aborted' | 'proxy-closed' | 'proxy-error';

/** One routed request. Fields fill in as the exchange progresses; times are `clock.now()` readings. */
export interface RouteRecord {
  /** 0-based arrival order over all routed requests. */
  readonly seq: number;
  readonly kind: RouteKind;
  readonly method: string;
  /** Path and query as the client sent them. */
  readonly path: string;
  /** Index into `targets`; -1 when no target could be chosen. */
  target: number;
  /** HTTP status the client got: the replica's, 502 when it was unreachable; 101 for an accepted upgrade. */
  status?: number;
  /** WebSocket only: the code in the first close frame either side sent (1005 when it carried none). */
  closeCode?: number;
  /** WebSocket only: which side sent that first close frame. */
  closedBy?: 'client' | 'target';
  startedAt: number;
  /** When the status line went to the client. */
  respondedAt?: number;
  endedAt?: number;
  outcome?: RouteOutcome;
  /** Why the route failed, for `target-failed` and `proxy-error`. */
  error?: string;
}

/** The proxy's record of every routed request, in arrival order, with a way to await each end. */
export class RouteLog {
  readonly records: RouteRecord[] = [];
  readonly #clock: Clock;
  readonly #waiters = new Map<number, ((record: RouteRecord) => void)[]>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Opens the record of the next request; its seq is its position in {@link records}. */
  open(kind: RouteKind, method: string, path: string): RouteRecord {
    const record: RouteRecord = { seq: this.records.length, kind, method, path, target: -1, startedAt: this.#clock.now() };
    this.records.push(record);
    return record;
  }

  /** Notes that the status line went out. */
  respond(record: RouteRecord, status: number): void {
    record.status = status;
    record.respondedAt = this.#clock.now();
  }

  /** Ends a record once; later calls are ignored, so the first cause wins. */
  end(record: RouteRecord, outcome: RouteOutcome, error?: string): void {
    if (record.outcome !== undefined) return;
    record.outcome = outcome;
    record.endedAt = this.#clock.now();
    if (error !== undefined) record.error = error;
    const waiters = this.#waiters.get(record.seq);
    this.#waiters.delete(record.seq);
    for (const resolve of waiters ?? []) resolve(record);
  }

  /** Resolves with route `seq` once it has ended (it may not have arrived yet). */
  settled(seq: number): Promise<RouteRecord> {
    const record = this.records[seq];
    if (record?.outcome !== undefined) return Promise.resolve(record);
    return new Promise((resolve) => {
      const list = this.#waiters.get(seq) ?? [];
      list.push(resolve);
      this.#waiters.set(seq, list);
    });
  }
}
