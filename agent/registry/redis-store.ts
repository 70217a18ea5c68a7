/**
 * The Redis registry store: the memory store's semantics (agent/registry/memory-store.ts), shared
 * by several agent replicas. `add`, `claim` and `pendingCount` are one Lua script each
 * (agent/registry/redis-scripts.ts, sent with EVALSHA through ioredis `defineCommand`, which
 * falls back to EVAL after a NOSCRIPT), so Redis runs each atomically and no id is claimed twice.
 *
 * Key layout, all under `<keyPrefix>{registry}:` (default prefix `relaysim:`; the `{registry}`
 * hash tag keeps every key in one Cluster slot). Ids and numbers are stored as their JSON string
 * literal (`"sim-1"`), which maps every JavaScript string, even a lone surrogate, to valid UTF-8.
 *
 * | key             | type   | content                                                              |
 * |-----------------|--------|----------------------------------------------------------------------|
 * | `seq`           | string | INCR counter: registration and claim order                           |
 * | `queue`         | zset   | pending id → seq (FIFO order of all registrations)                   |
 * | `anonymous`     | zset   | pending id without a `from_number` → seq (`caller-id` fallback)      |
 * | `callers`       | zset   | score 0, member `<len>:<from><seq, 16 digits><id>` (lex index by caller) |
 * | `caller-member` | hash   | pending id → its `callers` member                                    |
 * | `entries`       | hash   | pending id → the registration as JSON (exact numbers)                |
 * | `registered-at` | zset   | pending id → registeredAt (expiry order)                             |
 * | `claimed`       | zset   | claimed id → seq (claim order; at most `capacity` remembered)        |
 * | `claimed-at`    | hash   | claimed id → claim time                                              |
 *
 * Every write refreshes a PEXPIRE of TTL + {@link KEY_EXPIRY_MARGIN_MS} on all keys, so an
 * abandoned prefix disappears on its own. Times are the numbers the registry passes; replicas
 * must share a time base, so the agent runs the registry on epoch time with Redis
 * (`timeBase: 'epoch'`), and replica clocks must be NTP-synchronised.
 */
import { Redis } from 'ioredis';
import { AgentErrors } from '../errors.ts';
import type { Clock, TimerHandle } from '../platform/clock.ts';
import type { AgentLogger } from '../platform/logger.ts';
import { isRedisUrl, redactRedisUrl } from './redis-url.ts';
import { ADD_SCRIPT, CLAIM_SCRIPT, COUNT_SCRIPT, REGISTRY_KEY_NAMES } from './redis-scripts.ts';
import type {
  AddOutcome,
  ClaimOutcome,
  CorrelationStrategy,
  PendingRegistration,
  RegistryPolicy,
  RegistryStore,
} from './registry-types.ts';

/** How long one store operation may wait for Redis before it fails with AGENT_ERR_REGISTRY_UNAVAILABLE. */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 2_000;
/** How long {@link openRedisRegistryStore} waits for the first connection. */
export const DEFAULT_REDIS_CONNECT_TIMEOUT_MS = 5_000;
/** Keys outlive the TTL by this much after the last write, covering clock skew between replicas. */
export const KEY_EXPIRY_MARGIN_MS = 60_000;
/** The key prefix the agent uses unless REDIS_KEY_PREFIX says otherwise. */
export const DEFAULT_REDIS_KEY_PREFIX = 'relaysim:';
/** Longest accepted key prefix. */
export const MAX_REDIS_KEY_PREFIX_LENGTH = 200;

const SCRIPTS = {
  relaysimRegistryAdd: ADD_SCRIPT,
  relaysimRegistryClaim: CLAIM_SCRIPT,
  relaysimRegistryCount: COUNT_SCRIPT,
} as const;

type ScriptName = keyof typeof SCRIPTS;
const clientsWithScripts = new WeakSet<Redis>();
type ScriptClient = Redis & Record<ScriptName, (...args: string[]) => Promise<unknown>>;

