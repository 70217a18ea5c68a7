import { parseArgs } from 'node:util';
import { agentChoiceProblem, agentEnvOption, httpUrlOption, integerOption, isUsageProblem, startedAgentChoice, type UsageProblem } from '../cli/option-parsers.ts';

/** Calls per run when neither `--calls` nor `--duration` is given. */
export const DEFAULT_LOAD_CALLS = 1000;
/** Calls in flight when `--concurrency` is not given. */
export const DEFAULT_LOAD_CONCURRENCY = 50;
/** The fakes' fixed ports for an agent already running (`--agent-url`), as for `relaysim run`. */
export const DEFAULT_LOAD_FAKE_PORTS = Object.freeze({ openai: 4010, coval: 4011 });

/** Which agent the load drives, as the user named it. */
export type LoadAgentChoice =
  | { readonly kind: 'embedded'; readonly module?: string }
  | { readonly kind: 'spawn'; readonly command: string }
  | { readonly kind: 'url'; readonly url: string; readonly publicUrl?: string; readonly openaiPort: number; readonly covalPort: number; readonly pid?: number };

/** Everything `relaysim load` was asked to do. */
export interface LoadArgs {
  readonly help: boolean;
  readonly json: boolean;
  readonly concurrency: number;
  readonly calls?: number;
  readonly durationS?: number;
  readonly rate?: number;
  readonly warmup: number;
  readonly rampMs: number;
  readonly prompts: number;
  readonly thinkMs: number;
  readonly firstTokenMs: number;
  readonly interTokenMs: number;
  readonly seed: number;
  readonly sampleMs: number;
  readonly timeoutMs: number;
  readonly agent: LoadAgentChoice;
  readonly agentEnv: Readonly<Record<string, string>>;
}

/** A usage problem: printed before the usage text, exit 2. */
export type LoadUsageProblem = UsageProblem;

/** True when parsing failed. */
export const isLoadUsageProblem: (value: unknown) => value is LoadUsageProblem = isUsageProblem;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  concurrency: { type: 'string', short: 'c' },
  calls: { type: 'string', short: 'n' },
  duration: { type: 'string', short: 'd' },
  rate: { type: 'string' },
  warmup: { type: 'string' },
  'ramp-ms': { type: 'string' },
  prompts: { type: 'string' },
  'think-ms': { type: 'string' },
  'first-token-ms': { type: 'string' },
  'inter-token-ms': { type: 'string' },
  seed: { type: 'string' },
  'sample-ms': { type: 'string' },
  'timeout-ms': { type: 'string' },
  'agent-module': { type: 'string' },
  spawn: { type: 'string' },
  'agent-url': { type: 'string' },
  'public-url': { type: 'string' },
  'openai-port': { type: 'string' },
  'coval-port': { type: 'string' },
  'agent-pid': { type: 'string' },
  'agent-env': { type: 'string', multiple: true },
} as const;

function decimal(name: string, text: string | undefined, fallback: number, min: number, max: number, exclusiveMin = false): number | LoadUsageProblem {
  if (text === undefined) return fallback;
  const value = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isFinite(value) || (exclusiveMin ? value <= min : value < min) || value > max) {
    return { usage: `--${name} must be a number ${exclusiveMin ? 'above' : 'from'} ${min}${exclusiveMin ? ' and at most' : ' to'} ${max} (actual: '${text}')` };
  }
  return value;
}

