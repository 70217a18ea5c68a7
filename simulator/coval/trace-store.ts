import type { Clock } from '../core/clock.ts';
import { SimErrors } from '../core/errors.ts';
import { finalizeSimulation, locateSpans, type LocatedSpan } from '../otlp/finalize.ts';
import { toPlainJson, type OtlpRequest } from '../otlp/model.ts';
import type { Finding } from '../otlp/rules.ts';
import type { OtlpValidateOptions } from '../otlp/validate-options.ts';
import type { OtlpEncoding } from './ingest-checks.ts';

/** One accepted POST, kept raw and decoded. */
export interface StoredBatch {
  /** Attempt sequence number (shared with {@link IngestAttempt.seq}). */
  readonly seq: number;
  /** Position among this simulation's batches, from 0. */
  readonly index: number;
  readonly simulationId: string;
  readonly target: 'simulation' | 'conversation';
  /** Wall-clock ms on the fake's clock. */
  readonly receivedAtMs: number;
  readonly contentType: string;
  readonly contentEncoding: string | null;
  readonly encoding: OtlpEncoding;
  /** Request headers (credentials redacted). */
  readonly headers: Readonly<Record<string, string>>;
  /** The body exactly as received (still gzipped if it was), base64. */
  readonly bodyBase64: string;
  readonly request: OtlpRequest;
  /** Decode warnings plus request-stage validator findings. */
  readonly findings: readonly Finding[];
  readonly spanCount: number;
}

/** How one POST ended. */
export type AttemptOutcome = 'accepted' | 'rejected' | 'fault-status' | 'fault-reset';

/** Every request to `/v1/traces`, whatever happened to it, so retry behaviour can be judged. */
export interface IngestAttempt {
  readonly seq: number;
  readonly receivedAtMs: number;
  readonly method: string;
  readonly simulationId: string | null;
  readonly contentType: string | null;
  readonly contentEncoding: string | null;
  readonly bodyBytes: number;
  /** HTTP status sent; null when the connection was reset instead. */
  readonly status: number | null;
  readonly outcome: AttemptOutcome;
  readonly rule?: string;
  readonly reason?: string;
  /** Latency the fault plan added before answering. */
  readonly delayMs: number;
  readonly spanCount?: number;
}

/** Options for {@link TraceStore.waitForBatch}. */
export interface WaitForBatchOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

interface Waiter {
  readonly resolve: (batch: StoredBatch) => void;
}

/** Told the simulation id (null when a request named none) whenever a request begins or ends, an attempt is recorded or a batch stored. */
export type StoreActivityListener = (simulationId: string | null) => void;

/** Captured batches and attempts per simulation id; assembles spans across POSTs. */
export class TraceStore {
  readonly #clock: Clock;
  readonly #validate: OtlpValidateOptions;
  readonly #issued = new Set<string>();
  readonly #batches = new Map<string, StoredBatch[]>();
  readonly #order: string[] = [];
  readonly #attempts: IngestAttempt[] = [];
  readonly #waiters = new Map<string, Waiter[]>();
  readonly #inFlight = new Map<string | null, number>();
  readonly #listeners = new Set<StoreActivityListener>();
  #seq = 0;

  constructor(clock: Clock, validate: OtlpValidateOptions = {}) {
    this.#clock = clock;
    this.#validate = validate;
  }

  #touch(id: string): void {
    if (!this.#issued.has(id) && !this.#batches.has(id)) this.#order.push(id);
  }

  /** Marks `id` as issued by Coval (the dialer does this), so ingest accepts it. */
  issue(id: string): void {
    this.#touch(id);
    this.#issued.add(id);
  }

  /** Whether `id` was issued. */
  isIssued(id: string): boolean {
    return this.#issued.has(id);
  }

  /** The next attempt sequence number. */
  nextSeq(): number {
    return ++this.#seq;
  }

  /** Records one attempt. */
  recordAttempt(attempt: IngestAttempt): void {
    this.#attempts.push(attempt);
    this.#notify(attempt.simulationId);
  }

  /** Notes a POST naming `simulationId` that is being handled (fault delay included) and not yet answered. */
  requestStarted(simulationId: string | null): void {
    this.#inFlight.set(simulationId, (this.#inFlight.get(simulationId) ?? 0) + 1);
    this.#notify(simulationId);
  }

