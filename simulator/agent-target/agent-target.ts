import { type Clock, systemClock } from '../core/clock.ts';
import { SimErrors } from '../core/errors.ts';
import { FAKE_CREDENTIALS, type FakeStack, startFakeStack } from '../fakes/fake-stack.ts';
import type { AgentMode, ProbesRecord } from '../scenario/run-record.ts';
import { type AgentHandle, type AgentPaths, DEFAULT_AGENT_PATHS, NEVER_EXITS } from './agent-handle.ts';
import { startEmbeddedTarget } from './embedded-agent.ts';
import { findFreePort } from './free-port.ts';
import { runSecurityProbes, type SecurityProbeResult } from './security-probes.ts';
import { startSpawnedAgent } from './spawned-agent.ts';

/** Which agent the runner drives, and how it gets one. */
export type AgentTargetSpec =
  /** The agent runs in this process: `moduleUrl` exports `startEmbeddedAgent({env})` (e.g. `agent/embed.ts`). */
  | { readonly kind: 'embedded'; readonly moduleUrl: string; readonly paths?: Partial<AgentPaths> }
  /** The agent is a command the runner starts per environment (`PORT`, `PUBLIC_URL`, fake URLs are set). */
  | {
      readonly kind: 'spawn';
      readonly command: string;
      readonly cwd?: string;
      readonly paths?: Partial<AgentPaths>;
      readonly startTimeoutMs?: number;
      readonly stopGraceMs?: number;
    }
  /**
   * The agent is already running at `baseUrl`, configured by hand with {@link AgentTarget.fakeEnv}.
   * `publicUrl` is its `PUBLIC_URL` (default `baseUrl` with https); give `twilioAuthToken` and
   * `covalApiKey` when they differ from the fakes' defaults. Scenarios that need an env are skipped.
   */
  | {
      readonly kind: 'url';
      readonly baseUrl: string;
      readonly publicUrl?: string;
      readonly paths?: Partial<AgentPaths>;
      readonly twilioAuthToken?: string;
      readonly covalApiKey?: string;
      /** Fixed ports for the fakes, so the agent's env can be written before the run. */
      readonly fakePorts?: { readonly openai?: number; readonly coval?: number };
    };

/** Options of {@link createAgentTarget}. */
export interface AgentTargetOptions {
  readonly clock?: Clock;
  readonly fetch?: typeof globalThis.fetch;
  /** Reuse a started agent for later runs with the same env (default true). */
  readonly reuse?: boolean;
  /** Run the SEC probes once per agent environment (default true). */
  readonly probes?: boolean;
  /** Variables given to every started agent, under the scenario's own (e.g. `LOG_LEVEL`). */
  readonly baseEnv?: Readonly<Record<string, string>>;
}

/** An agent (with the fakes it talks to) held by one run at a time. */
export interface AgentLease {
  readonly agent: AgentHandle;
  readonly stack: FakeStack;
  readonly probes: ProbesRecord | undefined;
  /** Which started agent this is and how many runs it served before. */
  readonly instance: { readonly id: string; readonly runsBefore: number };
  /** Gives the agent back; `reusable: false` stops it (the run may have left state in it). */
  release(options: { readonly reusable: boolean }): Promise<void>;
}

/** Why a run gets no agent. */
export interface LeaseSkipped {
  readonly skipped: string;
}

/** What a run asks for. */
export interface LeaseRequest {
  /** The scenario's `agent.env`. */
  readonly env: Readonly<Record<string, string>>;
  /** The simulation ids the run will register: an agent that saw any of them is not reused. */
  readonly simulationIds: readonly string[];
}

/** Hands agents to runs. */
export interface AgentTarget {
  readonly mode: AgentMode;
  lease(request: LeaseRequest): Promise<AgentLease | LeaseSkipped>;
  /** For a `url` target: the variables the agent must be started with to use the kit's fakes. */
  fakeEnv(): Promise<Record<string, string>>;
  /** Stops every agent and fake it started. */
  close(): Promise<void>;
}

interface Slot {
  readonly id: string;
  readonly key: string;
  readonly agent: AgentHandle;
  readonly stack: FakeStack;
  readonly probes: SecurityProbeResult | undefined;
  readonly seen: Set<string>;
  runs: number;
  busy: boolean;
  dirty: boolean;
}

function envKey(env: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.keys(env).sort().map((k) => [k, env[k]]));
}

function pathsOf(partial: Partial<AgentPaths> | undefined): AgentPaths {
  return { ...DEFAULT_AGENT_PATHS, ...partial };
}

