import type { AddressInfo } from 'node:net';
import { type AgentExit, type AgentHandle, type AgentPaths, DEFAULT_AGENT_PATHS, NEVER_EXITS } from '../agent-target/agent-handle.ts';
import { startEmbeddedTarget } from '../agent-target/embedded-agent.ts';
import { findFreePort } from '../agent-target/free-port.ts';
import { startSpawnedAgent } from '../agent-target/spawned-agent.ts';
import type { Clock } from '../core/clock.ts';
import { SimErrors } from '../core/errors.ts';
import { FAKE_CREDENTIALS, type FakeStack, startFakeStack } from '../fakes/fake-stack.ts';
import { buildRoundRobinProxy, type RoundRobinProxy } from '../proxy/round-robin-proxy.ts';
import type { RouteRecord } from '../proxy/route-log.ts';

/** The agent(s) a race drives. */
export type RaceAgentSpec =
  /** The reference agent (or any module exporting `startEmbeddedAgent({env})`) in this process. */
  | { readonly kind: 'embedded'; readonly moduleUrl: string }
  /** A command started once per replica with `PORT`, `PUBLIC_URL`, the fakes' URLs and the race's variables. */
  | { readonly kind: 'spawn'; readonly command: string; readonly cwd?: string; readonly startTimeoutMs?: number }
  /**
   * An agent already running (configured with {@link RaceCluster.fakeEnv}); one URL, no replicas
   * and no variables of ours. `publicUrl` defaults to `baseUrl` with https.
   */
  | {
      readonly kind: 'url';
      readonly baseUrl: string;
      readonly publicUrl?: string;
      readonly twilioAuthToken?: string;
      readonly covalApiKey?: string;
      readonly fakePorts?: { readonly openai?: number; readonly coval?: number };
    };

/** Options of {@link startRaceCluster}. */
export interface RaceClusterOptions {
  readonly agent: RaceAgentSpec;
  readonly clock: Clock;
  readonly fetch: typeof globalThis.fetch;
  /** Agent replicas behind the round-robin proxy. */
  readonly replicas: number;
  /** `CORRELATION_STRATEGY` for started agents. */
  readonly strategy?: string;
  /** `SIMULATION_TTL_SECONDS` for started agents. */
  readonly ttlSeconds?: number;
  /** `REDIS_URL` for started agents; each generation of replicas gets a fresh `REDIS_KEY_PREFIX`. */
  readonly redisUrl?: string;
  /** More variables for started agents (e.g. `LOG_LEVEL`). */
  readonly baseEnv?: Readonly<Record<string, string>>;
  readonly paths?: Partial<AgentPaths>;
}

