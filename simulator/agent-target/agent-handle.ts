import type { AgentMode, AgentProcessRecord } from '../scenario/run-record.ts';

/** Where an agent's endpoints live (paths on its base URL). */
export interface AgentPaths {
  /** Twilio's voice webhook; default `/webhook`. */
  readonly webhook: string;
  /** Coval's pre-call webhook; default `/register-simulation`. */
  readonly register: string;
  /** Liveness; default `/health` (any HTTP answer below 500 counts as up). */
  readonly health: string;
}

/** The default endpoint paths (the reference agent's). */
export const DEFAULT_AGENT_PATHS: AgentPaths = Object.freeze({ webhook: '/webhook', register: '/register-simulation', health: '/health' });

/** How an agent process ended. */
export interface AgentExit {
  readonly code: number | null;
  readonly signal: string | null;
  /** Run-clock ms. */
  readonly atMs: number;
}

/** An agent the runner can drive: started by a target, or already running. */
export interface AgentHandle {
  readonly mode: AgentMode;
  /** Where the runner sends requests: `http://127.0.0.1:<port>`. */
  readonly baseUrl: string;
  /**
   * The public base the agent was told (`PUBLIC_URL`): Twilio signs URLs on it and the TwiML names
   * it. The runner reaches it through {@link baseUrl} with `X-Forwarded-Proto: https`, as a
   * TLS-terminating proxy would.
   */
  readonly publicUrl: string;
  readonly paths: AgentPaths;
  /** The agent's Twilio auth token, when the runner knows it (requests are signed with it). */
  readonly twilioAuthToken: string | undefined;
  /** The key the agent expects on `/register-simulation`. */
  readonly covalApiKey: string;
  /** The environment the agent was started with (unredacted; the RunRecord redacts). */
  readonly env: Readonly<Record<string, string>>;
  /** Resolves if the agent process ends; never resolves for agents that cannot exit on their own. */
  readonly exited: Promise<AgentExit>;
  /** The process's command, pid, exit and output tails (spawned agents). */
  processRecord(): AgentProcessRecord | undefined;
  /** Stops the agent (a no-op for an agent the runner did not start). */
  close(): Promise<void>;
}

/** Never settles: the `exited` of an agent that has no process of its own. */
export const NEVER_EXITS: Promise<AgentExit> = new Promise<AgentExit>(() => undefined);