/** True when the lease result is a skip. */
export function isSkipped(result: AgentLease | LeaseSkipped): result is LeaseSkipped {
  return 'skipped' in result;
}

/** Creates the target for a spec: started agents are pooled per distinct env (see docs/runner.md). */
export function createAgentTarget(spec: AgentTargetSpec, options: AgentTargetOptions = {}): AgentTarget {
  const clock = options.clock ?? systemClock;
  const fetch = options.fetch ?? globalThis.fetch;
  if (spec.kind === 'url') return new UrlTarget(spec, clock, fetch, options.probes ?? true);
  if (spec.kind === 'embedded' && (typeof spec.moduleUrl !== 'string' || spec.moduleUrl === '')) {
    throw new SimErrors.SIM_ERR_RUNNER_OPTIONS_INVALID('an embedded target needs the agent module URL (moduleUrl)');
  }
  if (spec.kind === 'spawn' && (typeof spec.command !== 'string' || spec.command.trim() === '')) {
    throw new SimErrors.SIM_ERR_RUNNER_OPTIONS_INVALID('a spawn target needs a command');
  }
  return new ManagedTarget(spec, clock, fetch, options);
}

class ManagedTarget implements AgentTarget {
  readonly mode: AgentMode;
  readonly #spec: Extract<AgentTargetSpec, { kind: 'embedded' | 'spawn' }>;
  readonly #clock: Clock;
  readonly #fetch: typeof globalThis.fetch;
  readonly #options: AgentTargetOptions;
  readonly #slots: Slot[] = [];
  readonly #probes = new Map<string, Promise<SecurityProbeResult>>();
  #next = 1;
  #closed = false;

  constructor(spec: Extract<AgentTargetSpec, { kind: 'embedded' | 'spawn' }>, clock: Clock, fetch: typeof globalThis.fetch, options: AgentTargetOptions) {
    this.mode = spec.kind;
    this.#spec = spec;
    this.#clock = clock;
    this.#fetch = fetch;
    this.#options = options;
  }

  async lease(request: LeaseRequest): Promise<AgentLease> {
    if (this.#closed) throw new SimErrors.SIM_ERR_RUNNER_OPTIONS_INVALID('the agent target was closed');
    const key = envKey(request.env);
    let slot = this.#slots.find((s) => s.key === key && !s.busy && !s.dirty && request.simulationIds.every((id) => !s.seen.has(id)));
    if (slot === undefined) {
      slot = await this.#start(key, request.env);
      this.#slots.push(slot);
    }
    slot.busy = true;
    for (const id of request.simulationIds) slot.seen.add(id);
    const taken = slot;
    const runsBefore = taken.runs;
    let released = false;
    return {
      agent: taken.agent,
      stack: taken.stack,
      probes: taken.probes?.record,
      instance: { id: taken.id, runsBefore },
      release: async ({ reusable }) => {
        if (released) return;
        released = true;
        taken.runs++;
        taken.busy = false;
        if (!reusable || this.#options.reuse === false || this.#closed) await this.#stop(taken);
      },
    };
  }

  fakeEnv(): Promise<Record<string, string>> {
    return Promise.reject(new SimErrors.SIM_ERR_RUNNER_OPTIONS_INVALID(`fakeEnv() is for url targets; a ${this.mode} target sets the agent's env itself`));
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#slots].map((s) => this.#stop(s)));
  }

  async #stop(slot: Slot): Promise<void> {
    const at = this.#slots.indexOf(slot);
    if (at < 0) return;
    this.#slots.splice(at, 1);
    await slot.agent.close();
    await slot.stack.close();
  }

  async #start(key: string, scenarioEnv: Readonly<Record<string, string>>): Promise<Slot> {
    const clock = this.#clock;
    const fetch = this.#fetch;
    const stack = await startFakeStack({ clock, fetch });
    try {
      const port = await findFreePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      const publicUrl = `https://127.0.0.1:${port}`;
      const env: Record<string, string> = {
        ...stack.agentEnv(),
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: publicUrl,
        ...this.#options.baseEnv,
        ...scenarioEnv,
      };
      const token = env.TWILIO_AUTH_TOKEN?.trim() ? env.TWILIO_AUTH_TOKEN : undefined;
      const covalApiKey = env.COVAL_API_KEY ?? FAKE_CREDENTIALS.covalApiKey;
      const spec = this.#spec;
      const common = { env, publicUrl, twilioAuthToken: token, covalApiKey, paths: pathsOf(spec.paths) };
      const agent =
        spec.kind === 'embedded'
          ? await startEmbeddedTarget({ ...common, moduleUrl: spec.moduleUrl })
          : await startSpawnedAgent({
              ...common,
              command: spec.command,
              baseUrl,
              clock,
              fetch,
              ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
              ...(spec.startTimeoutMs === undefined ? {} : { startTimeoutMs: spec.startTimeoutMs }),
              ...(spec.stopGraceMs === undefined ? {} : { stopGraceMs: spec.stopGraceMs }),
            });
      let probes: SecurityProbeResult | undefined;
      if (this.#options.probes !== false) {
        let pending = this.#probes.get(key);
        const first = pending === undefined;
        if (pending === undefined) {
          pending = runSecurityProbes({ agent, clock, fetch });
          this.#probes.set(key, pending);
        }
        probes = await pending;
        if (!first) probes = { ...probes, leftState: false };
      }
      const id = `agent-${this.#next++}`;
      return { id, key, agent, stack, probes, seen: new Set(), runs: 0, busy: false, dirty: probes?.leftState === true };
    } catch (error) {
      await stack.close();
      throw error;
    }
  }
}

