import type { FastifyBaseLogger } from 'fastify';
import type { RawData } from 'ws';
import type { ResolvedAgentConfig } from './config.ts';
import { createOpenAiLlmClient } from './llm/openai-llm-client.ts';
import type { Clock } from './platform/clock.ts';
import type { IdGenerator } from './platform/ids.ts';
import type { AgentLogger } from './platform/logger.ts';
import type { Random } from './platform/random.ts';
import { MemoryRegistryStore } from './registry/memory-store.ts';
import { openRedisRegistryStore } from './registry/redis-store.ts';
import type { RegistryStore } from './registry/registry-types.ts';
import { SimulationRegistry } from './registry/simulation-registry.ts';
import type { CallLog } from './session/call-log.ts';
import { createRelaySessionFactory } from './session/relay-session-factory.ts';
import { createReferenceToolRegistry, REFERENCE_SYSTEM_PROMPT } from './tools/reference-tools.ts';
import { createTraceExporter } from './tracing/trace-exporter.ts';

/** What a relay session may do with its call: send frames to Twilio and log. */
export interface CallIo {
  /** Sends one text frame to Twilio; a no-op once the socket is closing. */
  send(frame: string): void;
  /** The call's logger; the session adds `callSid` and `simulationOutputId` once `setup` arrives. */
  readonly logger: AgentLogger;
}

/** One call's conversation logic as the HTTP shell sees it (agent/session/relay-session.ts). */
export interface CallSession {
  /** Feeds one WebSocket message, exactly as received. Never throws for a bad frame. */
  handleRaw(data: RawData, isBinary: boolean): void | Promise<void>;
  /** Resolves once the session sent `end` and wants the socket closed. */
  readonly ended: Promise<void>;
  /** Stops all work (LLM streams, tools) and returns what happened on the call. */
  close(): Promise<CallLog>;
  /** The call's ids once `setup` arrived (and the claim settled); used to label socket-level log lines. */
  readonly callSid?: string | undefined;
  readonly simulationOutputId?: string | undefined;
}

/** Creates the session for a newly opened relay socket. */
export type SessionFactory = (io: CallIo) => CallSession;

/** What a drain saw settle while it waited (agent/tracing/trace-exporter.ts `DrainReport`). */
export interface DrainSummary {
  readonly delivered: number;
  /** Simulation ids whose traces were not delivered (failed, or cut at the timeout). */
  readonly undelivered: readonly string[];
}

/** Exports finished calls to Coval (agent/tracing/trace-exporter.ts `createTraceExporter`). */
export interface CallExporter {
  /**
   * Exports one call's trace; settles when it is delivered, skipped (no simulation id, no
   * COVAL_API_KEY) or given up, each logged with the call's ids by the exporter.
   */
  exportCall(log: CallLog): Promise<unknown>;
  /** Waits up to `timeoutMs` for in-flight exports, then cuts them; reports what is undelivered. */
  drain(timeoutMs: number): Promise<DrainSummary>;
}

/** Everything {@link buildAgent} needs from outside; tests pass fakes, `agent/main.ts` real ones. */
export interface AgentDeps {
  readonly clock: Clock;
  readonly registry: SimulationRegistry;
  readonly createSession: SessionFactory;
  readonly exporter: CallExporter;
  /**
   * The app's logger: a pino instance (used as Fastify's `loggerInstance`) or any
   * {@link AgentLogger}, such as a recording logger. When absent Fastify creates pino at `LOG_LEVEL`.
   */
  readonly logger?: AgentLogger | FastifyBaseLogger;
}

type LogArgs = [unknown, ...unknown[]];

function normalise(args: LogArgs): [object, string | undefined] {
  const [first, second] = args;
  const msg = typeof second === 'string' ? second : undefined;
  if (first instanceof Error) return [{ err: first }, msg ?? first.message];
  if (typeof first === 'string') return [{}, first];
  if (first !== null && typeof first === 'object') return [first, msg];
  return [{ value: first }, msg];
}

function isFastifyLogger(logger: AgentLogger | FastifyBaseLogger): logger is FastifyBaseLogger {
  const candidate = logger as Partial<FastifyBaseLogger>;
  return typeof candidate.fatal === 'function' && typeof candidate.trace === 'function' && typeof candidate.level === 'string';
}

