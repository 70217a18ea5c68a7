/**
 * How a call's `setup` is matched to a pending registration (architecture §5):
 * - `caller-id`: exact `from_number` match; otherwise FIFO only among registrations that carry no
 *   `from_number`, so a stray call can never take an id meant for another caller.
 * - `caller-id-fallback`: exact match, else the oldest live registration (the seed example).
 * - `fifo`: the oldest live registration, ignoring caller ids (the seed document).
 */
export type CorrelationStrategy = 'caller-id' | 'caller-id-fallback' | 'fifo';

/** Every strategy, in the order the docs present them. */
export const CORRELATION_STRATEGIES: readonly CorrelationStrategy[] = ['caller-id', 'caller-id-fallback', 'fifo'];

/** A registration waiting for its call. `registeredAt` is in the registry's time base (monotonic or epoch ms). */
export interface PendingRegistration {
  readonly simulationOutputId: string;
  readonly fromNumber?: string;
  readonly toNumber?: string;
  readonly registeredAt: number;
}

/** Limits a store applies on every operation. */
export interface RegistryPolicy {
  /** A registration is live while `now - registeredAt <= ttlMs`. */
  readonly ttlMs: number;
  /** Most live registrations held at once; more are refused. */
  readonly capacity: number;
}

/** What a store did with a new registration. `evicted` counts expired entries it purged first. */
export type AddOutcome =
  | { readonly status: 'added'; readonly pending: number; readonly evicted: number }
  | { readonly status: 'duplicate'; readonly pending: number; readonly evicted: number }
  | { readonly status: 'full'; readonly pending: number; readonly evicted: number };

/** What a store handed out for a call. `purged` counts expired entries it dropped on the way. */
export type ClaimOutcome =
  | {
      readonly status: 'claimed';
      readonly entry: PendingRegistration;
      readonly matchedBy: 'caller-id' | 'fifo';
      readonly purged: number;
    }
  | { readonly status: 'none'; readonly purged: number };

/**
 * Where registrations live. Asynchronous so that a shared store (Redis) can implement it with
 * one atomic operation per method; callers never see the difference.
 */
export interface RegistryStore {
  /** Adds `entry` unless its id is pending or was claimed within the TTL, or the store is full. */
  add(entry: PendingRegistration, nowMs: number, policy: RegistryPolicy): Promise<AddOutcome>;
  /** Removes and returns the registration that `strategy` assigns to a call from `from`. */
  claim(from: string | undefined, strategy: CorrelationStrategy, nowMs: number, policy: RegistryPolicy): Promise<ClaimOutcome>;
  /** Live registrations right now. */
  pendingCount(nowMs: number, policy: RegistryPolicy): Promise<number>;
  /** Releases connections; the memory store has none. */
  close(): Promise<void>;
}
