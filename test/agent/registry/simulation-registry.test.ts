import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../agent/platform/manual-clock.ts';
import type { CorrelationStrategy, RegistryStore } from '../../../agent/registry/registry-types.ts';
import { MAX_SIMULATION_ID_LENGTH, SimulationRegistry } from '../../../agent/registry/simulation-registry.ts';
import { storesUnderTest } from '../../support/registry-stores.ts';

const TTL = 300_000;

describe.each(storesUnderTest)('SimulationRegistry on the $name store', ({ create }) => {
  let stores: RegistryStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    stores = [];
  });

  async function setup(strategy: CorrelationStrategy = 'caller-id', capacity = 100) {
    const store = await create();
    stores.push(store);
    const clock = new ManualClock();
    const registry = new SimulationRegistry(store, clock, { strategy, ttlMs: TTL, capacity });
    return { clock, registry };
  }

  describe('register', () => {
    it('queues a valid registration, stamps it with the clock and reports the queue length', async () => {
      const { clock, registry } = await setup();
      clock.advance(42);
      const result = await registry.register({ simulationOutputId: 'sim-1', fromNumber: '+15550100001', toNumber: '+15550100999' });
      expect(result).toMatchObject({ status: 'registered', pending: 1, registration: { registeredAt: 42, fromNumber: '+15550100001', toNumber: '+15550100999' } });
      await registry.register({ simulationOutputId: 'sim-2' });
      expect(await registry.pending()).toBe(2);
    });

    it.each([
      [{ simulationOutputId: '' }, 'simulationOutputId', 'must not be empty'],
      [{ simulationOutputId: '   ' }, 'simulationOutputId', 'must not be empty'],
      [{ simulationOutputId: 7 }, 'simulationOutputId', 'must be a string (actual: number)'],
      [{ simulationOutputId: null }, 'simulationOutputId', 'must be a string (actual: null)'],
      [{ simulationOutputId: 'x'.repeat(MAX_SIMULATION_ID_LENGTH + 1) }, 'simulationOutputId', 'at most 256'],
      [{ simulationOutputId: 'ok', fromNumber: 15550100001 }, 'fromNumber', 'must be a string'],
      [{ simulationOutputId: 'ok', toNumber: ['+1'] }, 'toNumber', 'must be a string'],
    ])('refuses %j with a reason naming the field', async (input, field, reason) => {
      const { registry } = await setup();
      const result = await registry.register(input);
      expect(result).toMatchObject({ status: 'invalid', field });
      expect(result.status === 'invalid' && result.reason).toContain(reason);
      expect(await registry.pending()).toBe(0);
    });

    it('accepts an id of exactly the maximum length', async () => {
      const { registry } = await setup();
      const result = await registry.register({ simulationOutputId: 'x'.repeat(MAX_SIMULATION_ID_LENGTH) });
      expect(result.status).toBe('registered');
    });

    it('treats null and empty numbers as absent', async () => {
      const { registry } = await setup();
      const result = await registry.register({ simulationOutputId: 'a', fromNumber: null, toNumber: '' });
      expect(result.status === 'registered' && result.registration).toEqual({ simulationOutputId: 'a', registeredAt: 0 });
    });

    it('ignores a duplicate id and says so, without queueing it twice', async () => {
      const { registry } = await setup();
      await registry.register({ simulationOutputId: 'dup' });
      expect(await registry.register({ simulationOutputId: 'dup', fromNumber: '+1' })).toEqual({ status: 'duplicate', pending: 1, evicted: 0 });
      expect(await registry.pending()).toBe(1);
    });

    it('ignores a re-registration of an id already claimed within the TTL, so no id serves two calls', async () => {
      const { clock, registry } = await setup('fifo');
      await registry.register({ simulationOutputId: 'once' });
      expect(await registry.claim({})).toMatchObject({ status: 'claimed', simulationOutputId: 'once' });
      clock.advance(TTL);
      expect((await registry.register({ simulationOutputId: 'once' })).status).toBe('duplicate');
      expect(await registry.claim({})).toMatchObject({ status: 'none' });
      clock.advance(1);
      expect((await registry.register({ simulationOutputId: 'once' })).status).toBe('registered');
    });

    it('refuses past the capacity bound with a typed reason', async () => {
      const { registry } = await setup('caller-id', 2);
      await registry.register({ simulationOutputId: 'a' });
      await registry.register({ simulationOutputId: 'b' });
      expect(await registry.register({ simulationOutputId: 'c' })).toEqual({ status: 'refused', reason: 'capacity', pending: 2, capacity: 2 });
    });

    it('evicts expired entries before refusing for capacity', async () => {
      const { clock, registry } = await setup('caller-id', 2);
      await registry.register({ simulationOutputId: 'old' });
      clock.advance(10);
      await registry.register({ simulationOutputId: 'newer' });
      clock.advance(TTL - 9);
      const result = await registry.register({ simulationOutputId: 'fresh' });
      expect(result).toMatchObject({ status: 'registered', pending: 2, evicted: 1 });
    });

    it('rejects a nonsensical policy at construction', async () => {
      const store = await create();
      stores.push(store);
      expect(() => new SimulationRegistry(store, new ManualClock(), { strategy: 'fifo', ttlMs: -1, capacity: 1 })).toThrow(RangeError);
      expect(() => new SimulationRegistry(store, new ManualClock(), { strategy: 'fifo', ttlMs: 1, capacity: 0 })).toThrow(RangeError);
    });
  });

  describe('claim', () => {
    it('caller-id: takes the exact caller match even when it is not the oldest', async () => {
      const { registry } = await setup('caller-id');
      await registry.register({ simulationOutputId: 'a', fromNumber: '+1555000001' });
      await registry.register({ simulationOutputId: 'b', fromNumber: '+1555000002' });
      expect(await registry.claim({ from: '+1555000002' })).toMatchObject({ status: 'claimed', simulationOutputId: 'b', matchedBy: 'caller-id' });
    });

    it('caller-id: falls back to FIFO only among entries without a number, never stealing another caller\'s id', async () => {
      const { registry } = await setup('caller-id');
      await registry.register({ simulationOutputId: 'theirs', fromNumber: '+1555000001' });
      await registry.register({ simulationOutputId: 'anon-1' });
      await registry.register({ simulationOutputId: 'anon-2' });
      expect(await registry.claim({ from: '+1999' })).toMatchObject({ simulationOutputId: 'anon-1', matchedBy: 'fifo' });
      expect(await registry.claim({})).toMatchObject({ simulationOutputId: 'anon-2', matchedBy: 'fifo' });
      expect(await registry.claim({ from: '+1999' })).toMatchObject({ status: 'none' });
      expect(await registry.pending()).toBe(1);
    });

    it('caller-id-fallback: exact match first, otherwise the oldest entry of any caller', async () => {
      const { registry } = await setup('caller-id-fallback');
      await registry.register({ simulationOutputId: 'a', fromNumber: '+1555000001' });
      await registry.register({ simulationOutputId: 'b', fromNumber: '+1555000002' });
      expect(await registry.claim({ from: '+1555000002' })).toMatchObject({ simulationOutputId: 'b', matchedBy: 'caller-id' });
      expect(await registry.claim({ from: '+1999' })).toMatchObject({ simulationOutputId: 'a', matchedBy: 'fifo' });
    });

    it('fifo: ignores caller ids and takes the oldest live entry', async () => {
      const { registry } = await setup('fifo');
      await registry.register({ simulationOutputId: 'a', fromNumber: '+1555000001' });
      await registry.register({ simulationOutputId: 'b', fromNumber: '+1555000002' });
      expect(await registry.claim({ from: '+1555000002' })).toMatchObject({ simulationOutputId: 'a', matchedBy: 'fifo' });
      expect(await registry.claim({ from: '+1555000002' })).toMatchObject({ simulationOutputId: 'b', matchedBy: 'fifo' });
    });

    it('keeps an entry live at exactly the TTL and expires it one millisecond later', async () => {
      const { clock, registry } = await setup('fifo');
      await registry.register({ simulationOutputId: 'edge' });
      clock.advance(TTL);
      expect(await registry.claim({})).toMatchObject({ status: 'claimed', simulationOutputId: 'edge', ageMs: TTL });
      await registry.register({ simulationOutputId: 'late' });
      clock.advance(TTL + 1);
      expect(await registry.claim({})).toEqual({ status: 'none', purgedExpired: 1 });
    });

    it('reports how many expired entries a claim purged', async () => {
      const { clock, registry } = await setup('fifo');
      await registry.register({ simulationOutputId: 'x1' });
      clock.advance(1);
      await registry.register({ simulationOutputId: 'x2' });
      clock.advance(TTL);
      expect(await registry.claim({})).toMatchObject({ status: 'claimed', simulationOutputId: 'x2', purgedExpired: 1 });
    });

    it('hands each id out once', async () => {
      const { registry } = await setup('fifo');
      await registry.register({ simulationOutputId: 'only' });
      expect((await registry.claim({})).status).toBe('claimed');
      expect((await registry.claim({})).status).toBe('none');
    });

    it('treats an empty caller id like a missing one', async () => {
      const { registry } = await setup('caller-id');
      await registry.register({ simulationOutputId: 'numbered', fromNumber: '+1' });
      expect((await registry.claim({ from: '' })).status).toBe('none');
    });
  });
});