  /** The end of a request noted by {@link requestStarted}. */
  requestEnded(simulationId: string | null): void {
    const n = (this.#inFlight.get(simulationId) ?? 0) - 1;
    if (n > 0) this.#inFlight.set(simulationId, n);
    else this.#inFlight.delete(simulationId);
    this.#notify(simulationId);
  }

  /** POSTs naming `simulationId` that are being handled right now (e.g. held by a fault delay). */
  inFlight(simulationId: string | null): number {
    return this.#inFlight.get(simulationId) ?? 0;
  }

  /** Calls `listener` on every request start and end, attempt and batch; returns the unsubscribe. */
  subscribe(listener: StoreActivityListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #notify(simulationId: string | null): void {
    for (const listener of [...this.#listeners]) listener(simulationId);
  }

  /** Stores an accepted batch and wakes waiters for its simulation. */
  addBatch(batch: Omit<StoredBatch, 'index'>): StoredBatch {
    this.#touch(batch.simulationId);
    const list = this.#batches.get(batch.simulationId) ?? [];
    const stored: StoredBatch = { ...batch, index: list.length };
    list.push(stored);
    this.#batches.set(batch.simulationId, list);
    const waiters = this.#waiters.get(batch.simulationId);
    if (waiters) {
      this.#waiters.delete(batch.simulationId);
      for (const w of waiters) w.resolve(stored);
    }
    this.#notify(batch.simulationId);
    return stored;
  }

  /** Accepted batches of `id`, in arrival order. */
  batches(id: string): readonly StoredBatch[] {
    return this.#batches.get(id) ?? [];
  }

  /** Ids issued or seen, in first-seen order. */
  simulationIds(): readonly string[] {
    return [...this.#order];
  }

  /** Attempts, all or for one id. */
  attempts(id?: string): readonly IngestAttempt[] {
    return id === undefined ? [...this.#attempts] : this.#attempts.filter((a) => a.simulationId === id);
  }

  /** Every span `id` received, across its batches (duplicates included, as Coval stores them). */
  spans(id: string): LocatedSpan[] {
    return locateSpans(this.batches(id).map((b) => b.request));
  }

  /** Finalize-stage findings over all batches of `id` (run on read-back, not per request). */
  finalize(id: string): Finding[] {
    return finalizeSimulation(this.batches(id).map((b) => b.request), this.#validate);
  }

  /** Every finding for `id`: each batch's (tagged with its index) then the finalize findings. */
  findings(id: string): Finding[] {
    const out: Finding[] = [];
    for (const b of this.batches(id)) for (const f of b.findings) out.push({ ...f, location: { batch: b.index, ...f.location } });
    out.push(...this.finalize(id));
    return out;
  }

  /**
   * Resolves with the first accepted batch for `id` (at once if one is stored); rejects with
   * SIM_ERR_WAIT_TIMEOUT after `timeoutMs` on the clock, naming the simulation and what arrived.
   */
  waitForBatch(id: string, options: WaitForBatchOptions): Promise<StoredBatch> {
    const first = this.batches(id)[0];
    if (first) return Promise.resolve(first);
    return new Promise<StoredBatch>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        timer.cancel();
        options.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const waiter: Waiter = { resolve: (b) => finish(() => resolve(b)) };
      const onAbort = (): void => {
        this.#dropWaiter(id, waiter);
        finish(() => reject(options.signal?.reason));
      };
      const timer = this.#clock.setTimer(options.timeoutMs, () => {
        this.#dropWaiter(id, waiter);
        const tried = this.attempts(id);
        const last = tried.at(-1);
        const seen = tried.length === 0 ? 'no request named it' : `${tried.length} attempt(s), last ${last?.status ?? 'connection reset'} ${last?.outcome ?? ''}${last?.rule ? ` ${last.rule}` : ''}`;
        finish(() => reject(new SimErrors.SIM_ERR_WAIT_TIMEOUT(options.timeoutMs, `the first accepted OTLP batch for simulation '${id}' at fake Coval POST /v1/traces (${seen})`)));
      });
      if (options.signal?.aborted) {
        onAbort();
        return;
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const list = this.#waiters.get(id) ?? [];
      list.push(waiter);
      this.#waiters.set(id, list);
    });
  }

  #dropWaiter(id: string, waiter: Waiter): void {
    const list = this.#waiters.get(id);
    if (!list) return;
    const rest = list.filter((w) => w !== waiter);
    if (rest.length > 0) this.#waiters.set(id, rest);
    else this.#waiters.delete(id);
  }

  /** Forgets batches, attempts and issued ids (pending waiters keep waiting). */
  reset(): void {
    this.#issued.clear();
    this.#batches.clear();
    this.#order.length = 0;
    this.#attempts.length = 0;
  }

  /** A plain JSON snapshot (BigInt as decimal strings) for RunRecords and reports. */
  toJSON(): unknown {
    return toPlainJson({
      simulations: this.simulationIds().map((id) => ({ simulationId: id, issued: this.isIssued(id), batches: this.batches(id), findings: this.findings(id) })),
      attempts: this.#attempts,
    });
  }
}
