import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AgentPaths } from '../agent-target/agent-handle.ts';
import { NEVER_EXITS, DEFAULT_AGENT_PATHS } from '../agent-target/agent-handle.ts';
import type { AgentTargetSpec } from '../agent-target/agent-target.ts';
import { waitUntilReady } from '../agent-target/wait-until-ready.ts';
import type { Clock } from '../core/clock.ts';
import { FAKE_CREDENTIALS } from '../fakes/fake-stack.ts';
import type { ReportAgentTarget } from '../report/run-report.ts';
import type { CliIo } from './cli-command.ts';
import type { RunOptions } from './run-options.ts';

/** How a run reaches its agent: the target spec, and how reports name it. */
export interface AgentPlan {
  readonly spec: AgentTargetSpec;
  readonly report: ReportAgentTarget;
}

/** The runner's path overrides (the relay path is not one: the runner follows the TwiML, as Twilio does). */
export function pathOverrides(options: RunOptions): Partial<AgentPaths> {
  const p = options.agentPaths;
  return {
    ...(p.webhook === undefined ? {} : { webhook: p.webhook }),
    ...(p.register === undefined ? {} : { register: p.register }),
    ...(p.health === undefined ? {} : { health: p.health }),
  };
}

function shownPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/**
 * The agent target for the options, or a usage message: the embedded default is the module the
 * entry point names (`io.defaults.agentModuleUrl`), since simulator code never imports an agent.
 */
export function planAgent(options: RunOptions, io: CliIo): AgentPlan | { readonly usage: string } {
  const paths = pathOverrides(options);
  const a = options.agent;
  if (a.kind === 'spawn') {
    return {
      spec: { kind: 'spawn', command: a.command, cwd: io.cwd, paths, startTimeoutMs: options.startTimeoutS * 1000 },
      report: { mode: 'spawn', target: a.command },
    };
  }
  if (a.kind === 'url') {
    return {
      spec: {
        kind: 'url',
        baseUrl: a.url,
        paths,
        fakePorts: { openai: a.openaiPort, coval: a.covalPort },
        ...(a.publicUrl === undefined ? {} : { publicUrl: a.publicUrl }),
      },
      report: { mode: 'url', target: a.url },
    };
  }
  if (a.module !== undefined) {
    const file = resolve(io.cwd, a.module);
    return { spec: { kind: 'embedded', moduleUrl: pathToFileURL(file).href, paths }, report: { mode: 'embedded', target: a.module } };
  }
  const moduleUrl = io.defaults?.agentModuleUrl;
  if (moduleUrl === undefined) return { usage: 'no agent named and no default agent module known: pass --spawn "CMD", --agent-url URL or --agent-module FILE' };
  const shown = moduleUrl.startsWith('file:') ? shownPath(fileURLToPath(moduleUrl), io.cwd) : moduleUrl;
  return { spec: { kind: 'embedded', moduleUrl, paths }, report: { mode: 'embedded', target: shown } };
}

/** Loads an embedded agent module up front, so a wrong `--agent-module` is a usage error, not N failed scenarios. */
export async function checkEmbeddedModule(moduleUrl: string): Promise<string | undefined> {
  let loaded: unknown;
  try {
    loaded = await import(moduleUrl);
  } catch (error) {
    return `cannot load the agent module ${moduleUrl}: ${error instanceof Error ? error.message : String(error)}`;
  }
  const start = (loaded as { startEmbeddedAgent?: unknown } | null)?.startEmbeddedAgent;
  if (typeof start !== 'function') return `the agent module ${moduleUrl} does not export startEmbeddedAgent({env}) (see docs/test-your-agent.md)`;
  return undefined;
}

/** The environment an agent reached by URL must have been started with, for fakes on `ports`. */
export function urlAgentEnv(ports: { readonly openai: number; readonly coval: number }, host = '127.0.0.1'): Record<string, string> {
  return {
    OPENAI_BASE_URL: `http://${host}:${ports.openai}/v1`,
    OPENAI_API_KEY: FAKE_CREDENTIALS.openaiApiKey,
    COVAL_TRACES_URL: `http://${host}:${ports.coval}/v1/traces`,
    COVAL_API_KEY: FAKE_CREDENTIALS.covalApiKey,
    TWILIO_AUTH_TOKEN: FAKE_CREDENTIALS.twilioAuthToken,
  };
}

/**
 * The whole environment an agent listening at `agentUrl` needs for fakes on `ports`: its PORT, the
 * PUBLIC_URL the kit signs Twilio requests for (`https://` + the URL's host unless given), the fakes.
 */
export function agentEnvFor(ports: { readonly openai: number; readonly coval: number }, agentUrl: string, publicUrl?: string): Record<string, string> {
  const url = new URL(agentUrl);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return { PORT: port, PUBLIC_URL: publicUrl ?? `https://${url.host}${url.pathname.replace(/\/+$/, '')}`, ...urlAgentEnv(ports) };
}

/** `NAME=value` lines, indented, in a stable order. */
export function envLines(env: Readonly<Record<string, string>>, indent = '  '): string {
  return Object.entries(env)
    .map(([k, v]) => `${indent}${k}=${v}`)
    .join('\n');
}

/** Waits until the agent at `baseUrl` answers its health path; a message when it does not. */
export async function agentReachable(baseUrl: string, healthPath: string | undefined, net: { readonly clock: Clock; readonly fetch: typeof globalThis.fetch }, timeoutMs: number): Promise<string | undefined> {
  const result = await waitUntilReady({
    url: `${baseUrl}${healthPath ?? DEFAULT_AGENT_PATHS.health}`,
    fetch: net.fetch,
    clock: net.clock,
    timeoutMs,
    exited: NEVER_EXITS,
  });
  return result.ok ? undefined : result.reason;
}
