/**
 * What only the Redis registry store has to get right: atomic claims across connections, script
 * reloading, typed failures with a command timeout, key layout and expiry, exact numbers. The
 * shared semantics run for both stores in simulation-registry.test.ts and the registry properties.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { ManualClock } from '../../../agent/platform/manual-clock.ts';
import { MemoryRegistryStore } from '../../../agent/registry/memory-store.ts';
import {
  createRegistryRedisClient,
  KEY_EXPIRY_MARGIN_MS,
  openRedisRegistryStore,
  RedisRegistryStore,
  registryKeys,
} from '../../../agent/registry/redis-store.ts';
import type { RegistryPolicy, RegistryStore } from '../../../agent/registry/registry-types.ts';
import { SimulationRegistry } from '../../../agent/registry/simulation-registry.ts';
import { freshKeyPrefix, sharedRedisClient, sharedRedisServer, startRedisServer } from '../../support/redis-server.ts';

const TTL = 300_000;
const POLICY: RegistryPolicy = { ttlMs: TTL, capacity: 1000 };

let closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  const pending = closers.reverse();
  closers = [];
  for (const close of pending) await close();
});

/** A store with its own connection (so it behaves like one replica) on the shared server. */
async function replica(keyPrefix: string, clock = new ManualClock()): Promise<RedisRegistryStore> {
  const store = await openRedisRegistryStore({ url: (await sharedRedisServer()).url, keyPrefix, clock });
  closers.push(() => store.close());
  return store;
}

/** A plain client for inspecting and disturbing the server. */
async function admin(url?: string): Promise<Redis> {
  const client = createRegistryRedisClient(url ?? (await sharedRedisServer()).url);
  await client.connect();
  closers.push(async () => client.disconnect());
  return client;
}

