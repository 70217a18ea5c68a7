import type { AgentTargetSpec } from '../agent-target/agent-target.ts';
import type { Clock } from '../core/clock.ts';
import { SimErrors } from '../core/errors.ts';
import type { ProcessProbe } from './process-stats.ts';
import type { LoadProgress } from './load-result.ts';

/** Waits of one load call, ms on the run's clock. */
export interface LoadTimeouts {
  /** Registration, voice webhook and the relay handshake, each. */
  readonly requestMs: number;
  /** From a prompt to the reply's `last:true`. */
  readonly replyMs: number;
  /** From the hang-up to the trace batch at the fake Coval. */
  readonly traceMs: number;
}

/** Default {@link LoadTimeouts}. */
export const DEFAULT_LOAD_TIMEOUTS: LoadTimeouts = Object.freeze({ requestMs: 10_000, replyMs: 10_000, traceMs: 10_000 });

/** Everything {@link runLoad} needs. Either `calls` or `durationMs` bounds the run. */
export interface LoadOptions {
  readonly target: AgentTargetSpec;
  /** Calls in flight at once (closed loop), or the most in flight (open loop). */
  readonly concurrency: number;
  /** Stop after this many calls. */
  readonly calls?: number;
  /** Start calls for this long (ms of the clock). */
  readonly durationMs?: number;
  /** Open loop: start this many calls per second whatever the agent does; absent = closed loop. */
  readonly rate?: number;
  /** Calls run before measuring (same concurrency), not counted in the figures. Default 0. */
  readonly warmupCalls?: number;
  /** Closed loop: the workers start spread evenly over this long, so paced calls do not move in lockstep. Default 0. */
  readonly rampMs?: number;
  /** Caller prompts per call, 1 or 2. Default 2. */
  readonly prompts?: number;
  /** The caller's pause after each complete reply (listening, thinking), ms. Default 0: back to back. */
  readonly thinkMs?: number;
  /** Fake LLM delay before the first token and between tokens, ms. Defaults 5 and 1. */
  readonly firstTokenMs?: number;
  readonly interTokenMs?: number;
  /** Seed of the run's ids. Default 1. */
  readonly seed?: number;
  /** How often RSS and CPU are sampled (and progress reported), ms. Default 500. */
  readonly sampleMs?: number;
  readonly timeouts?: Partial<LoadTimeouts>;
  /** Variables for a started agent (embedded or spawned), under the fakes' own. */
  readonly agentEnv?: Readonly<Record<string, string>>;
  /** For a `url` target: the agent's process (group) id, to read its RSS and CPU. */
  readonly agentPid?: number;
  /** How the user named the agent (shown in the result). */
  readonly agentLabel?: string;
  readonly clock?: Clock;
  readonly fetch?: typeof globalThis.fetch;
  readonly probe?: ProcessProbe;
  readonly onProgress?: (progress: LoadProgress) => void;
  /** Called when the measured phase starts and when it ends (e.g. to read machine-wide counters). */
  readonly onMeasure?: (event: 'start' | 'end') => void;
  /** Stops starting calls; calls in flight finish. */
  readonly signal?: AbortSignal;
}

/** Checks the numbers of `options`; throws SIM_ERR_LOAD_OPTIONS_INVALID naming every problem. */
export function checkLoadOptions(options: LoadOptions): void {
  const problems: string[] = [];
  const int = (name: string, value: number | undefined, min: number): void => {
    if (value !== undefined && !(Number.isInteger(value) && value >= min)) problems.push(`${name} must be an integer >= ${min} (actual: ${String(value)})`);
  };
  const num = (name: string, value: number | undefined, min: number, exclusive = false): void => {
    if (value !== undefined && !(Number.isFinite(value) && (exclusive ? value > min : value >= min))) problems.push(`${name} must be a number ${exclusive ? '>' : '>='} ${min} (actual: ${String(value)})`);
  };
  int('concurrency', options.concurrency, 1);
  int('calls', options.calls, 1);
  num('durationMs', options.durationMs, 0, true);
  num('rate', options.rate, 0, true);
  int('warmupCalls', options.warmupCalls, 0);
  num('rampMs', options.rampMs, 0);
  num('firstTokenMs', options.firstTokenMs, 0);
  num('interTokenMs', options.interTokenMs, 0);
  num('thinkMs', options.thinkMs, 0);
  int('seed', options.seed, 0);
  num('sampleMs', options.sampleMs, 10);
  int('agentPid', options.agentPid, 1);
  if (options.prompts !== undefined && options.prompts !== 1 && options.prompts !== 2) problems.push(`prompts must be 1 or 2 (actual: ${String(options.prompts)})`);
  if (options.calls === undefined && options.durationMs === undefined) problems.push('give calls or durationMs');
  for (const [k, v] of Object.entries(options.timeouts ?? {})) num(`timeouts.${k}`, v, 0, true);
  if (problems.length > 0) throw new SimErrors.SIM_ERR_LOAD_OPTIONS_INVALID(problems.join('; '));
}
