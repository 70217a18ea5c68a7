import { SimErrors } from '../core/errors.ts';
import { type AgentHandle, type AgentPaths, DEFAULT_AGENT_PATHS, NEVER_EXITS } from './agent-handle.ts';

/** What an embedded agent module's `startEmbeddedAgent` must resolve to. */
export interface EmbeddedAgentInstance {
  readonly baseUrl: string;
  close(): Promise<void>;
  /** Optional: the agent's recent log lines, shown in the RunRecord. */
  logTail?(): string[];
}

/** The module an embedded target loads by URL (the reference agent's is `agent/embed.ts`). */
export interface EmbeddedAgentModule {
  startEmbeddedAgent(options: { readonly env: Readonly<Record<string, string>> }): Promise<EmbeddedAgentInstance>;
}

/** Inputs of {@link startEmbeddedTarget}. */
export interface EmbeddedStartOptions {
  /** A `file:` URL (or any specifier `import()` accepts) of the agent module. */
  readonly moduleUrl: string;
  readonly env: Readonly<Record<string, string>>;
  readonly publicUrl: string;
  readonly twilioAuthToken: string | undefined;
  readonly covalApiKey: string;
  readonly paths?: AgentPaths;
}

function isModule(value: unknown): value is EmbeddedAgentModule {
  return typeof value === 'object' && value !== null && typeof (value as { startEmbeddedAgent?: unknown }).startEmbeddedAgent === 'function';
}

/**
 * Loads the agent module by URL (never a static import: the kit does not depend on any agent)
 * and starts it in this process. Throws SIM_ERR_AGENT_MODULE_INVALID for a module without
 * `startEmbeddedAgent`, SIM_ERR_AGENT_START_FAILED when starting it fails.
 */
export async function startEmbeddedTarget(options: EmbeddedStartOptions): Promise<AgentHandle> {
  let loaded: unknown;
  try {
    loaded = await import(options.moduleUrl);
  } catch (error) {
    throw new SimErrors.SIM_ERR_AGENT_MODULE_INVALID(options.moduleUrl, `import failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isModule(loaded)) throw new SimErrors.SIM_ERR_AGENT_MODULE_INVALID(options.moduleUrl, 'it has no startEmbeddedAgent export');
  let instance: EmbeddedAgentInstance;
  try {
    instance = await loaded.startEmbeddedAgent({ env: options.env });
  } catch (error) {
    throw new SimErrors.SIM_ERR_AGENT_START_FAILED(`startEmbeddedAgent of ${options.moduleUrl} threw: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof instance?.baseUrl !== 'string' || typeof instance.close !== 'function') {
    throw new SimErrors.SIM_ERR_AGENT_MODULE_INVALID(options.moduleUrl, 'startEmbeddedAgent resolved without a string baseUrl and a close() function');
  }
  let closing: Promise<void> | undefined;
  return {
    mode: 'embedded',
    baseUrl: instance.baseUrl.replace(/\/+$/, ''),
    publicUrl: options.publicUrl,
    paths: options.paths ?? DEFAULT_AGENT_PATHS,
    twilioAuthToken: options.twilioAuthToken,
    covalApiKey: options.covalApiKey,
    env: options.env,
    exited: NEVER_EXITS,
    processRecord: () => ({
      command: `import(${JSON.stringify(options.moduleUrl)}).startEmbeddedAgent`,
      pid: null,
      stdoutTail: (instance.logTail?.() ?? []).join('\n').slice(-8_192),
      stderrTail: '',
    }),
    close: () => (closing ??= instance.close()),
  };
}