/** Settles to the error `promise` rejects with, or fails when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; statusCode?: number }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; statusCode?: number };
  }
  throw new Error('expected a rejection');
}

function freePortWithoutServer(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('RedisRegistryStore across replicas', () => {
  it('claims every id exactly once when two replicas race 220 claims for 200 ids', async () => {
    const prefix = freshKeyPrefix();
    const [a, b] = [await replica(prefix), await replica(prefix)];
    const ids = Array.from({ length: 200 }, (_, i) => `sim-${i}`);
    // Registrations race too: every one must be added once, in some order.
    const added = await Promise.all(ids.map((id, i) => (i % 2 ? a : b).add({ simulationOutputId: id, registeredAt: 0 }, 0, POLICY)));
    expect(added.every((o) => o.status === 'added')).toBe(true);
    expect(new Set(added.map((o) => o.pending)).size).toBe(200);

    const claims = await Promise.all(Array.from({ length: 220 }, (_, i) => (i % 2 ? a : b).claim(undefined, 'fifo', 1, POLICY)));
    const claimed = claims.flatMap((c) => (c.status === 'claimed' ? [c.entry.simulationOutputId] : []));
    expect(claimed).toHaveLength(200);
    expect(new Set(claimed)).toEqual(new Set(ids));
    expect(claims.filter((c) => c.status === 'none')).toHaveLength(20);
    expect(await a.pendingCount(1, POLICY)).toBe(0);
  });

  it('lets a registration made through one replica be claimed by caller id through another', async () => {
    const prefix = freshKeyPrefix();
    const clock = new ManualClock();
    const options = { strategy: 'caller-id' as const, ttlMs: TTL, capacity: 10 };
    const one = new SimulationRegistry(await replica(prefix, clock), clock, options);
    const two = new SimulationRegistry(await replica(prefix, clock), clock, options);
    await one.register({ simulationOutputId: 'sim-a', fromNumber: '+15550100001' });
    await two.register({ simulationOutputId: 'sim-b', fromNumber: '+15550100002' });
    expect(await two.register({ simulationOutputId: 'sim-a' })).toEqual({ status: 'duplicate', pending: 2, evicted: 0 });
    clock.advance(5);
    expect(await two.claim({ from: '+15550100001' })).toMatchObject({ status: 'claimed', simulationOutputId: 'sim-a', matchedBy: 'caller-id', ageMs: 5 });
    expect(await one.claim({ from: '+15550100002' })).toMatchObject({ status: 'claimed', simulationOutputId: 'sim-b', matchedBy: 'caller-id' });
    expect(await one.pending()).toBe(0);
  });

  it('keeps stores with different prefixes apart', async () => {
    const [a, b] = [await replica(freshKeyPrefix()), await replica(freshKeyPrefix())];
    await a.add({ simulationOutputId: 'same', registeredAt: 0 }, 0, POLICY);
    expect(await b.add({ simulationOutputId: 'same', registeredAt: 0 }, 0, POLICY)).toEqual({ status: 'added', pending: 1, evicted: 0 });
    expect(await b.claim(undefined, 'fifo', 0, POLICY)).toMatchObject({ status: 'claimed' });
    expect(await a.pendingCount(0, POLICY)).toBe(1);
  });
});

describe('RedisRegistryStore keys', () => {
  it('uses the documented key layout, each key expiring TTL + margin after the last write', async () => {
    const prefix = freshKeyPrefix();
    const store = await replica(prefix);
    expect(store.keys).toEqual(registryKeys(prefix));
    expect(store.keys).toContain(`${prefix}{registry}:queue`);
    await store.add({ simulationOutputId: 'numbered', fromNumber: '+1', registeredAt: 0 }, 0, POLICY);
    await store.add({ simulationOutputId: 'anonymous', registeredAt: 0 }, 0, POLICY);
    await store.add({ simulationOutputId: 'other', fromNumber: '+2', registeredAt: 0 }, 0, POLICY);
    await store.claim(undefined, 'fifo', 0, POLICY);

    const client = await admin();
    for (const key of store.keys) {
      const ttl = await client.pttl(key);
      expect(ttl, key).toBeGreaterThan(TTL);
      expect(ttl, key).toBeLessThanOrEqual(TTL + KEY_EXPIRY_MARGIN_MS);
    }
    expect(await client.zrange(`${prefix}{registry}:queue`, '0', '-1')).toEqual(['"anonymous"', '"other"']);
    expect(await client.zrange(`${prefix}{registry}:callers`, '0', '-1')).toEqual([`4:"+2"${'3'.padStart(16, '0')}"other"`]);
    expect(await client.zrange(`${prefix}{registry}:claimed`, '0', '-1')).toEqual(['"numbered"']);
    expect(await client.keys(`${prefix}*`)).toHaveLength(store.keys.length);
  });

  it('never takes one caller number for a prefix of another', async () => {
    const store = await replica(freshKeyPrefix());
    await store.add({ simulationOutputId: 'longer', fromNumber: '+12', registeredAt: 0 }, 0, POLICY);
    expect(await store.claim('+1', 'caller-id', 0, POLICY)).toEqual({ status: 'none', purged: 0 });
    expect(await store.claim('+12', 'caller-id', 0, POLICY)).toMatchObject({ status: 'claimed', matchedBy: 'caller-id' });
  });

  it('keeps ids apart that UTF-8 alone would merge (lone surrogates) and returns them intact', async () => {
    const store = await replica(freshKeyPrefix());
    expect((await store.add({ simulationOutputId: '\ud800', fromNumber: '\udc00', registeredAt: 0 }, 0, POLICY)).status).toBe('added');
    expect((await store.add({ simulationOutputId: '\ud801', registeredAt: 0 }, 0, POLICY)).status).toBe('added');
    const claimed = await store.claim('\udc00', 'caller-id', 0, POLICY);
    expect(claimed).toEqual({ status: 'claimed', entry: { simulationOutputId: '\ud800', fromNumber: '\udc00', registeredAt: 0 }, matchedBy: 'caller-id', purged: 0 });
  });
});

describe('RedisRegistryStore numbers', () => {
  it('compares fractional epoch times exactly as the memory store does, at the TTL boundary', async () => {
    const run = async (store: RegistryStore) => {
      closers.push(() => store.close());
      // Fractional epoch milliseconds, as performance.timeOrigin + performance.now() gives them.
      const clock = new ManualClock({ startMs: 0.1, epochBaseMs: 1_767_225_600_000.123_4 });
      const registry = new SimulationRegistry(store, clock, { strategy: 'fifo', ttlMs: 1_000.5, capacity: 10, timeBase: 'epoch' });
      const results: unknown[] = [];
      results.push(await registry.register({ simulationOutputId: 'a' }));
      clock.advance(0.3);
      results.push(await registry.register({ simulationOutputId: 'b' }));
      clock.advance(1_000.2);
      results.push(await registry.claim({}));
      clock.advance(0.3000001);
      results.push(await registry.claim({}));
      results.push(await registry.pending());
      return results;
    };
    const inMemory = await run(new MemoryRegistryStore());
    const inRedis = await run(await replica(freshKeyPrefix()));
    expect(inRedis).toEqual(inMemory);
    expect(inRedis[2]).toMatchObject({ status: 'claimed', simulationOutputId: 'a', ageMs: expect.closeTo(1_000.5, 6) });
  });

  it('stamps registrations with epoch time only when asked, and refuses an unknown time base', async () => {
    const clock = new ManualClock({ startMs: 7, epochBaseMs: 1_000_000 });
    const stamp = async (timeBase?: 'monotonic' | 'epoch') => {
      const registry = new SimulationRegistry(await replica(freshKeyPrefix()), clock, { strategy: 'fifo', ttlMs: TTL, capacity: 1, ...(timeBase ? { timeBase } : {}) });
      const result = await registry.register({ simulationOutputId: 'a' });
      return result.status === 'registered' ? result.registration.registeredAt : undefined;
    };
    expect([await stamp(), await stamp('monotonic'), await stamp('epoch')]).toEqual([7, 7, 1_000_007]);
    expect(() => new SimulationRegistry(new MemoryRegistryStore(), clock, { strategy: 'fifo', ttlMs: 1, capacity: 1, timeBase: 'wall' as never })).toThrow(RangeError);
  });

  it('remembers at most `capacity` claimed ids, forgetting the oldest claim first', async () => {
    const policy = { ttlMs: TTL, capacity: 2 };
    const outcomes = async (store: RegistryStore) => {
      closers.push(() => store.close());
      for (const id of ['x', 'y', 'z']) {
        await store.add({ simulationOutputId: id, registeredAt: 0 }, 0, policy);
        await store.claim(undefined, 'fifo', 0, policy);
      }
      return Promise.all(['x', 'y', 'z'].map(async (id) => (await store.add({ simulationOutputId: id, registeredAt: 0 }, 0, policy)).status));
    };
    expect(await outcomes(new MemoryRegistryStore())).toEqual(['added', 'duplicate', 'duplicate']);
    expect(await outcomes(await replica(freshKeyPrefix()))).toEqual(['added', 'duplicate', 'duplicate']);
  });
});

describe('RedisRegistryStore scripts', () => {
  it('reloads its scripts after SCRIPT FLUSH (NOSCRIPT) and keeps the same state', async () => {
    const store = await replica(freshKeyPrefix());
    const client = await admin();
    // Every script runs once, so the connection sends EVALSHA from now on.
    await store.add({ simulationOutputId: 'first', registeredAt: 0 }, 0, POLICY);
    await store.add({ simulationOutputId: 'second', registeredAt: 0 }, 0, POLICY);
    await store.claim(undefined, 'fifo', 0, POLICY);
    await store.pendingCount(0, POLICY);
    const noscripts = async () => Number(/errorstat_NOSCRIPT:count=(\d+)/.exec(await client.info('errorstats'))?.[1] ?? 0);
    const before = await noscripts();
    await client.script('FLUSH');
    expect(await store.claim(undefined, 'fifo', 0, POLICY)).toMatchObject({ status: 'claimed', entry: { simulationOutputId: 'second' } });
    expect(await noscripts()).toBe(before + 1);
    expect(await store.add({ simulationOutputId: 'first', registeredAt: 0 }, 0, POLICY)).toEqual({ status: 'duplicate', pending: 0, evicted: 0 });
    expect(await store.add({ simulationOutputId: 'third', registeredAt: 0 }, 0, POLICY)).toEqual({ status: 'added', pending: 1, evicted: 0 });
    expect(await noscripts()).toBe(before + 2);
  });

  it('reports foreign data under its prefix as AGENT_ERR_REGISTRY_DATA_INVALID', async () => {
    const prefix = freshKeyPrefix();
    const store = await replica(prefix);
    const client = await admin();
    await client.set(`${prefix}{registry}:queue`, 'not a sorted set');
    expect(await rejection(store.add({ simulationOutputId: 'a', registeredAt: 0 }, 0, POLICY))).toMatchObject({ code: 'AGENT_ERR_REGISTRY_DATA_INVALID' });

    const other = await replica(freshKeyPrefix());
    await other.add({ simulationOutputId: 'a', registeredAt: 0 }, 0, POLICY);
    await client.hset(`${other.keys[5]}`, '"a"', '{"simulationOutputId":7}');
    const error = await rejection(other.claim(undefined, 'fifo', 0, POLICY));
    expect(error.code).toBe('AGENT_ERR_REGISTRY_DATA_INVALID');
    expect(error.message).toContain('wrong shape');
  });
});

describe('RedisRegistryStore failures', () => {
  it('fails a command with AGENT_ERR_REGISTRY_UNAVAILABLE (503) when Redis stops answering, after the command timeout', async () => {
    const server = await startRedisServer();
    closers.push(() => server.stop());
    const clock = new ManualClock();
    const store = await openRedisRegistryStore({ url: server.url, keyPrefix: 'relaysim:', clock, commandTimeoutMs: 1_000 });
    closers.push(() => store.close());
    await store.add({ simulationOutputId: 'a', registeredAt: 0 }, 0, POLICY);

    server.process.kill('SIGSTOP');
    closers.push(async () => server.process.kill('SIGCONT'));
    let settled = false;
    const claim = store.claim(undefined, 'fifo', 0, POLICY).finally(() => {
      settled = true;
    });
    claim.catch(() => {});
    await clock.advanceAsync(999);
    expect(settled).toBe(false);
    await clock.advanceAsync(1);
    const error = await rejection(claim);
    expect(error).toMatchObject({ code: 'AGENT_ERR_REGISTRY_UNAVAILABLE', statusCode: 503 });
    expect(error.message).toContain('claim got no reply within 1000 ms');
  });

  it('fails at once with AGENT_ERR_REGISTRY_UNAVAILABLE once the server is gone, and never hangs', async () => {
    const server = await startRedisServer();
    const store = await openRedisRegistryStore({ url: server.url, keyPrefix: 'relaysim:', clock: new ManualClock() });
    closers.push(() => store.close());
    await server.stop();
    // The manual clock never advances, so only the lost connection can end these calls.
    for (const operation of [
      () => store.add({ simulationOutputId: 'a', registeredAt: 0 }, 0, POLICY),
      () => store.claim('+1', 'caller-id', 0, POLICY),
      () => store.pendingCount(0, POLICY),
    ]) {
      const error = await rejection(operation());
      expect(error).toMatchObject({ code: 'AGENT_ERR_REGISTRY_UNAVAILABLE', statusCode: 503 });
      expect(error.cause).toBeInstanceOf(Error);
    }
  });

  it('refuses to open when nothing listens, naming the cause and hiding the password', async () => {
    const port = await freePortWithoutServer();
    const error = await rejection(openRedisRegistryStore({ url: `redis://:hunter2@127.0.0.1:${port}`, clock: new ManualClock() }));
    expect(error.code).toBe('AGENT_ERR_REGISTRY_UNAVAILABLE');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain(`redis://:***@127.0.0.1:${port}`);
    expect(error.message).not.toContain('hunter2');
  });

  it('gives up opening after the connect timeout when the server accepts but never answers', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closers.push(
      () =>
        new Promise((resolve) => {
          for (const socket of sockets) socket.destroy();
          silent.close(resolve);
        }),
    );
    const clock = new ManualClock();
    const opening = openRedisRegistryStore({ url: `redis://127.0.0.1:${(silent.address() as { port: number }).port}`, clock, connectTimeoutMs: 3_000 });
    opening.catch(() => {});
    await clock.advanceAsync(3_000);
    const error = await rejection(opening);
    expect(error.code).toBe('AGENT_ERR_REGISTRY_UNAVAILABLE');
    expect(error.message).toContain('no connection within 3000 ms');
  });

  it('closes its own connection once and then refuses work; a borrowed connection stays open', async () => {
    const store = await replica(freshKeyPrefix());
    await store.close();
    await store.close();
    expect(await rejection(store.pendingCount(0, POLICY))).toMatchObject({ code: 'AGENT_ERR_REGISTRY_UNAVAILABLE', message: expect.stringContaining('closed') });

    const client = await sharedRedisClient();
    const borrowing = new RedisRegistryStore({ redis: client, keyPrefix: freshKeyPrefix(), clock: new ManualClock() });
    await borrowing.close();
    expect(client.status).toBe('ready');
  });

  it.each([
    [() => openRedisRegistryStore({ url: 'http://127.0.0.1:6379', clock: new ManualClock() }), 'redis://'],
    [() => openRedisRegistryStore({ url: 'redis://127.0.0.1:1', keyPrefix: '', clock: new ManualClock() }), 'key prefix'],
    [() => openRedisRegistryStore({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 0, clock: new ManualClock() }), 'commandTimeoutMs'],
  ])('refuses bad options with AGENT_ERR_REGISTRY_OPTIONS_INVALID (%#)', async (open, text) => {
    const error = await rejection(open());
    expect(error.code).toBe('AGENT_ERR_REGISTRY_OPTIONS_INVALID');
    expect(error.message).toContain(text);
  });
});