/** Options of {@link RedisRegistryStore}. */
export interface RedisRegistryStoreOptions {
  /** A ready ioredis client (see {@link createRegistryRedisClient} for the settings it needs). */
  readonly redis: Redis;
  /** Prepended to every key; stores with different prefixes are independent. */
  readonly keyPrefix: string;
  /** Times the command timeout. */
  readonly clock: Clock;
  readonly commandTimeoutMs?: number;
  /** Whether {@link RedisRegistryStore.close} closes `redis` (true when the store opened it). */
  readonly ownsConnection?: boolean;
}

/** Options of {@link openRedisRegistryStore}. */
export interface OpenRedisRegistryStoreOptions {
  /** `redis://` or `rediss://` URL, e.g. `redis://:password@redis.internal:6379/0`. */
  readonly url: string;
  readonly keyPrefix?: string;
  readonly clock: Clock;
  readonly commandTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /** Receives connection errors (ioredis keeps reconnecting in the background). */
  readonly logger?: AgentLogger;
}

const unavailable = (detail: string, cause?: unknown): Error =>
  cause === undefined ? new AgentErrors.AGENT_ERR_REGISTRY_UNAVAILABLE(detail) : new AgentErrors.AGENT_ERR_REGISTRY_UNAVAILABLE(detail, { cause });
const invalidData = (detail: string): Error => new AgentErrors.AGENT_ERR_REGISTRY_DATA_INVALID(detail);
const isAgentError = (error: unknown): boolean =>
  error instanceof AgentErrors.AGENT_ERR_REGISTRY_UNAVAILABLE || error instanceof AgentErrors.AGENT_ERR_REGISTRY_DATA_INVALID;
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).replace(/\.+$/, '');

function checkPositive(name: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < 1) {
    throw new AgentErrors.AGENT_ERR_REGISTRY_OPTIONS_INVALID(`${name} must be a positive integer (actual: ${resolved})`);
  }
  return resolved;
}

function checkPrefix(prefix: string): string {
  if (typeof prefix !== 'string' || prefix.length < 1 || prefix.length > MAX_REDIS_KEY_PREFIX_LENGTH) {
    throw new AgentErrors.AGENT_ERR_REGISTRY_OPTIONS_INVALID(
      `the key prefix must be 1 to ${MAX_REDIS_KEY_PREFIX_LENGTH} characters (actual: ${typeof prefix === 'string' ? prefix.length : typeof prefix})`,
    );
  }
  return prefix;
}

function checkTime(name: string, value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`RedisRegistryStore needs a finite ${name} (actual: ${value})`);
  return String(value);
}

/** The Redis keys of a store with `keyPrefix`, in the order the scripts expect. */
export function registryKeys(keyPrefix: string): string[] {
  return REGISTRY_KEY_NAMES.map((name) => `${keyPrefix}{registry}:${name}`);
}

function parseEntry(json: unknown): PendingRegistration {
  if (typeof json !== 'string') throw invalidData(`a claimed registration has no stored entry (actual: ${typeof json})`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw invalidData(`a stored registration is not JSON: '${json.slice(0, 80)}'`);
  }
  const entry = value as Partial<Record<keyof PendingRegistration, unknown>>;
  const optionalString = (v: unknown) => v === undefined || typeof v === 'string';
  if (
    entry === null ||
    typeof entry !== 'object' ||
    typeof entry.simulationOutputId !== 'string' ||
    typeof entry.registeredAt !== 'number' ||
    !optionalString(entry.fromNumber) ||
    !optionalString(entry.toNumber)
  ) {
    throw invalidData(`a stored registration has the wrong shape: '${json.slice(0, 80)}'`);
  }
  return entry as PendingRegistration;
}

function asCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalidData(`${what} is not a count (actual: ${JSON.stringify(value)})`);
  return value;
}

function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw invalidData(`${what} replied ${JSON.stringify(value)} instead of an array`);
  return value;
}

