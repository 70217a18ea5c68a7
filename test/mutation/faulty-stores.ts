/**
 * Registry stores with a planted bug, for the mutation suite: one that never lets a registration
 * expire, and one that hands a claimed id out again because it never removes it.
 */
import { MemoryRegistryStore } from '../../agent/registry/memory-store.ts';
import type {
  AddOutcome,
  ClaimOutcome,
  CorrelationStrategy,
  PendingRegistration,
  RegistryPolicy,
  RegistryStore,
} from '../../agent/registry/registry-types.ts';

/** A day: far longer than any scenario, so nothing ever expires. */
const IGNORED_TTL_MS = 86_400_000;

/** The reference memory store, but every operation is told a TTL of a day whatever was configured. */
export class TtlIgnoringStore implements RegistryStore {
  readonly #inner = new MemoryRegistryStore();

  #policy(policy: RegistryPolicy): RegistryPolicy {
    return { ...policy, ttlMs: IGNORED_TTL_MS };
  }

  add(entry: PendingRegistration, nowMs: number, policy: RegistryPolicy): Promise<AddOutcome> {
    return this.#inner.add(entry, nowMs, this.#policy(policy));
  }

  claim(from: string | undefined, strategy: CorrelationStrategy, nowMs: number, policy: RegistryPolicy): Promise<ClaimOutcome> {
    return this.#inner.claim(from, strategy, nowMs, this.#policy(policy));
  }

  pendingCount(nowMs: number, policy: RegistryPolicy): Promise<number> {
    return this.#inner.pendingCount(nowMs, this.#policy(policy));
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** A store that matches like the reference (caller id, else FIFO) but leaves claimed ids pending. */
export class ForgetfulStore implements RegistryStore {
  readonly #pending = new Map<string, PendingRegistration>();

  async add(entry: PendingRegistration, nowMs: number, policy: RegistryPolicy): Promise<AddOutcome> {
    const evicted = this.#purge(nowMs, policy);
    if (this.#pending.has(entry.simulationOutputId)) return { status: 'duplicate', pending: this.#pending.size, evicted };
    if (this.#pending.size >= policy.capacity) return { status: 'full', pending: this.#pending.size, evicted };
    this.#pending.set(entry.simulationOutputId, entry);
    return { status: 'added', pending: this.#pending.size, evicted };
  }

  async claim(from: string | undefined, strategy: CorrelationStrategy, nowMs: number, policy: RegistryPolicy): Promise<ClaimOutcome> {
    const purged = this.#purge(nowMs, policy);
    const entries = [...this.#pending.values()];
    const exact = strategy === 'fifo' || from === undefined ? undefined : entries.find((e) => e.fromNumber === from);
    if (exact) return { status: 'claimed', entry: exact, matchedBy: 'caller-id', purged };
    const oldest = entries.find((e) => strategy !== 'caller-id' || e.fromNumber === undefined);
    return oldest ? { status: 'claimed', entry: oldest, matchedBy: 'fifo', purged } : { status: 'none', purged };
  }

  async pendingCount(nowMs: number, policy: RegistryPolicy): Promise<number> {
    this.#purge(nowMs, policy);
    return this.#pending.size;
  }

  async close(): Promise<void> {}

  #purge(nowMs: number, policy: RegistryPolicy): number {
    let expired = 0;
    for (const entry of [...this.#pending.values()]) {
      if (nowMs - entry.registeredAt <= policy.ttlMs) continue;
      this.#pending.delete(entry.simulationOutputId);
      expired++;
    }
    return expired;
  }
}
