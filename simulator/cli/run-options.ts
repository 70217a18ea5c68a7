import { parseArgs } from 'node:util';
import { agentChoiceProblem, agentEnvOption, httpUrlOption, integerOption, isUsageProblem, startedAgentChoice, type UsageProblem } from './option-parsers.ts';

export { isUsageProblem, type UsageProblem } from './option-parsers.ts';

/** The seed of a run that names none: fixed, so the same command gives the same verdict (decision 0702). */
export const DEFAULT_SEED = 1;
/** Where `relaysim run` writes report.json, junit.xml and index.html unless told otherwise. */
export const DEFAULT_REPORT_DIR = 'relaysim-report';
/** The fakes' fixed ports for an agent already running (`--agent-url`, `relaysim serve`); decision 0701. */
export const DEFAULT_FAKE_PORTS = Object.freeze({ openai: 4010, coval: 4011 });
/** Scenarios run at once against an embedded or spawned agent (each on its own agent). */
/**
 * Scenarios at once with an agent the kit embeds: a run mostly waits on simulated speech (60
 * characters per second of playback), not on the CPU, so the library finishes in seconds at 16
 * (decision 0711). A spawned agent is a process per scenario, so it gets fewer.
 */
export const DEFAULT_CONCURRENCY = 16;
/** Scenarios at once with `--spawn`: each runs its own agent process. */
export const DEFAULT_SPAWN_CONCURRENCY = 4;
/** How long a spawned agent may take to answer its health path. */
export const DEFAULT_START_TIMEOUT_S = 20;

/** Which agent a run drives, as the user named it. */
export type AgentChoice =
  /** In this process; `module` is the file given with `--agent-module` (absent: the reference agent). */
  | { readonly kind: 'embedded'; readonly module?: string }
  | { readonly kind: 'spawn'; readonly command: string }
  | {
      readonly kind: 'url';
      readonly url: string;
      readonly publicUrl?: string;
      readonly openaiPort: number;
      readonly covalPort: number;
    };

/** The agent's endpoint paths the user overrode. */
export interface PathOverrides {
  readonly webhook?: string;
  readonly register?: string;
  readonly health?: string;
  readonly ws?: string;
}

/** Everything `relaysim run` was asked to do. */
export interface RunOptions {
  readonly help: boolean;
  readonly listChecks: boolean;
  readonly listScenarios: boolean;
  /** Scenario files or folders (positional); empty = the kit's library. */
  readonly paths: readonly string[];
  readonly scenarios: readonly string[];
  readonly tags: readonly string[];
  readonly seed: number;
  /** Whether `--seed` was given (replays always name it anyway). */
  readonly seedGiven: boolean;
  readonly repeat: number;
  readonly concurrency: number;
  readonly strict: boolean;
  readonly verbose: boolean;
  readonly checkDeterminism: boolean;
  readonly reportDir: string;
  readonly noReport: boolean;
  readonly json?: string;
  readonly junit?: string;
  readonly html?: string;
  readonly agent: AgentChoice;
  readonly agentEnv: Readonly<Record<string, string>>;
  readonly agentPaths: PathOverrides;
  readonly startTimeoutS: number;
}

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  'list-checks': { type: 'boolean' },
  'list-scenarios': { type: 'boolean' },
  scenario: { type: 'string', short: 's', multiple: true },
  tag: { type: 'string', short: 't', multiple: true },
  seed: { type: 'string' },
  repeat: { type: 'string' },
  concurrency: { type: 'string', short: 'j' },
  strict: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  'check-determinism': { type: 'boolean' },
  'report-dir': { type: 'string' },
  'no-report': { type: 'boolean' },
  json: { type: 'string' },
  junit: { type: 'string' },
  html: { type: 'string' },
  'agent-module': { type: 'string' },
  spawn: { type: 'string' },
  'agent-url': { type: 'string' },
  'public-url': { type: 'string' },
  'openai-port': { type: 'string' },
  'coval-port': { type: 'string' },
  'agent-env': { type: 'string', multiple: true },
  'webhook-path': { type: 'string' },
  'register-path': { type: 'string' },
  'health-path': { type: 'string' },
  'ws-path': { type: 'string' },
  'start-timeout': { type: 'string' },
} as const;

