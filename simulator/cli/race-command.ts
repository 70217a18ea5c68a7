import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NEVER_EXITS } from '../agent-target/agent-handle.ts';
import { waitUntilReady } from '../agent-target/wait-until-ready.ts';
import { type Clock, systemClock } from '../core/clock.ts';
import { freshSeed } from '../core/random.ts';
import { FAKE_CREDENTIALS } from '../fakes/fake-stack.ts';
import { toPlainJson } from '../otlp/model.ts';
import type { RaceRunSummary } from '../race/race-explorer.ts';
import { runRaceMatrix } from '../race/race-matrix.ts';
import { RACE_PAYLOADS, type RacePayload } from '../race/race-plan.ts';
import { matrixReportText, raceReportText } from '../race/race-report.ts';
import { runRace } from '../race/race-session.ts';
import { RACE_DEFAULTS, RACE_STRATEGIES, type RaceAgentChoice, type RaceRedisChoice, type RaceSettings } from '../race/race-settings.ts';
import { EXIT, type CliCommand, type CliIo } from './cli-command.ts';
import { agentChoiceProblem, agentEnvOption, httpUrlOption, integerOption, isUsageProblem, startedAgentChoice, type UsageProblem } from './option-parsers.ts';

const USAGE = `Usage: relaysim race [options]
       relaysim race --matrix [--runs R] [--redis | --redis-url URL]

Explores interleavings of Coval's pre-call registrations and Twilio's call arrivals against an
agent over real sockets (fast-check), checks the correlation contract (every exported trace
carries its own simulation id, an unregistered or expired call exports nothing, no id is used
twice), shrinks a failure to a minimal counterexample and prints its timeline and a one-line
replay command. See docs/race.md.

Exploration:
  --calls N                 Most calls per interleaving (1-26; default ${RACE_DEFAULTS.calls}). Shrinking removes calls.
  --runs N                  Interleavings to try (default ${RACE_DEFAULTS.runs}; --matrix: per cell, default ${RACE_DEFAULTS.matrixRuns}).
  --seed N|random           fast-check seed (default ${RACE_DEFAULTS.seed}; 'random' picks one and prints it).
  --path P                  Replay one counterexample (with the --seed and options it was found with).
  --payload SHAPE           Pre-call webhook body: id, id+from or id+from+to (default ${RACE_DEFAULTS.payload}).
  --no-expiry               Do not explore calls arriving after their registration's TTL.
  --ttl S                   The agent's TTL while exploring expiry (default ${RACE_DEFAULTS.ttlSeconds} s; real waits of S s + 0.3 s).
  --export-quiet-ms N       Stop waiting for exports once none arrived for N ms (default 100).

Agents:
  --strategy NAME           CORRELATION_STRATEGY for agents the kit starts: ${RACE_STRATEGIES.join(', ')}.
  --replicas K              K replicas behind a round-robin proxy (1-16; default 1).
  --redis                   Start a local redis-server and give every replica REDIS_URL.
  --redis-url URL           Give every replica this REDIS_URL.
  --agent-module FILE       Embed this module (exports startEmbeddedAgent({env})); default: the reference agent.
  --spawn "CMD"             Start CMD once per replica (PORT, PUBLIC_URL, the fakes' URLs and the above in its env).
  --agent-url URL           An agent already running (one endpoint; no --strategy, --replicas, --redis, expiry).
  --public-url URL          With --agent-url: its PUBLIC_URL (default: the URL with https).
  --openai-port N           With --agent-url: the fake OpenAI's port (default ${RACE_DEFAULTS.openaiPort}).
  --coval-port N            With --agent-url: the fake Coval's port (default ${RACE_DEFAULTS.covalPort}).
  --agent-env NAME=value    Extra variable for started agents (repeatable).
  --start-timeout S         How long a spawned agent may take to answer /health (default ${RACE_DEFAULTS.startTimeoutS}).

Output:
  --matrix                  Strategies (${RACE_STRATEGIES.join(', ')}) × payloads (${RACE_PAYLOADS.join(', ')}) × replicas (1, 2, 3):
                            mis-correlation rate with a 95% Wilson interval and one shrunk counterexample per failing cell.
  --out FILE                Where the race record goes (default ${RACE_DEFAULTS.out}; --matrix: ${RACE_DEFAULTS.matrixOut}).
  --json                    Print the record as JSON instead of the text report.
  -h, --help                Show this help.

Exit codes: 0 the property held (--matrix: the matrix ran), 1 a counterexample was found (or the
race could not be judged), 2 usage error, 130 interrupted.`;

