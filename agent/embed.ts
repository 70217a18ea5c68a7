import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { buildAgent } from './app.ts';
import { loadAgentConfig, type ResolvedAgentConfig } from './config.ts';
import { createRealDeps, openRegistryStore } from './deps.ts';
import { CUT_CALLS_WAIT_MS, shutdownAgent } from './main.ts';
import { systemClock } from './platform/clock.ts';
import { cryptoIds } from './platform/ids.ts';
import type { AgentLogger } from './platform/logger.ts';
import { cryptoRandom } from './platform/random.ts';

/**
 * The reference agent started inside another program (the simulator's embedded target, tests).
 * The simulator never imports this file: it is given its URL and loads it with `import()`, so the
 * agent and the kit stay independent (architecture §2).
 */

/** Inputs of {@link startEmbeddedAgent}. */
export interface EmbeddedAgentOptions {
  /** The agent's environment, exactly as `agent/main.ts` would read it from `process.env`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Keep the last N log lines (JSON) for {@link EmbeddedAgent.logTail}; default 200. */
  readonly logLines?: number;
}

/** A running embedded agent. */
export interface EmbeddedAgent {
  /** `http://<host>:<port>` the agent listens on. */
  readonly baseUrl: string;
  readonly port: number;
  readonly config: ResolvedAgentConfig;
  /** The last log lines, oldest first (the agent logs JSON lines; nothing goes to stdout). */
  logTail(): string[];
  /** Graceful stop: open calls finish or are cut, pending exports flush, the server closes. */
  close(): Promise<void>;
}

/**
 * Starts the reference agent in this process with real sockets and the system clock; the registry
 * is in memory, or in Redis when `REDIS_URL` is set. `HOST` defaults to 127.0.0.1 and `PORT` to 0
 * (a free port) unless `env` sets them; logs are kept in memory instead of stdout. Throws AGENT_ERR_CONFIG_INVALID for a bad environment.
 */
export async function startEmbeddedAgent(options: EmbeddedAgentOptions): Promise<EmbeddedAgent> {
  const config = loadAgentConfig({ HOST: '127.0.0.1', PORT: '0', ...options.env });
  const keep = options.logLines ?? 200;
  const lines: string[] = [];
  const logger = pino(
    { level: config.logLevel, base: { service: 'relaysim-agent' } },
    {
      write(line: string) {
        lines.push(line.trimEnd());
        if (lines.length > keep) lines.splice(0, lines.length - keep);
      },
    },
  );
  // REDIS_URL is honoured as by agent/main.ts, so embedded replicas can share one registry.
  const store = await openRegistryStore(config, { clock: systemClock, logger: logger as AgentLogger });
  const deps = createRealDeps(config, {
    clock: systemClock,
    random: cryptoRandom,
    ids: cryptoIds,
    fetch: globalThis.fetch,
    fetchAbortsBodies: true,
    store,
    logger,
  });
  const app = buildAgent(config, deps);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await deps.registry.close().catch(() => {});
    throw error;
  }
  const port = (app.server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;
  return {
    baseUrl: `http://${host}:${port}`,
    port,
    config,
    logTail: () => [...lines],
    close() {
      // Embedded runs end their calls themselves; a short grace keeps a stuck call from holding the test.
      const graceMs = Math.min(config.shutdownGraceSeconds * 1000, CUT_CALLS_WAIT_MS);
      closing ??= shutdownAgent({ app, exporter: deps.exporter, registry: deps.registry, logger, graceMs }).then(() => undefined);
      return closing;
    },
  };
}