function path(name: string, text: string | undefined): string | undefined | UsageProblem {
  if (text === undefined) return undefined;
  if (!/^\/[^\s?#]*$/.test(text)) return { usage: `--${name} must be a path starting with / without spaces, query or fragment (actual: '${text}')` };
  return text;
}

/** Parses `relaysim run`'s arguments; every inconsistency is a {@link UsageProblem}. Pure. */
export function parseRunOptions(args: readonly string[]): RunOptions | UsageProblem {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    return { usage: (error as Error).message };
  }
  const v = parsed.values;
  const agentProblem = agentChoiceProblem(v, 'python3 agent.py');
  if (agentProblem !== undefined) return agentProblem;

  const seed = integerOption('seed', v.seed, DEFAULT_SEED, 0, 0xffff_ffff);
  const repeat = integerOption('repeat', v.repeat, 1, 1, 1000);
  const concurrency = integerOption('concurrency', v.concurrency, v.spawn !== undefined ? DEFAULT_SPAWN_CONCURRENCY : DEFAULT_CONCURRENCY, 1, 64);
  const startTimeoutS = integerOption('start-timeout', v['start-timeout'], DEFAULT_START_TIMEOUT_S, 1, 600);
  const openaiPort = integerOption('openai-port', v['openai-port'], DEFAULT_FAKE_PORTS.openai, 1, 65_535);
  const covalPort = integerOption('coval-port', v['coval-port'], DEFAULT_FAKE_PORTS.coval, 1, 65_535);
  for (const n of [seed, repeat, concurrency, startTimeoutS, openaiPort, covalPort]) if (isUsageProblem(n)) return n;
  const webhook = path('webhook-path', v['webhook-path']);
  const register = path('register-path', v['register-path']);
  const health = path('health-path', v['health-path']);
  const ws = path('ws-path', v['ws-path']);
  for (const p of [webhook, register, health, ws]) if (isUsageProblem(p)) return p;
  const agentEnv = agentEnvOption(v['agent-env'] ?? []);
  if (isUsageProblem(agentEnv)) return agentEnv;

  let agent: AgentChoice;
  if (v['agent-url'] !== undefined) {
    const url = httpUrlOption('agent-url', v['agent-url'], true);
    if (isUsageProblem(url)) return url;
    const publicUrl = v['public-url'] === undefined ? undefined : httpUrlOption('public-url', v['public-url'], true);
    if (isUsageProblem(publicUrl)) return publicUrl;
    if (openaiPort === covalPort) return { usage: `--openai-port and --coval-port must differ (both ${openaiPort as number})` };
    if (Object.keys(agentEnv).length > 0) return { usage: '--agent-env needs an agent the kit starts (--spawn or --agent-module): an agent at --agent-url already has its environment' };
    if (v['check-determinism']) return { usage: '--check-determinism needs an agent the kit starts fresh for each pass (--spawn or --agent-module), not --agent-url' };
    agent = { kind: 'url', url, openaiPort: openaiPort as number, covalPort: covalPort as number, ...(publicUrl === undefined ? {} : { publicUrl }) };
  } else {
    for (const [flag, given] of [['--public-url', v['public-url']], ['--openai-port', v['openai-port']], ['--coval-port', v['coval-port']]] as const) {
      if (given !== undefined) return { usage: `${flag} applies to --agent-url only (an agent the kit starts gets the fakes' URLs in its environment)` };
    }
    agent = startedAgentChoice(v);
  }
  if (v['no-report'] && (v.json !== undefined || v.junit !== undefined || v.html !== undefined || v['report-dir'] !== undefined)) {
    return { usage: '--no-report cannot be combined with --report-dir, --json, --junit or --html' };
  }
  for (const [flag, given] of [['--report-dir', v['report-dir']], ['--json', v.json], ['--junit', v.junit], ['--html', v.html]] as const) {
    if (given !== undefined && given.trim() === '') return { usage: `${flag} needs a path` };
  }

  return {
    help: v.help === true,
    listChecks: v['list-checks'] === true,
    listScenarios: v['list-scenarios'] === true,
    paths: parsed.positionals,
    scenarios: v.scenario ?? [],
    tags: v.tag ?? [],
    seed: seed as number,
    seedGiven: v.seed !== undefined,
    repeat: repeat as number,
    concurrency: concurrency as number,
    strict: v.strict === true,
    verbose: v.verbose === true,
    checkDeterminism: v['check-determinism'] === true,
    reportDir: v['report-dir'] ?? DEFAULT_REPORT_DIR,
    noReport: v['no-report'] === true,
    ...(v.json === undefined ? {} : { json: v.json }),
    ...(v.junit === undefined ? {} : { junit: v.junit }),
    ...(v.html === undefined ? {} : { html: v.html }),
    agent,
    agentEnv,
    agentPaths: {
      ...(webhook === undefined ? {} : { webhook: webhook as string }),
      ...(register === undefined ? {} : { register: register as string }),
      ...(health === undefined ? {} : { health: health as string }),
      ...(ws === undefined ? {} : { ws: ws as string }),
    },
    startTimeoutS: startTimeoutS as number,
  };
}
