import type {
  AddOutcome,
  ClaimOutcome,
  CorrelationStrategy,
  PendingRegistration,
  RegistryPolicy,
  RegistryStore,
} from './registry-types.ts';

const isLive = (entry: PendingRegistration, nowMs: number, ttlMs: number): boolean =>
  nowMs - entry.registeredAt <= ttlMs;

/**
 * The in-process registry store: a Map in registration order (JS Maps iterate in insertion
 * order, which is exactly FIFO), plus the ids claimed within the TTL so that a late duplicate of
 * an already-used id cannot be queued and handed to a second call.
 */
export class MemoryRegistryStore implements RegistryStore {
  readonly #pending = new Map<string, PendingRegistration>();
  readonly #claimed = new Map<string, number>();

  async add(entry: PendingRegistration, nowMs: number, policy: RegistryPolicy): Promise<AddOutcome> {
    const evicted = this.#purge(nowMs, policy);
    const pending = this.#pending.size;
    if (this.#pending.has(entry.simulationOutputId) || this.#claimed.has(entry.simulationOutputId)) {
      return { status: 'duplicate', pending, evicted };
    }
    if (pending >= policy.capacity) return { status: 'full', pending, evicted };
    this.#pending.set(entry.simulationOutputId, entry);
    return { status: 'added', pending: pending + 1, evicted };
  }

  async claim(
    from: string | undefined,
    strategy: CorrelationStrategy,
    nowMs: number,
    policy: RegistryPolicy,
  ): Promise<ClaimOutcome> {
    const purged = this.#purge(nowMs, policy);
    const found = this.#select(from, strategy);
    if (!found) return { status: 'none', purged };
    this.#pending.delete(found.entry.simulationOutputId);
    this.#claimed.set(found.entry.simulationOutputId, nowMs);
    // The claimed-id memory shares the capacity bound so a flood cannot grow it without limit.
    if (this.#claimed.size > policy.capacity) {
      const oldest = this.#claimed.keys().next();
      if (!oldest.done) this.#claimed.delete(oldest.value);
    }
    return { status: 'claimed', entry: found.entry, matchedBy: found.matchedBy, purged };
  }

  async pendingCount(nowMs: number, policy: RegistryPolicy): Promise<number> {
    this.#purge(nowMs, policy);
    return this.#pending.size;
  }

  async close(): Promise<void> {}

  #select(
    from: string | undefined,
    strategy: CorrelationStrategy,
  ): { entry: PendingRegistration; matchedBy: 'caller-id' | 'fifo' } | undefined {
    if (strategy !== 'fifo' && from !== undefined) {
      for (const entry of this.#pending.values()) {
        if (entry.fromNumber === from) return { entry, matchedBy: 'caller-id' };
      }
    }
    for (const entry of this.#pending.values()) {
      if (strategy !== 'caller-id' || entry.fromNumber === undefined) return { entry, matchedBy: 'fifo' };
    }
    return undefined;
  }

  /** Drops expired registrations and forgotten claims; returns how many registrations expired. */
  #purge(nowMs: number, policy: RegistryPolicy): number {
    let expired = 0;
    // Registration times are non-decreasing in insertion order, so expired entries lead the Map.
    for (const entry of this.#pending.values()) {
      if (isLive(entry, nowMs, policy.ttlMs)) break;
      this.#pending.delete(entry.simulationOutputId);
      expired++;
    }
    for (const [id, claimedAt] of this.#claimed) {
      if (nowMs - claimedAt <= policy.ttlMs) break;
      this.#claimed.delete(id);
    }
    return expired;
  }
}
