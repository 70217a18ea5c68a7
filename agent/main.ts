import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { buildAgent, type AgentApp } from './app.ts';
import { loadAgentConfig, type ResolvedAgentConfig } from './config.ts';
import { createRealDeps, openRegistryStore, type CallExporter } from './deps.ts';
import { systemClock } from './platform/clock.ts';
import { cryptoIds } from './platform/ids.ts';
import type { AgentLogger } from './platform/logger.ts';
import { cryptoRandom } from './platform/random.ts';
import { redactRedisUrl } from './registry/redis-url.ts';
import type { RegistryStore } from './registry/registry-types.ts';
import type { SimulationRegistry } from './registry/simulation-registry.ts';

/** Exit code when the configuration is invalid. */
export const EXIT_CONFIG_INVALID = 2;
/** Exit code when the agent failed to start or to shut down cleanly, or a second signal forced it. */
export const EXIT_FAILURE = 1;
/** How long cut calls get to close their sessions and hand their logs to the exporter. */
export const CUT_CALLS_WAIT_MS = 5_000;

/** What {@link shutdownAgent} did. */
export interface ShutdownReport {
  /** Calls still open at the grace deadline and closed with 1001. */
  readonly cutCalls: number;
  readonly delivered: number;
  /** Simulation ids whose traces were not delivered; each is also logged. */
  readonly undelivered: readonly string[];
}

/** What {@link shutdownAgent} needs. */
export interface ShutdownTarget {
  readonly app: AgentApp;
  readonly exporter: CallExporter;
  readonly registry: SimulationRegistry;
  readonly logger: AgentLogger;
  readonly graceMs: number;
}

/**
 * Graceful stop: refuse new calls, let open calls finish for `graceMs` (then cut them with 1001),
 * flush pending trace exports for up to `graceMs`, log every undelivered trace with its
 * simulation id, then close the server and the registry.
 */
export async function shutdownAgent(target: ShutdownTarget): Promise<ShutdownReport> {
  const { app, exporter, registry, logger, graceMs } = target;
  app.agent.stopAccepting();
  logger.info({ openCalls: app.agent.openCalls, graceMs }, 'shutting down: refusing new calls, waiting for open calls');
  let cutCalls = 0;
  if (!(await app.agent.whenIdle(graceMs))) {
    cutCalls = app.agent.cutOpenCalls('agent shutting down');
    logger.warn({ cutCalls }, 'shutdown grace period over: open calls cut');
    if (!(await app.agent.whenIdle(CUT_CALLS_WAIT_MS))) {
      logger.error({ openCalls: app.agent.openCalls }, 'cut calls did not finish closing; their traces are lost');
    }
  }
  const drained = await exporter.drain(graceMs);
  for (const simulationOutputId of drained.undelivered) {
    logger.error({ simulationOutputId }, 'trace not delivered before shutdown');
  }
  await app.close();
  await registry.close();
  logger.info({ cutCalls, delivered: drained.delivered, undelivered: drained.undelivered.length }, 'agent stopped');
  return { cutCalls, delivered: drained.delivered, undelivered: drained.undelivered };
}

/** The process-facing effects of {@link runMain}, injectable for tests. */
export interface MainOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stderr: (text: string) => void;
  readonly exit: (code: number) => void;
  readonly onSignal: (signal: 'SIGTERM' | 'SIGINT', handler: () => void) => void;
  /** Network for the LLM and Coval; the global fetch by default. */
  readonly fetch?: typeof fetch;
}

/** A started agent. */
export interface RunningAgent {
  readonly app: AgentApp;
  readonly config: ResolvedAgentConfig;
  /** The port actually bound (PORT=0 picks one). */
  readonly port: number;
  /** Runs the graceful shutdown once (later calls share it), then calls `exit`; resolves with the exit code. */
  stop(): Promise<number>;
}

/**
 * Writes are synchronous: with pino's default asynchronous stdout, lines logged just before
 * `process.exit` could land out of order, and the shutdown report is exactly such a line.
 */
function createPinoLogger(level: string): FastifyBaseLogger {
  return pino({ level, base: { service: 'relaysim-agent' } }, pino.destination({ dest: 1, sync: true }));
}

/**
 * The agent's entry: load the config from `env` (invalid: print every problem, exit 2), build
 * the real dependencies, listen, and shut down gracefully on SIGTERM/SIGINT.
 */
export async function runMain(options: MainOptions): Promise<RunningAgent | undefined> {
  let config: ResolvedAgentConfig;
  try {
    config = loadAgentConfig(options.env);
  } catch (error) {
    options.stderr(`${error instanceof Error ? error.message : String(error)}\n`);
    options.exit(EXIT_CONFIG_INVALID);
    return undefined;
  }
  const logger = createPinoLogger(config.logLevel);
  const redis = config.redisUrl === undefined ? undefined : redactRedisUrl(config.redisUrl);
  let store: RegistryStore;
  try {
    store = await openRegistryStore(config, { clock: systemClock, logger: logger as AgentLogger });
  } catch (error) {
    logger.fatal({ err: error, redis }, 'agent failed to open the registry store');
    options.exit(EXIT_FAILURE);
    return undefined;
  }
  const deps = createRealDeps(config, {
    clock: systemClock,
    random: cryptoRandom,
    ids: cryptoIds,
    fetch: options.fetch ?? globalThis.fetch,
    // Node's own fetch follows the Fetch standard: aborting ends a body mid-stream.
    fetchAbortsBodies: options.fetch === undefined,
    store,
    logger,
  });
  const app = buildAgent(config, deps);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    logger.fatal({ err: error, port: config.port, host: config.host }, 'agent failed to listen');
    await deps.registry.close().catch(() => {});
    options.exit(EXIT_FAILURE);
    return undefined;
  }
  const port = (app.server.address() as AddressInfo).port;
  logger.info(
    {
      port,
      host: config.host,
      publicUrl: config.publicUrl ?? '(from request headers)',
      signaturesEnforced: config.twilioAuthToken !== undefined,
      registrationEnabled: config.covalApiKey !== undefined,
      exportsEnabled: config.covalApiKey !== undefined,
      correlationStrategy: config.correlationStrategy,
      registryStore: redis === undefined ? 'memory' : 'redis',
      ...(redis === undefined ? {} : { redis, redisKeyPrefix: config.redisKeyPrefix }),
      llmModel: config.llmModel,
    },
    'agent listening',
  );

  let stopping: Promise<number> | undefined;
  const stop = (): Promise<number> => {
    stopping ??= shutdownAgent({ app, exporter: deps.exporter, registry: deps.registry, logger, graceMs: config.shutdownGraceSeconds * 1000 }).then(
      () => 0,
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        return EXIT_FAILURE;
      },
    ).then((code) => {
      options.exit(code);
      return code;
    });
    return stopping;
  };
  const onSignal = (signal: 'SIGTERM' | 'SIGINT') => () => {
    if (stopping !== undefined) {
      logger.warn({ signal }, 'second signal during shutdown: exiting now');
      options.exit(EXIT_FAILURE);
      return;
    }
    logger.info({ signal }, 'signal received');
    void stop();
  };
  options.onSignal('SIGTERM', onSignal('SIGTERM'));
  options.onSignal('SIGINT', onSignal('SIGINT'));
  return { app, config, port, stop };
}

if (import.meta.main) {
  void runMain({
    env: process.env,
    stderr: (text) => process.stderr.write(text),
    exit: (code) => process.exit(code),
    onSignal: (signal, handler) => process.on(signal, handler),
  });
}
