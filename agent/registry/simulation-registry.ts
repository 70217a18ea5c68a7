import type { Clock } from '../platform/clock.ts';
import type { CorrelationStrategy, PendingRegistration, RegistryPolicy, RegistryStore } from './registry-types.ts';

/** Longest simulation output id accepted; Coval's ids are UUIDs, so this is generous. */
export const MAX_SIMULATION_ID_LENGTH = 256;
/** Longest phone number string accepted (E.164 is at most 16 characters; SIP URIs are longer). */
export const MAX_NUMBER_LENGTH = 128;

/** A registration as it arrives, before validation. */
export interface RegisterInput {
  readonly simulationOutputId: unknown;
  readonly fromNumber?: unknown;
  readonly toNumber?: unknown;
}

/** The outcome of {@link SimulationRegistry.register}. Every expected failure is a value. */
export type RegisterResult =
  | { readonly status: 'registered'; readonly pending: number; readonly evicted: number; readonly registration: PendingRegistration }
  | { readonly status: 'duplicate'; readonly pending: number; readonly evicted: number }
  | { readonly status: 'invalid'; readonly field: 'simulationOutputId' | 'fromNumber' | 'toNumber'; readonly reason: string }
  | { readonly status: 'refused'; readonly reason: 'capacity'; readonly pending: number; readonly capacity: number };

/** The outcome of {@link SimulationRegistry.claim}, with enough detail for one log line. */
export type ClaimResult =
  | {
      readonly status: 'claimed';
      readonly simulationOutputId: string;
      readonly matchedBy: 'caller-id' | 'fifo';
      readonly ageMs: number;
      readonly purgedExpired: number;
    }
  | { readonly status: 'none'; readonly purgedExpired: number };

/** Registry settings. */
export interface RegistryOptions extends RegistryPolicy {
  readonly strategy: CorrelationStrategy;
  /**
   * Which clock reading stamps and ages registrations: `monotonic` (`clock.now()`, the default;
   * right for one process) or `epoch` (`clock.epochMs()`; needed when replicas share a Redis
   * store, since each process's monotonic origin differs).
   */
  readonly timeBase?: 'monotonic' | 'epoch';
}

type Field = 'simulationOutputId' | 'fromNumber' | 'toNumber';
type Checked<T> = { ok: true; value: T } | { ok: false; field: Field; reason: string };

function checkId(value: unknown): Checked<string> {
  if (typeof value !== 'string') {
    return { ok: false, field: 'simulationOutputId', reason: `must be a string (actual: ${value === null ? 'null' : typeof value})` };
  }
  if (value.trim() === '') return { ok: false, field: 'simulationOutputId', reason: 'must not be empty' };
  if (value.length > MAX_SIMULATION_ID_LENGTH) {
    return { ok: false, field: 'simulationOutputId', reason: `must be at most ${MAX_SIMULATION_ID_LENGTH} characters (actual: ${value.length})` };
  }
  return { ok: true, value };
}

function checkNumber(field: Field, value: unknown): Checked<string | undefined> {
  // Absent, null and "" all mean "no number": Coval's older payloads have none at all.
  if (value === undefined || value === null || value === '') return { ok: true, value: undefined };
  if (typeof value !== 'string') return { ok: false, field, reason: `must be a string (actual: ${typeof value})` };
  if (value.length > MAX_NUMBER_LENGTH) {
    return { ok: false, field, reason: `must be at most ${MAX_NUMBER_LENGTH} characters (actual: ${value.length})` };
  }
  return { ok: true, value };
}

/**
 * The simulation-id registry (architecture §5): validates registrations, stamps them with the
 * injected clock and hands them to calls by the configured strategy. Storage is delegated to a
 * {@link RegistryStore}, so the same semantics hold in memory and in Redis.
 */
export class SimulationRegistry {
  readonly #store: RegistryStore;
  readonly #options: RegistryOptions;
  readonly #now: () => number;

  constructor(store: RegistryStore, clock: Clock, options: RegistryOptions) {
    if (!(options.ttlMs >= 0) || !(options.capacity >= 1)) {
      throw new RangeError(`SimulationRegistry needs ttlMs >= 0 and capacity >= 1 (actual: ttlMs=${options.ttlMs}, capacity=${options.capacity})`);
    }
    if (options.timeBase !== undefined && options.timeBase !== 'monotonic' && options.timeBase !== 'epoch') {
      throw new RangeError(`SimulationRegistry timeBase must be 'monotonic' or 'epoch' (actual: ${String(options.timeBase)})`);
    }
    this.#store = store;
    this.#options = options;
    this.#now = options.timeBase === 'epoch' ? () => clock.epochMs() : () => clock.now();
  }

  /** The strategy used by {@link claim}. */
  get strategy(): CorrelationStrategy {
    return this.#options.strategy;
  }

  /** Validates and queues a registration; duplicates and capacity refusals are reported, not thrown. */
  async register(input: RegisterInput): Promise<RegisterResult> {
    const id = checkId(input.simulationOutputId);
    if (!id.ok) return { status: 'invalid', field: id.field, reason: id.reason };
    const from = checkNumber('fromNumber', input.fromNumber);
    if (!from.ok) return { status: 'invalid', field: from.field, reason: from.reason };
    const to = checkNumber('toNumber', input.toNumber);
    if (!to.ok) return { status: 'invalid', field: to.field, reason: to.reason };

    const registration: PendingRegistration = {
      simulationOutputId: id.value,
      registeredAt: this.#now(),
      ...(from.value === undefined ? {} : { fromNumber: from.value }),
      ...(to.value === undefined ? {} : { toNumber: to.value }),
    };
    const outcome = await this.#store.add(registration, registration.registeredAt, this.#options);
    switch (outcome.status) {
      case 'added':
        return { status: 'registered', pending: outcome.pending, evicted: outcome.evicted, registration };
      case 'duplicate':
        return { status: 'duplicate', pending: outcome.pending, evicted: outcome.evicted };
      case 'full':
        return { status: 'refused', reason: 'capacity', pending: outcome.pending, capacity: this.#options.capacity };
    }
  }

  /** Claims the registration for a call whose `setup.from` is `from`; never returns an expired one. */
  async claim(query: { readonly from?: string }): Promise<ClaimResult> {
    const nowMs = this.#now();
    const from = query.from === '' ? undefined : query.from;
    const outcome = await this.#store.claim(from, this.#options.strategy, nowMs, this.#options);
    if (outcome.status === 'none') return { status: 'none', purgedExpired: outcome.purged };
    return {
      status: 'claimed',
      simulationOutputId: outcome.entry.simulationOutputId,
      matchedBy: outcome.matchedBy,
      ageMs: nowMs - outcome.entry.registeredAt,
      purgedExpired: outcome.purged,
    };
  }

  /** Live registrations waiting for a call. */
  async pending(): Promise<number> {
    return this.#store.pendingCount(this.#now(), this.#options);
  }

  /** Closes the underlying store. */
  async close(): Promise<void> {
    await this.#store.close();
  }
}
