import type { RacePayload } from './race-plan.ts';

/** The strategies the reference agent knows (`CORRELATION_STRATEGY`), in the order the matrix lists them. */
export const RACE_STRATEGIES = ['fifo', 'caller-id-fallback', 'caller-id'] as const;

/** Defaults of `relaysim race`. */
export const RACE_DEFAULTS = Object.freeze({
  calls: 3,
  runs: 50,
  /** Fixed, like `relaysim run`'s: the same command gives the same verdict; `--seed random` explores afresh. */
  seed: 1,
  payload: 'id+from' as RacePayload,
  replicas: 1,
  /** The TTL the agent gets when expiry is explored: short, so the real waits past it stay short. */
  ttlSeconds: 1,
  matrixRuns: 20,
  out: 'relaysim-report/race.json',
  matrixOut: 'relaysim-report/race-matrix.json',
  /** The fakes' fixed ports for an agent already running (as `relaysim run`). */
  openaiPort: 4010,
  covalPort: 4011,
  startTimeoutS: 20,
});

/** Which agent a race drives, as the user named it. */
export type RaceAgentChoice =
  | { readonly kind: 'embedded'; readonly module?: string }
  | { readonly kind: 'spawn'; readonly command: string }
  | { readonly kind: 'url'; readonly url: string; readonly publicUrl?: string; readonly openaiPort: number; readonly covalPort: number };

/** Where the replicas' shared registry lives. */
export type RaceRedisChoice = { readonly kind: 'none' } | { readonly kind: 'local' } | { readonly kind: 'url'; readonly url: string };

/** Everything that decides what one `relaysim race` explores; the replay command is built from it. */
export interface RaceSettings {
  readonly calls: number;
  readonly runs: number;
  readonly seed: number;
  readonly path?: string;
  readonly payload: RacePayload;
  /** `CORRELATION_STRATEGY` for agents the kit starts; undefined keeps the agent's default. */
  readonly strategy?: string;
  readonly replicas: number;
  readonly redis: RaceRedisChoice;
  /** Explore waits past the TTL (only where the kit sets the TTL). */
  readonly expiry: boolean;
  readonly ttlSeconds: number;
  readonly agent: RaceAgentChoice;
  readonly agentEnv: Readonly<Record<string, string>>;
  readonly startTimeoutS: number;
  readonly exportQuietMs?: number;
}

const PLAIN = /^[A-Za-z0-9_/.:=@%+,-]+$/;

/** One argument as a POSIX shell reads it back. */
export function shellArg(arg: string): string {
  if (arg !== '' && PLAIN.test(arg)) return arg;
  if (!/["\\$`!\n\r]/.test(arg)) return `"${arg}"`;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The arguments that name the agent and its setup, as the user gave them. */
export function raceAgentArgs(settings: RaceSettings): string[] {
  const out: string[] = [];
  const a = settings.agent;
  if (a.kind === 'embedded' && a.module !== undefined) out.push('--agent-module', a.module);
  if (a.kind === 'spawn') out.push('--spawn', a.command);
  if (a.kind === 'url') {
    out.push('--agent-url', a.url);
    if (a.publicUrl !== undefined) out.push('--public-url', a.publicUrl);
    if (a.openaiPort !== RACE_DEFAULTS.openaiPort) out.push('--openai-port', String(a.openaiPort));
    if (a.covalPort !== RACE_DEFAULTS.covalPort) out.push('--coval-port', String(a.covalPort));
  }
  for (const [name, value] of Object.entries(settings.agentEnv)) out.push('--agent-env', `${name}=${value}`);
  if (settings.startTimeoutS !== RACE_DEFAULTS.startTimeoutS) out.push('--start-timeout', String(settings.startTimeoutS));
  if (settings.redis.kind === 'local') out.push('--redis');
  if (settings.redis.kind === 'url') out.push('--redis-url', settings.redis.url);
  return out;
}

/**
 * The one-line command that reproduces a race: with `path`, exactly the counterexample (fast-check
 * replays it under the same seed and generator, so every option that shapes the generator or the
 * agent is repeated); without, the whole exploration.
 */
export function raceReplayCommand(settings: RaceSettings, path?: string): string {
  const args = ['--seed', String(settings.seed)];
  if (path !== undefined) args.push('--path', path);
  args.push('--calls', String(settings.calls));
  if (path === undefined && settings.runs !== RACE_DEFAULTS.runs) args.push('--runs', String(settings.runs));
  args.push('--payload', settings.payload);
  if (settings.strategy !== undefined) args.push('--strategy', settings.strategy);
  if (settings.replicas !== RACE_DEFAULTS.replicas) args.push('--replicas', String(settings.replicas));
  if (!settings.expiry) args.push('--no-expiry');
  else if (settings.ttlSeconds !== RACE_DEFAULTS.ttlSeconds) args.push('--ttl', String(settings.ttlSeconds));
  if (settings.exportQuietMs !== undefined) args.push('--export-quiet-ms', String(settings.exportQuietMs));
  args.push(...raceAgentArgs(settings));
  return ['npx relaysim race', ...args.map(shellArg)].join(' ');
}