const OPTIONS = {
  calls: { type: 'string' },
  runs: { type: 'string' },
  seed: { type: 'string' },
  path: { type: 'string' },
  payload: { type: 'string' },
  'no-expiry': { type: 'boolean' },
  ttl: { type: 'string' },
  'export-quiet-ms': { type: 'string' },
  strategy: { type: 'string' },
  replicas: { type: 'string' },
  redis: { type: 'boolean' },
  'redis-url': { type: 'string' },
  'agent-module': { type: 'string' },
  spawn: { type: 'string' },
  'agent-url': { type: 'string' },
  'public-url': { type: 'string' },
  'openai-port': { type: 'string' },
  'coval-port': { type: 'string' },
  'agent-env': { type: 'string', multiple: true },
  'start-timeout': { type: 'string' },
  matrix: { type: 'boolean' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** What `relaysim race` was asked to do. */
export interface RaceCommandOptions {
  readonly help: boolean;
  readonly matrix: boolean;
  readonly json: boolean;
  readonly out: string;
  readonly settings: RaceSettings;
  /** True when the seed was drawn because of `--seed random`. */
  readonly seedDrawn: boolean;
}

/** Parses `relaysim race`'s arguments; every inconsistency is a usage problem. `draw` picks a seed for `--seed random`. */
export function parseRaceOptions(args: readonly string[], draw: () => number = freshSeed): RaceCommandOptions | UsageProblem {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: false, strict: true });
  } catch (error) {
    return { usage: (error as Error).message };
  }
  const v = parsed.values;
  const matrix = v.matrix === true;
  const calls = integerOption('calls', v.calls, RACE_DEFAULTS.calls, 1, 26);
  const runs = integerOption('runs', v.runs, matrix ? RACE_DEFAULTS.matrixRuns : RACE_DEFAULTS.runs, 1, 100_000);
  const seedDrawn = v.seed === 'random';
  const seed = seedDrawn ? draw() : integerOption('seed', v.seed, RACE_DEFAULTS.seed, 0, 0x7fff_ffff);
  const replicas = integerOption('replicas', v.replicas, RACE_DEFAULTS.replicas, 1, 16);
  const ttl = integerOption('ttl', v.ttl, RACE_DEFAULTS.ttlSeconds, 1, 60);
  const quiet = v['export-quiet-ms'] === undefined ? undefined : integerOption('export-quiet-ms', v['export-quiet-ms'], 0, 10, 60_000);
  const startTimeoutS = integerOption('start-timeout', v['start-timeout'], RACE_DEFAULTS.startTimeoutS, 1, 600);
  const openaiPort = integerOption('openai-port', v['openai-port'], RACE_DEFAULTS.openaiPort, 1, 65_535);
  const covalPort = integerOption('coval-port', v['coval-port'], RACE_DEFAULTS.covalPort, 1, 65_535);
  for (const n of [calls, runs, seed, replicas, ttl, quiet, startTimeoutS, openaiPort, covalPort]) if (isUsageProblem(n)) return n;
  if (v.path !== undefined && !/^\d+(:\d+)*$/.test(v.path)) return { usage: `--path must be fast-check's path, digits separated by ':' (actual: '${v.path}')` };
  if (v.path !== undefined && v.seed === undefined) return { usage: '--path replays a counterexample under its seed: pass the --seed it was found with' };
  if (v.path !== undefined && seedDrawn) return { usage: '--path needs the seed it was found with, not --seed random' };
  const payload = v.payload ?? RACE_DEFAULTS.payload;
  if (!(RACE_PAYLOADS as readonly string[]).includes(payload)) return { usage: `--payload must be one of ${RACE_PAYLOADS.join(', ')} (actual: '${payload}')` };
  if (v.strategy !== undefined && !(RACE_STRATEGIES as readonly string[]).includes(v.strategy)) return { usage: `--strategy must be one of ${RACE_STRATEGIES.join(', ')} (actual: '${v.strategy}')` };
  if (v.redis && v['redis-url'] !== undefined) return { usage: '--redis starts a local server; --redis-url names one: pass only one of them' };
  let redis: RaceRedisChoice = { kind: 'none' };
  if (v.redis) redis = { kind: 'local' };
  if (v['redis-url'] !== undefined) {
    if (!/^rediss?:\/\/[^/?#]+/.test(v['redis-url'])) return { usage: `--redis-url must be a redis:// or rediss:// URL (actual: '${v['redis-url']}')` };
    redis = { kind: 'url', url: v['redis-url'] };
  }
  const agentEnv = agentEnvOption(v['agent-env'] ?? []);
  if (isUsageProblem(agentEnv)) return agentEnv;
  const agentProblem = agentChoiceProblem(v, 'python3 agent.py');
  if (agentProblem !== undefined) return agentProblem;
  let agent: RaceAgentChoice;
  if (v['agent-url'] !== undefined) {
    const url = httpUrlOption('agent-url', v['agent-url']);
    if (isUsageProblem(url)) return url;
    const publicUrl = v['public-url'] === undefined ? undefined : httpUrlOption('public-url', v['public-url']);
    if (isUsageProblem(publicUrl)) return publicUrl;
    for (const [flag, given] of [['--strategy', v.strategy], ['--replicas', v.replicas], ['--redis', v.redis], ['--redis-url', v['redis-url']], ['--ttl', v.ttl], ['--agent-env', v['agent-env']]] as const) {
      if (given !== undefined) return { usage: `${flag} needs an agent the kit starts (embedded or --spawn); an agent at --agent-url already has its configuration` };
    }
    if (matrix) return { usage: '--matrix starts agents per cell: use the embedded agent, --agent-module or --spawn, not --agent-url' };
    if (openaiPort === covalPort) return { usage: `--openai-port and --coval-port must differ (both ${openaiPort as number})` };
    agent = { kind: 'url', url, openaiPort: openaiPort as number, covalPort: covalPort as number, ...(publicUrl === undefined ? {} : { publicUrl }) };
  } else {
    for (const [flag, given] of [['--public-url', v['public-url']], ['--openai-port', v['openai-port']], ['--coval-port', v['coval-port']]] as const) {
      if (given !== undefined) return { usage: `${flag} applies to --agent-url only` };
    }
    agent = startedAgentChoice(v);
  }
  if (matrix) {
    for (const [flag, given] of [['--strategy', v.strategy], ['--payload', v.payload], ['--replicas', v.replicas], ['--path', v.path], ['--ttl', v.ttl]] as const) {
      if (given !== undefined) return { usage: `${flag} cannot be combined with --matrix: the matrix runs every strategy, payload and replica count (without expiry)` };
    }
  }
  if (v.out !== undefined && v.out.trim() === '') return { usage: '--out needs a file' };
  const settings: RaceSettings = {
    calls: calls as number,
    runs: runs as number,
    seed: seed as number,
    ...(v.path === undefined ? {} : { path: v.path }),
    payload: payload as RacePayload,
    ...(v.strategy === undefined ? {} : { strategy: v.strategy }),
    replicas: replicas as number,
    redis,
    expiry: !matrix && v['no-expiry'] !== true && agent.kind !== 'url',
    ttlSeconds: ttl as number,
    agent,
    agentEnv,
    startTimeoutS: startTimeoutS as number,
    ...(quiet === undefined ? {} : { exportQuietMs: quiet as number }),
  };
  return { help: v.help === true, matrix, json: v.json === true, out: v.out ?? (matrix ? RACE_DEFAULTS.matrixOut : RACE_DEFAULTS.out), settings, seedDrawn };
}

function usageError(io: CliIo, message: string): number {
  io.stderr.write(`relaysim race: ${message}\n\n${USAGE}\n`);
  return EXIT.USAGE;
}

function shown(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') ? rel : file;
}

async function save(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(toPlainJson(value), null, 2)}\n`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Progress on stderr: one character per interleaving (. pass, x fail), a line break every 50. */
function progress(io: CliIo): (summary: RaceRunSummary) => void {
  let count = 0;
  return (summary) => {
    io.stderr.write(summary.pass ? '.' : 'x');
    if (++count % 50 === 0) io.stderr.write('\n');
  };
}

async function urlAgentReady(settings: RaceSettings, io: CliIo, clock: Clock, fetch: typeof globalThis.fetch): Promise<string | undefined> {
  const a = settings.agent;
  if (a.kind !== 'url') return undefined;
  const ready = await waitUntilReady({ url: `${a.url}/health`, fetch, clock, timeoutMs: 5_000, exited: NEVER_EXITS });
  if (ready.ok) return undefined;
  const env = {
    OPENAI_BASE_URL: `http://127.0.0.1:${a.openaiPort}/v1`,
    OPENAI_API_KEY: FAKE_CREDENTIALS.openaiApiKey,
    COVAL_TRACES_URL: `http://127.0.0.1:${a.covalPort}/v1/traces`,
    COVAL_API_KEY: FAKE_CREDENTIALS.covalApiKey,
    TWILIO_AUTH_TOKEN: FAKE_CREDENTIALS.twilioAuthToken,
  };
  io.stderr.write(`The agent must run with the fakes' variables:\n${Object.entries(env).map(([k, val]) => `  ${k}=${val}`).join('\n')}\n`);
  return `the agent at ${a.url} does not answer: ${ready.reason}`;
}