/**
 * Makes an {@link AgentLogger} usable as Fastify's `loggerInstance`: Fastify also logs plain strings
 * and errors, and calls `fatal`/`trace`, which map to `error`/`debug`.
 */
export function toFastifyLogger(logger: AgentLogger | FastifyBaseLogger): FastifyBaseLogger {
  if (isFastifyLogger(logger)) return logger;
  const write = (fn: (obj: object, msg?: string) => void) => (...args: LogArgs) => {
    const [obj, msg] = normalise(args);
    fn.call(logger, obj, msg);
  };
  const adapted = {
    level: 'trace',
    fatal: write(logger.error),
    error: write(logger.error),
    warn: write(logger.warn),
    info: write(logger.info),
    debug: write(logger.debug),
    trace: write(logger.debug),
    silent: () => {},
    child: (bindings: Record<string, unknown>) => toFastifyLogger(logger.child(bindings)),
  };
  return adapted as unknown as FastifyBaseLogger;
}

/** The platform pieces {@link createRealDeps} wires together; `agent/main.ts` passes the real ones. */
export interface PlatformDeps {
  readonly clock: Clock;
  readonly random: Random;
  readonly ids: IdGenerator;
  readonly fetch: typeof fetch;
  /** `fetch` ends a streaming body when its signal aborts (Node's global fetch does; mocks may not). */
  readonly fetchAbortsBodies?: boolean;
  readonly store: RegistryStore;
  /** The app's logger (pino in production); also given to the exporter. */
  readonly logger: AgentLogger | FastifyBaseLogger;
}

/**
 * The registry store `config` asks for: Redis (connected, owning its connection) when `REDIS_URL`
 * is set, else a fresh memory store. Throws AGENT_ERR_REGISTRY_UNAVAILABLE when Redis does not answer.
 */
export async function openRegistryStore(
  config: ResolvedAgentConfig,
  platform: { readonly clock: Clock; readonly logger?: AgentLogger },
): Promise<RegistryStore> {
  if (config.redisUrl === undefined) return new MemoryRegistryStore();
  return openRedisRegistryStore({
    url: config.redisUrl,
    keyPrefix: config.redisKeyPrefix,
    clock: platform.clock,
    ...(platform.logger === undefined ? {} : { logger: platform.logger }),
  });
}

/** Tool rounds allowed per caller turn before the session gives a short answer instead. */
export const MAX_TOOL_ITERATIONS = 5;

/** A key the SDK accepts when OPENAI_BASE_URL points at a server that needs none. */
const NO_KEY = 'not-needed';

/**
 * Wires the production agent from `config` and the platform: the simulation registry over
 * `store`, OpenAI relay sessions with the reference clinic tools, and the Coval trace exporter.
 */
export function createRealDeps(config: ResolvedAgentConfig, platform: PlatformDeps): AgentDeps & { readonly registry: SimulationRegistry } {
  const { clock, random, ids, store, logger } = platform;
  const registry = new SimulationRegistry(store, clock, {
    ttlMs: config.simulationTtlSeconds * 1000,
    capacity: config.maxPendingSimulations,
    strategy: config.correlationStrategy,
    // Replicas sharing Redis compare each other's timestamps, so those must be wall-clock times.
    timeBase: config.redisUrl === undefined ? 'monotonic' : 'epoch',
  });
  const llm = createOpenAiLlmClient({
    apiKey: config.openaiApiKey ?? NO_KEY,
    model: config.llmModel,
    fetch: platform.fetch,
    fetchAbortsBodies: platform.fetchAbortsBodies === true,
    ...(config.openaiBaseUrl === undefined ? {} : { baseURL: config.openaiBaseUrl }),
  });
  const createSession = createRelaySessionFactory({
    clock,
    llm,
    tools: createReferenceToolRegistry(),
    claim: (query) => registry.claim(query),
    systemPrompt: REFERENCE_SYSTEM_PROMPT,
    maxToolIterations: MAX_TOOL_ITERATIONS,
  });
  const exporter = createTraceExporter({
    fetch: platform.fetch,
    clock,
    random,
    ids,
    logger: logger as AgentLogger,
    url: config.covalTracesUrl,
    serviceName: config.serviceName,
    ...(config.covalApiKey === undefined ? {} : { apiKey: config.covalApiKey }),
  });
  return { clock, registry, createSession, exporter, logger };
}
