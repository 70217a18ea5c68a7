import type { RegistryStore } from '../../agent/registry/registry-types.ts';
import { MemoryRegistryStore } from '../../agent/registry/memory-store.ts';
import { systemClock } from '../../agent/platform/clock.ts';
import { RedisRegistryStore } from '../../agent/registry/redis-store.ts';
import { freshKeyPrefix, sharedRedisClient } from './redis-server.ts';

/** A registry store implementation under test; every registry test runs against each one. */
export interface StoreUnderTest {
  readonly name: string;
  /** A fresh, empty store. */
  create(): Promise<RegistryStore>;
}

/** Every store the registry semantics must hold for. */
export const storesUnderTest: StoreUnderTest[] = [
  { name: 'memory', create: async () => new MemoryRegistryStore() },
  // One real redis-server and one connection per test file; each store gets keys of its own.
  // The system clock only times the command timeout, which never fires against a healthy server.
  {
    name: 'redis',
    create: async () => new RedisRegistryStore({ redis: await sharedRedisClient(), keyPrefix: freshKeyPrefix(), clock: systemClock }),
  },
];