/**
 * The settings the store relies on: no offline queue and no resending, so a command is either
 * sent once or fails at once (a resent claim could take a second id); ioredis keeps
 * reconnecting in the background. The caller must `connect()` before use.
 */
export function createRegistryRedisClient(url: string, options: { readonly connectTimeoutMs?: number } = {}): Redis {
  if (!isRedisUrl(url)) {
    throw new AgentErrors.AGENT_ERR_REGISTRY_OPTIONS_INVALID(`the URL must be redis://host[:port][/db] or rediss://… (actual: '${redactRedisUrl(url)}')`);
  }
  return new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: checkPositive('connectTimeoutMs', options.connectTimeoutMs, DEFAULT_REDIS_CONNECT_TIMEOUT_MS),
    connectionName: 'relaysim-registry',
  });
}

/**
 * Connects to `url` and returns a store that owns the connection (closed by `close()`).
 * Throws AGENT_ERR_REGISTRY_UNAVAILABLE when Redis does not answer within the connect timeout.
 */
export async function openRedisRegistryStore(options: OpenRedisRegistryStoreOptions): Promise<RedisRegistryStore> {
  const keyPrefix = checkPrefix(options.keyPrefix ?? DEFAULT_REDIS_KEY_PREFIX);
  const connectTimeoutMs = checkPositive('connectTimeoutMs', options.connectTimeoutMs, DEFAULT_REDIS_CONNECT_TIMEOUT_MS);
  checkPositive('commandTimeoutMs', options.commandTimeoutMs, DEFAULT_REDIS_COMMAND_TIMEOUT_MS);
  const redis = createRegistryRedisClient(options.url, { connectTimeoutMs });
  const where = redactRedisUrl(options.url);
  let lastError: unknown;
  redis.on('error', (error: unknown) => {
    lastError = error;
    options.logger?.warn({ err: error, redis: where }, 'registry Redis connection error');
  });
  let timer: TimerHandle | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise<never>((_resolve, reject) => {
        timer = options.clock.setTimer(connectTimeoutMs, () => reject(new Error(`no connection within ${connectTimeoutMs} ms`)));
      }),
    ]);
  } catch (error) {
    redis.disconnect();
    const reason = lastError === undefined ? messageOf(error) : `${messageOf(error)} (${messageOf(lastError)})`;
    throw unavailable(`cannot connect to ${where}: ${reason}`, lastError ?? error);
  } finally {
    timer?.cancel();
  }
  return new RedisRegistryStore({
    redis,
    keyPrefix,
    clock: options.clock,
    ownsConnection: true,
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: options.commandTimeoutMs }),
  });
}

/** A {@link RegistryStore} in Redis with exactly the memory store's outcomes; see the file header for the key layout. */
export class RedisRegistryStore implements RegistryStore {
  readonly #redis: ScriptClient;
  readonly #keys: string[];
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #ownsConnection: boolean;
  #closed = false;

  constructor(options: RedisRegistryStoreOptions) {
    this.#keys = registryKeys(checkPrefix(options.keyPrefix));
    this.#timeoutMs = checkPositive('commandTimeoutMs', options.commandTimeoutMs, DEFAULT_REDIS_COMMAND_TIMEOUT_MS);
    this.#clock = options.clock;
    this.#ownsConnection = options.ownsConnection ?? false;
    // Defined once per client: each definition tracks which sockets already loaded its script.
    if (!clientsWithScripts.has(options.redis)) {
      for (const [name, lua] of Object.entries(SCRIPTS)) {
        options.redis.defineCommand(name, { lua, numberOfKeys: REGISTRY_KEY_NAMES.length });
      }
      clientsWithScripts.add(options.redis);
    }
    this.#redis = options.redis as ScriptClient;
  }

  /** The Redis keys this store uses, in script order (for tests and operators). */
  get keys(): readonly string[] {
    return this.#keys;
  }