class UrlTarget implements AgentTarget {
  readonly mode: AgentMode = 'url';
  readonly #spec: Extract<AgentTargetSpec, { kind: 'url' }>;
  readonly #clock: Clock;
  readonly #fetch: typeof globalThis.fetch;
  readonly #probesWanted: boolean;
  #stack: Promise<FakeStack> | undefined;
  #probes: Promise<SecurityProbeResult> | undefined;
  #queue: Promise<void> = Promise.resolve();
  #runs = 0;

  constructor(spec: Extract<AgentTargetSpec, { kind: 'url' }>, clock: Clock, fetch: typeof globalThis.fetch, probes: boolean) {
    if (!URL.canParse(spec.baseUrl)) throw new SimErrors.SIM_ERR_RUNNER_OPTIONS_INVALID(`agent URL '${spec.baseUrl}' is not a URL`);
    this.#spec = spec;
    this.#clock = clock;
    this.#fetch = fetch;
    this.#probesWanted = probes;
  }

  #startStack(): Promise<FakeStack> {
    const ports = this.#spec.fakePorts;
    return (this.#stack ??= startFakeStack({
      clock: this.#clock,
      fetch: this.#fetch,
      ...(ports?.openai === undefined ? {} : { openaiPort: ports.openai }),
      ...(ports?.coval === undefined ? {} : { covalPort: ports.coval }),
    }));
  }

  async fakeEnv(): Promise<Record<string, string>> {
    const stack = await this.#startStack();
    const env: Record<string, string> = { ...stack.agentEnv() };
    if (this.#spec.twilioAuthToken !== undefined) env.TWILIO_AUTH_TOKEN = this.#spec.twilioAuthToken;
    if (this.#spec.covalApiKey !== undefined) env.COVAL_API_KEY = this.#spec.covalApiKey;
    return env;
  }

  async lease(request: LeaseRequest): Promise<AgentLease | LeaseSkipped> {
    const names = Object.keys(request.env);
    if (names.length > 0) {
      return { skipped: `the scenario needs the agent started with ${names.join(', ')}, but the agent is already running (url target); run it with an embedded or spawned agent` };
    }
    // One run at a time: the fakes behind a hand-configured agent are shared.
    let free: () => void = () => undefined;
    const turn = this.#queue;
    this.#queue = new Promise<void>((resolve) => (free = resolve));
    await turn;
    try {
      const stack = await this.#startStack();
      const baseUrl = this.#spec.baseUrl.replace(/\/+$/, '');
      const agent: AgentHandle = {
        mode: 'url',
        baseUrl,
        publicUrl: (this.#spec.publicUrl ?? baseUrl.replace(/^http:/, 'https:')).replace(/\/+$/, ''),
        paths: pathsOf(this.#spec.paths),
        twilioAuthToken: this.#spec.twilioAuthToken ?? FAKE_CREDENTIALS.twilioAuthToken,
        covalApiKey: this.#spec.covalApiKey ?? FAKE_CREDENTIALS.covalApiKey,
        env: {},
        exited: NEVER_EXITS,
        processRecord: () => undefined,
        close: async () => undefined,
      };
      if (this.#probesWanted) this.#probes ??= runSecurityProbes({ agent, clock: this.#clock, fetch: this.#fetch });
      const probes = this.#probes === undefined ? undefined : (await this.#probes).record;
      const runsBefore = this.#runs;
      let released = false;
      return {
        agent,
        stack,
        probes,
        instance: { id: 'agent-url', runsBefore },
        release: async () => {
          if (released) return;
          released = true;
          this.#runs++;
          free();
        },
      };
    } catch (error) {
      free();
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.#stack !== undefined) await (await this.#stack).close();
  }
}