/** `relaysim race`: the correlation race explorer and its matrix. */
export const raceCommand: CliCommand = {
  name: 'race',
  summary: 'Explore registration/call interleavings (and replicas) for correlation races; shrink and replay counterexamples',
  usage: USAGE,
  async run(args, io) {
    const options = parseRaceOptions(args);
    if (isUsageProblem(options)) return usageError(io, options.usage);
    if (options.help) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.OK;
    }
    const clock = systemClock;
    const fetch = globalThis.fetch;
    const { settings } = options;
    const out = resolve(io.cwd, options.out);
    const env = {
      clock,
      fetch,
      cwd: io.cwd,
      ...(io.defaults?.agentModuleUrl === undefined ? {} : { defaultAgentModuleUrl: io.defaults.agentModuleUrl }),
      ...(io.signal === undefined ? {} : { signal: io.signal }),
    };
    if (options.seedDrawn) io.stderr.write(`relaysim race: --seed random drew seed ${settings.seed}\n`);
    const unreachable = await urlAgentReady(settings, io, clock, fetch);
    if (unreachable !== undefined) {
      io.stderr.write(`relaysim race: ${unreachable}\n`);
      return EXIT.USAGE;
    }
    try {
      if (options.matrix) {
        const record = await runRaceMatrix(settings, { ...env, onCell: (cell) => io.stderr.write(`${cell.strategy} ${cell.payload} ×${cell.replicas}: ${cell.failures}/${cell.runs}\n`) });
        await save(out, record);
        io.stdout.write(options.json ? `${JSON.stringify(toPlainJson(record), null, 2)}\n` : matrixReportText(record, shown(out, io.cwd)));
        return record.interrupted ? EXIT.INTERRUPTED : EXIT.OK;
      }
      const record = await runRace(settings, { ...env, onRun: options.json ? () => undefined : progress(io) });
      if (!options.json) io.stderr.write('\n');
      await save(out, record);
      io.stdout.write(options.json ? `${JSON.stringify(toPlainJson(record), null, 2)}\n` : raceReportText(record, shown(out, io.cwd)));
      if (record.interrupted && record.holds) return EXIT.INTERRUPTED;
      return record.holds ? EXIT.OK : EXIT.FAIL;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      io.stderr.write(`relaysim race: ${errorText(error)}\n`);
      return code === 'SIM_ERR_RACE_OPTIONS_INVALID' ? EXIT.USAGE : EXIT.FAIL;
    }
  },
};
