/**
 * The reference agent built the way `agent/embed.ts` builds it, with one fault injected from the
 * outside: a dependency swapped (registry store, exporter, LLM client, session factory, fetch), a
 * configuration value changed, or a Fastify hook added. Nothing in `agent/` knows about mutants.
 */
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { type AgentApp, buildAgent } from '../../agent/app.ts';
import { loadAgentConfig, type ResolvedAgentConfig } from '../../agent/config.ts';
import { type AgentDeps, type CallExporter, createRealDeps, MAX_TOOL_ITERATIONS, type SessionFactory } from '../../agent/deps.ts';
import type { LlmClient } from '../../agent/llm/llm-client.ts';
import { createOpenAiLlmClient } from '../../agent/llm/openai-llm-client.ts';
import { CUT_CALLS_WAIT_MS, shutdownAgent } from '../../agent/main.ts';
import { systemClock } from '../../agent/platform/clock.ts';
import { cryptoIds } from '../../agent/platform/ids.ts';
import type { AgentLogger } from '../../agent/platform/logger.ts';
import { cryptoRandom } from '../../agent/platform/random.ts';
import { MemoryRegistryStore } from '../../agent/registry/memory-store.ts';
import type { RegistryStore } from '../../agent/registry/registry-types.ts';
import type { SimulationRegistry } from '../../agent/registry/simulation-registry.ts';
import { createRelaySessionFactory } from '../../agent/session/relay-session-factory.ts';
import { createReferenceToolRegistry, REFERENCE_SYSTEM_PROMPT } from '../../agent/tools/reference-tools.ts';
import type { TraceExporterOptions } from '../../agent/tracing/trace-exporter.ts';

/** What a mutation may read while it swaps a dependency. */
export interface MutationContext {
  readonly config: ResolvedAgentConfig;
  readonly logger: AgentLogger;
  /** The network the agent uses (after {@link Mutation.fetch}). */
  readonly fetch: typeof globalThis.fetch;
  readonly registry: SimulationRegistry;
}

/** One injected fault; every hook is optional and the rest of the agent is the reference's. */
export interface Mutation {
  /** Changes the loaded configuration (e.g. the correlation strategy). */
  readonly config?: (config: ResolvedAgentConfig) => ResolvedAgentConfig;
  /** Wraps the agent's whole network (LLM and Coval traffic). */
  readonly fetch?: (fetch: typeof globalThis.fetch, config: ResolvedAgentConfig) => typeof globalThis.fetch;
  /** Replaces the registry store (the reference uses a fresh {@link MemoryRegistryStore}). */
  readonly store?: (config: ResolvedAgentConfig) => RegistryStore;
  /** Wraps the LLM client the relay sessions use. */
  readonly llm?: (llm: LlmClient) => LlmClient;
  /** Wraps the per-socket session factory (decorate `handleRaw`, `send`, `ended`). */
  readonly session?: (create: SessionFactory) => SessionFactory;
  /** Replaces the exporter; `options` are exactly the reference exporter's. */
  readonly exporter?: (options: TraceExporterOptions, context: MutationContext) => CallExporter;
  /** Adds hooks to the built app before it listens. */
  readonly app?: (app: AgentApp, context: MutationContext) => void;
}

/** The identity mutation: the reference agent as `agent/embed.ts` builds it. */
export const NO_MUTATION: Mutation = Object.freeze({});

/** A running mutant, in the shape the simulator's embedded target expects. */
export interface MutantAgent {
  readonly baseUrl: string;
  logTail(): string[];
  close(): Promise<void>;
}

/** The reference exporter's options (`createRealDeps` passes the same). */
function exporterOptions(config: ResolvedAgentConfig, fetch: typeof globalThis.fetch, logger: AgentLogger): TraceExporterOptions {
  return {
    fetch,
    clock: systemClock,
    random: cryptoRandom,
    ids: cryptoIds,
    logger,
    url: config.covalTracesUrl,
    serviceName: config.serviceName,
    ...(config.covalApiKey === undefined ? {} : { apiKey: config.covalApiKey }),
  };
}

/** The reference session factory over `llm` (`createRealDeps` wires the same pieces). */
function sessionFactory(config: ResolvedAgentConfig, fetch: typeof globalThis.fetch, registry: SimulationRegistry, wrap: (llm: LlmClient) => LlmClient): SessionFactory {
  const llm = createOpenAiLlmClient({
    apiKey: config.openaiApiKey ?? 'not-needed',
    model: config.llmModel,
    fetch,
    ...(config.openaiBaseUrl === undefined ? {} : { baseURL: config.openaiBaseUrl }),
  });
  return createRelaySessionFactory({
    clock: systemClock,
    llm: wrap(llm),
    tools: createReferenceToolRegistry(),
    claim: (query) => registry.claim(query),
    systemPrompt: REFERENCE_SYSTEM_PROMPT,
    maxToolIterations: MAX_TOOL_ITERATIONS,
  });
}

/**
 * Starts the reference agent with `mutation` applied, on 127.0.0.1 and a free port unless `env`
 * says otherwise, logging into memory. The same contract as `agent/embed.ts` `startEmbeddedAgent`.
 */
export async function startMutantAgent(mutation: Mutation, env: Readonly<Record<string, string | undefined>>): Promise<MutantAgent> {
  const loaded = loadAgentConfig({ HOST: '127.0.0.1', PORT: '0', ...env });
  const config = mutation.config ? Object.freeze(mutation.config(loaded)) : loaded;
  const lines: string[] = [];
  const logger = pino(
    { level: config.logLevel, base: { service: 'relaysim-agent' } },
    {
      write(line: string) {
        lines.push(line.trimEnd());
        if (lines.length > 200) lines.splice(0, lines.length - 200);
      },
    },
  );
  const fetch = mutation.fetch ? mutation.fetch(globalThis.fetch, config) : globalThis.fetch;
  const store = mutation.store ? mutation.store(config) : new MemoryRegistryStore();
  const reference = createRealDeps(config, { clock: systemClock, random: cryptoRandom, ids: cryptoIds, fetch, store, logger });
  const context: MutationContext = { config, logger, fetch, registry: reference.registry };
  let createSession = mutation.llm ? sessionFactory(config, fetch, reference.registry, mutation.llm) : reference.createSession;
  if (mutation.session) createSession = mutation.session(createSession);
  const exporter = mutation.exporter ? mutation.exporter(exporterOptions(config, fetch, logger), context) : reference.exporter;
  const deps: AgentDeps & { readonly registry: SimulationRegistry } = { ...reference, createSession, exporter };
  const app = buildAgent(config, deps);
  mutation.app?.(app, context);
  await app.listen({ port: config.port, host: config.host });
  const port = (app.server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;
  return {
    baseUrl: `http://${host}:${port}`,
    logTail: () => [...lines],
    close() {
      const graceMs = Math.min(config.shutdownGraceSeconds * 1000, CUT_CALLS_WAIT_MS);
      closing ??= shutdownAgent({ app, exporter: deps.exporter, registry: deps.registry, logger, graceMs }).then(() => undefined);
      return closing;
    },
  };
}