/** Parses `relaysim load`'s arguments; every inconsistency is a {@link LoadUsageProblem}. Pure. */
export function parseLoadArgs(args: readonly string[]): LoadArgs | LoadUsageProblem {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: false, strict: true });
  } catch (error) {
    return { usage: (error as Error).message };
  }
  const v = parsed.values;
  const agentProblem = agentChoiceProblem(v, 'node agent/main.ts');
  if (agentProblem !== undefined) return agentProblem;
  if (v.calls !== undefined && v.duration !== undefined) return { usage: 'choose --calls or --duration, not both' };
  if (v.rate !== undefined && v['ramp-ms'] !== undefined) return { usage: '--ramp-ms spreads the start of a closed loop; an open loop (--rate) already starts calls one by one' };

  const concurrency = integerOption('concurrency', v.concurrency, DEFAULT_LOAD_CONCURRENCY, 1, 10_000);
  const calls = integerOption('calls', v.calls, DEFAULT_LOAD_CALLS, 1, 10_000_000);
  const durationS = decimal('duration', v.duration, 0, 0, 86_400, true);
  const rate = decimal('rate', v.rate, 0, 0, 100_000, true);
  const warmup = integerOption('warmup', v.warmup, 0, 0, 1_000_000);
  const rampMs = decimal('ramp-ms', v['ramp-ms'], 0, 0, 3_600_000);
  const prompts = integerOption('prompts', v.prompts, 2, 1, 2);
  const thinkMs = decimal('think-ms', v['think-ms'], 0, 0, 600_000);
  const firstTokenMs = decimal('first-token-ms', v['first-token-ms'], 5, 0, 60_000);
  const interTokenMs = decimal('inter-token-ms', v['inter-token-ms'], 1, 0, 60_000);
  const seed = integerOption('seed', v.seed, 1, 0, 0xffff_ffff);
  const sampleMs = integerOption('sample-ms', v['sample-ms'], 500, 10, 3_600_000);
  const timeoutMs = integerOption('timeout-ms', v['timeout-ms'], 10_000, 1, 3_600_000);
  const openaiPort = integerOption('openai-port', v['openai-port'], DEFAULT_LOAD_FAKE_PORTS.openai, 1, 65_535);
  const covalPort = integerOption('coval-port', v['coval-port'], DEFAULT_LOAD_FAKE_PORTS.coval, 1, 65_535);
  const pid = integerOption('agent-pid', v['agent-pid'], 0, 1, 0x7fff_ffff);
  for (const n of [concurrency, calls, durationS, rate, warmup, rampMs, prompts, thinkMs, firstTokenMs, interTokenMs, seed, sampleMs, timeoutMs, openaiPort, covalPort, pid]) {
    if (isLoadUsageProblem(n)) return n;
  }

  const agentEnv = agentEnvOption(v['agent-env'] ?? []);
  if (isLoadUsageProblem(agentEnv)) return agentEnv;

  let agent: LoadAgentChoice;
  if (v['agent-url'] !== undefined) {
    const url = httpUrlOption('agent-url', v['agent-url']);
    if (isLoadUsageProblem(url)) return url;
    const publicUrl = v['public-url'] === undefined ? undefined : httpUrlOption('public-url', v['public-url']);
    if (isLoadUsageProblem(publicUrl)) return publicUrl;
    if (openaiPort === covalPort) return { usage: `--openai-port and --coval-port must differ (both ${openaiPort as number})` };
    if (Object.keys(agentEnv).length > 0) return { usage: '--agent-env needs an agent the kit starts (--spawn or --agent-module): an agent at --agent-url already has its environment' };
    agent = {
      kind: 'url',
      url,
      openaiPort: openaiPort as number,
      covalPort: covalPort as number,
      ...(publicUrl === undefined ? {} : { publicUrl }),
      ...(v['agent-pid'] === undefined ? {} : { pid: pid as number }),
    };
  } else {
    for (const flag of ['public-url', 'openai-port', 'coval-port', 'agent-pid'] as const) {
      if (v[flag] !== undefined) return { usage: `--${flag} applies to --agent-url only (an agent the kit starts is found and configured by the kit)` };
    }
    agent = startedAgentChoice(v);
  }

  return {
    help: v.help === true,
    json: v.json === true,
    concurrency: concurrency as number,
    ...(v.duration === undefined ? { calls: calls as number } : { durationS: durationS as number }),
    ...(v.rate === undefined ? {} : { rate: rate as number }),
    warmup: warmup as number,
    rampMs: rampMs as number,
    prompts: prompts as number,
    thinkMs: thinkMs as number,
    firstTokenMs: firstTokenMs as number,
    interTokenMs: interTokenMs as number,
    seed: seed as number,
    sampleMs: sampleMs as number,
    timeoutMs: timeoutMs as number,
    agent,
    agentEnv,
  };
}