/** K agent replicas behind a round-robin proxy (agents the kit starts), and the fakes they talk to. */
export interface RaceCluster {
  readonly replicas: number;
  /** Where Twilio and Coval requests go (the proxy, or an agent given by URL). */
  readonly baseUrl: string;
  /** The agents' `PUBLIC_URL`: signed by the fake Twilio, reached through {@link baseUrl}. */
  readonly publicUrl: string;
  readonly paths: AgentPaths;
  readonly twilioAuthToken: string;
  readonly covalApiKey: string;
  readonly stack: FakeStack;
  /** True when every replica got the same `REDIS_URL`. */
  readonly sharedRegistry: boolean;
  /** The TTL the kit set, when it could set one. */
  readonly ttlMs: number | undefined;
  /** True when the kit starts the agents (and so can restart them between runs). */
  readonly managed: boolean;
  /** Resolves when any replica exits. */
  readonly exited: Promise<AgentExit>;
  /** How often the replicas were (re)started, counting the first start. */
  readonly generation: number;
  /** Starts routing afresh: the next request goes to replica 0, so routing depends on the run alone. */
  beginRun(): void;
  /** The proxy's route records from position `start` on (empty for an agent given by URL). */
  routesSince(start: number): readonly RouteRecord[];
  /** The number of routes so far (a position for {@link routesSince}). */
  routeCount(): number;
  /** Stops and starts every replica (a fresh registry: new processes, a new Redis key prefix). */
  restart(): Promise<void>;
  /** The variables a `url` agent must be started with to use the fakes. */
  fakeEnv(): Record<string, string>;
  /** The started agents' environment (first replica), secrets included. */
  agentEnv(): Readonly<Record<string, string>>;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

/** Validates the options at the edge; throws SIM_ERR_RACE_OPTIONS_INVALID. */
function validate(options: RaceClusterOptions): void {
  if (!Number.isInteger(options.replicas) || options.replicas < 1 || options.replicas > 16) {
    throw new SimErrors.SIM_ERR_RACE_OPTIONS_INVALID(`replicas must be an integer from 1 to 16 (actual: ${String(options.replicas)})`);
  }
  if (options.agent.kind === 'url' && options.replicas !== 1) {
    throw new SimErrors.SIM_ERR_RACE_OPTIONS_INVALID('an agent given by URL is one endpoint; put your own load balancer there, or let the kit start replicas (embedded or --spawn)');
  }
  if (options.agent.kind === 'url' && !URL.canParse(options.agent.baseUrl)) {
    throw new SimErrors.SIM_ERR_RACE_OPTIONS_INVALID(`agent URL '${options.agent.baseUrl}' is not a URL`);
  }
}

/**
 * Starts the fakes, K replicas and the round-robin proxy in front of them (docs/replicas.md). Every replica's `PUBLIC_URL` is the proxy's, so the TwiML's relay URL and
 * the signatures name the proxy, and registrations and calls are routed independently.
 */
export async function startRaceCluster(options: RaceClusterOptions): Promise<RaceCluster> {
  validate(options);
  const { clock, fetch } = options;
  const spec = options.agent;
  const fakePorts = spec.kind === 'url' ? spec.fakePorts : undefined;
  const stack = await startFakeStack({
    clock,
    fetch,
    ...(fakePorts?.openai === undefined ? {} : { openaiPort: fakePorts.openai }),
    ...(fakePorts?.coval === undefined ? {} : { covalPort: fakePorts.coval }),
  });
  const paths: AgentPaths = { ...DEFAULT_AGENT_PATHS, ...options.paths };
  if (spec.kind === 'url') return urlCluster(spec, stack, paths);
  try {
    return await managedCluster(spec, options, stack, paths);
  } catch (error) {
    await stack.close();
    throw error;
  }
}

function urlCluster(spec: Extract<RaceAgentSpec, { kind: 'url' }>, stack: FakeStack, paths: AgentPaths): RaceCluster {
  const baseUrl = spec.baseUrl.replace(/\/+$/, '');
  const twilioAuthToken = spec.twilioAuthToken ?? FAKE_CREDENTIALS.twilioAuthToken;
  const covalApiKey = spec.covalApiKey ?? FAKE_CREDENTIALS.covalApiKey;
  return {
    replicas: 1,
    baseUrl,
    publicUrl: (spec.publicUrl ?? baseUrl.replace(/^http:/, 'https:')).replace(/\/+$/, ''),
    paths,
    twilioAuthToken,
    covalApiKey,
    stack,
    sharedRegistry: false,
    ttlMs: undefined,
    managed: false,
    exited: NEVER_EXITS,
    generation: 1,
    beginRun: () => undefined,
    routesSince: () => [],
    routeCount: () => 0,
    restart: async () => undefined,
    fakeEnv: () => ({ ...stack.agentEnv(), TWILIO_AUTH_TOKEN: twilioAuthToken, COVAL_API_KEY: covalApiKey }),
    agentEnv: () => ({}),
    close: () => stack.close(),
  };
}

async function managedCluster(
  spec: Extract<RaceAgentSpec, { kind: 'embedded' | 'spawn' }>,
  options: RaceClusterOptions,
  stack: FakeStack,
  paths: AgentPaths,
): Promise<RaceCluster> {
  const { clock, fetch, replicas } = options;
  const ports: number[] = [];
  for (let i = 0; i < replicas; i++) ports.push(await findFreePort());
  let offset = 0;
  // The proxy fronts even a single replica: clients then never reuse a keep-alive connection to a
  // replica that was restarted on the same port (the proxy opens one upstream connection per request).
  const proxy: RoundRobinProxy = buildRoundRobinProxy({
    targets: ports.map((p) => `http://${LOOPBACK}:${p}`),
    clock,
    choose: ({ seq, targetCount }) => (((seq - offset) % targetCount) + targetCount) % targetCount,
  });
  const server = proxy.server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  const entryPort = (server.address() as AddressInfo).port;
  const baseUrl = `http://${LOOPBACK}:${entryPort}`;
  const publicUrl = `https://${LOOPBACK}:${entryPort}`;
  const prefixRoot = `relaysim-race:${process.pid}:${clock.epochMs().toFixed(0)}:`;
  let generation = 0;
  let agents: AgentHandle[] = [];
  let exitSignal: (exit: AgentExit) => void = () => undefined;
  const exited = new Promise<AgentExit>((resolve) => (exitSignal = resolve));
  let stopping = false;

  const envFor = (port: number): Record<string, string> => ({
    ...stack.agentEnv(),
    PORT: String(port),
    HOST: LOOPBACK,
    PUBLIC_URL: publicUrl,
    ...(options.strategy === undefined ? {} : { CORRELATION_STRATEGY: options.strategy }),
    ...(options.ttlSeconds === undefined ? {} : { SIMULATION_TTL_SECONDS: String(options.ttlSeconds) }),
    ...(options.redisUrl === undefined ? {} : { REDIS_URL: options.redisUrl, REDIS_KEY_PREFIX: `${prefixRoot}${generation}:` }),
    ...options.baseEnv,
  });

  const startOne = async (port: number): Promise<AgentHandle> => {
    const env = envFor(port);
    const common = { env, publicUrl, twilioAuthToken: env.TWILIO_AUTH_TOKEN, covalApiKey: env.COVAL_API_KEY ?? FAKE_CREDENTIALS.covalApiKey, paths };
    const agent =
      spec.kind === 'embedded'
        ? await startEmbeddedTarget({ ...common, moduleUrl: spec.moduleUrl })
        : await startSpawnedAgent({
            ...common,
            command: spec.command,
            baseUrl: `http://${LOOPBACK}:${port}`,
            clock,
            fetch,
            ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
            ...(spec.startTimeoutMs === undefined ? {} : { startTimeoutMs: spec.startTimeoutMs }),
          });
    void agent.exited.then((exit) => {
      if (!stopping && agents.includes(agent)) exitSignal(exit);
    });
    return agent;
  };

  const startAll = async (): Promise<void> => {
    generation++;
    const started = await Promise.allSettled(ports.map((p) => startOne(p)));
    const ok = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) {
      await Promise.all(ok.map((a) => a.close()));
      throw failure.reason;
    }
    agents = ok;
  };

  const stopAll = async (): Promise<void> => {
    const old = agents;
    agents = [];
    await Promise.all(old.map((a) => a.close()));
  };

  try {
    await startAll();
  } catch (error) {
    await proxy.close();
    throw error;
  }
  const first = agents[0] as AgentHandle;
  return {
    replicas,
    baseUrl,
    publicUrl,
    paths,
    twilioAuthToken: first.twilioAuthToken ?? FAKE_CREDENTIALS.twilioAuthToken,
    covalApiKey: first.covalApiKey,
    stack,
    sharedRegistry: options.redisUrl !== undefined,
    ttlMs: options.ttlSeconds === undefined ? undefined : options.ttlSeconds * 1000,
    managed: true,
    exited,
    get generation() {
      return generation;
    },
    beginRun() {
      offset = proxy.routes.length;
    },
    routesSince: (start) => proxy.routes.slice(start),
    routeCount: () => proxy.routes.length,
    async restart() {
      await stopAll();
      await startAll();
    },
    fakeEnv: () => stack.agentEnv(),
    agentEnv: () => envFor(ports[0] as number),
    async close() {
      stopping = true;
      await stopAll();
      await proxy.close();
      await stack.close();
    },
  };
}