  async add(entry: PendingRegistration, nowMs: number, policy: RegistryPolicy): Promise<AddOutcome> {
    const from = entry.fromNumber;
    const reply = asArray(
      await this.#call('add', 'relaysimRegistryAdd', [
        ...this.#policyArgs(nowMs, policy),
        JSON.stringify(entry.simulationOutputId),
        JSON.stringify({
          simulationOutputId: entry.simulationOutputId,
          registeredAt: entry.registeredAt,
          ...(entry.fromNumber === undefined ? {} : { fromNumber: entry.fromNumber }),
          ...(entry.toNumber === undefined ? {} : { toNumber: entry.toNumber }),
        }),
        checkTime('registeredAt', entry.registeredAt),
        from === undefined ? '0' : '1',
        from === undefined ? '' : JSON.stringify(from),
      ]),
      'add',
    );
    const [status, pending, evicted] = reply;
    if (status !== 'added' && status !== 'duplicate' && status !== 'full') throw invalidData(`add replied status ${JSON.stringify(status)}`);
    return { status, pending: asCount(pending, 'pending'), evicted: asCount(evicted, 'evicted') };
  }

  async claim(from: string | undefined, strategy: CorrelationStrategy, nowMs: number, policy: RegistryPolicy): Promise<ClaimOutcome> {
    const reply = asArray(
      await this.#call('claim', 'relaysimRegistryClaim', [
        ...this.#policyArgs(nowMs, policy),
        strategy,
        from === undefined ? '0' : '1',
        from === undefined ? '' : JSON.stringify(from),
      ]),
      'claim',
    );
    const [status, purged, entry, matchedBy] = reply;
    if (status === 'none') return { status, purged: asCount(purged, 'purged') };
    if (status !== 'claimed') throw invalidData(`claim replied status ${JSON.stringify(status)}`);
    if (matchedBy !== 'caller-id' && matchedBy !== 'fifo') throw invalidData(`claim replied matchedBy ${JSON.stringify(matchedBy)}`);
    return { status, entry: parseEntry(entry), matchedBy, purged: asCount(purged, 'purged') };
  }

  async pendingCount(nowMs: number, policy: RegistryPolicy): Promise<number> {
    const reply = await this.#call('pendingCount', 'relaysimRegistryCount', [checkTime('nowMs', nowMs), checkTime('ttlMs', policy.ttlMs)]);
    return asCount(reply, 'pendingCount');
  }

  /** Closes the connection when the store owns it; later operations fail. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#ownsConnection) return;
    try {
      await this.#withTimeout('quit', this.#redis.quit());
    } catch {
      // The server is gone or slow; dropping the socket is all that is left to do.
    } finally {
      this.#redis.disconnect();
    }
  }

  #policyArgs(nowMs: number, policy: RegistryPolicy): string[] {
    return [
      checkTime('nowMs', nowMs),
      checkTime('ttlMs', policy.ttlMs),
      String(policy.capacity),
      String(Math.ceil(policy.ttlMs) + KEY_EXPIRY_MARGIN_MS),
    ];
  }

  async #call(what: string, script: ScriptName, args: string[]): Promise<unknown> {
    if (this.#closed) throw unavailable(`${what}: the store is closed`);
    try {
      return await this.#withTimeout(what, this.#redis[script](...this.#keys, ...args));
    } catch (error) {
      if (isAgentError(error)) throw error;
      if (/WRONGTYPE/.test(messageOf(error))) throw invalidData(`${what}: ${messageOf(error)}`);
      throw unavailable(`${what} failed: ${messageOf(error)}`, error);
    }
  }

  async #withTimeout<T>(what: string, operation: Promise<T>): Promise<T> {
    let timer: TimerHandle | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = this.#clock.setTimer(this.#timeoutMs, () =>
        reject(unavailable(`${what} got no reply within ${this.#timeoutMs} ms (Redis may still apply it; a claimed id is then lost, never handed out twice)`)),
      );
    });
    try {
      return await Promise.race([operation, timeout]);
    } finally {
      timer?.cancel();
    }
  }
}
