import type { RegistryStore } from '../../agent/registry/registry-types.ts';
import { MemoryRegistryStore } from '../../agent/registry/memory-store.ts';

/** A registry store implementation under test; every registry test runs against each one. */
export interface StoreUnderTest {
  readonly name: string;
  /** A fresh, empty store. */
  create(): Promise<RegistryStore>;
}

/** Every store the registry semantics must hold for. */
export const storesUnderTest: StoreUnderTest[] = [
  { name: 'memory', create: async () => new MemoryRegistryStore() },
];
