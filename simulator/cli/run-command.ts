import { relative } from 'node:path';
import { type AgentTarget, createAgentTarget } from '../agent-target/agent-target.ts';
import { CHECKS } from '../checks/catalogue.ts';
import { type Clock, systemClock } from '../core/clock.ts';
import { formatConsoleReport } from '../report/console-report.ts';
import { oneLine } from '../report/report-text.ts';
import { buildRunReport, type RunReport } from '../report/run-report.ts';
import type { Scenario } from '../scenario/schema.ts';
import { EXIT, type CliCommand, type CliIo } from './cli-command.ts';
import { compareRuns, formatDeterminism } from './determinism.ts';
import { isSelectionProblem, loadSelection } from './load-selection.ts';
import { createProgress, isInteractive } from './progress.ts';
import { replayCommand } from './replay-command.ts';
import { reportPaths, writeReports } from './report-files.ts';
import { type AgentPlan, agentEnvFor, agentReachable, checkEmbeddedModule, envLines, planAgent } from './run-agent.ts';
import { isUsageProblem, parseRunOptions, type RunOptions } from './run-options.ts';
import { runSelection, type SelectionResult } from './run-scenarios.ts';
import { RUN_USAGE } from './run-usage.ts';

function usageError(io: CliIo, message: string): number {
  io.stderr.write(`relaysim run: ${message}\n\n${RUN_USAGE}\n`);
  return EXIT.USAGE;
}

function configError(io: CliIo, message: string): number {
  io.stderr.write(`relaysim run: ${message}\n`);
  return EXIT.USAGE;
}

/** The check catalogue as a table: id, level, title, source. */
export function formatCheckList(): string {
  const idWidth = Math.max(...CHECKS.map((c) => c.id.length));
  const lines = [`${'ID'.padEnd(idWidth)}  LEVEL   TITLE (SOURCE)`];
  for (const c of CHECKS) lines.push(`${c.id.padEnd(idWidth)}  ${c.level.padEnd(6)}  ${c.title} (${c.source})`);
  return `${lines.join('\n')}\n`;
}

function formatScenarioList(scenarios: readonly Scenario[]): string {
  const idWidth = Math.max(2, ...scenarios.map((s) => s.id.length));
  const tagWidth = Math.max(4, ...scenarios.map((s) => s.tags.join(',').length));
  const lines = [`${'ID'.padEnd(idWidth)}  ${'TAGS'.padEnd(tagWidth)}  TITLE`];
  for (const s of scenarios) lines.push(`${s.id.padEnd(idWidth)}  ${s.tags.join(',').padEnd(tagWidth)}  ${s.title}`);
  return `${lines.join('\n')}\n`;
}

/** Shared state of one `relaysim run`. */
interface RunContext {
  readonly options: RunOptions;
  readonly io: CliIo;
  readonly plan: AgentPlan;
  readonly scenarios: readonly Scenario[];
  readonly clock: Clock;
  readonly fetch: typeof globalThis.fetch;
  readonly concurrency: number;
  readonly interactive: boolean;
}

function newTarget(ctx: RunContext): AgentTarget {
  return createAgentTarget(ctx.plan.spec, { clock: ctx.clock, fetch: ctx.fetch, baseEnv: ctx.options.agentEnv });
}

/** One pass over the selection with `target`, with progress on stderr. */
async function pass(ctx: RunContext, target: AgentTarget, seed: number, label: string | undefined): Promise<SelectionResult> {
  const progress = createProgress(ctx.io.stderr, { total: ctx.scenarios.length, interactive: ctx.interactive, ...(label === undefined ? {} : { label }) });
  const result = await runSelection({
    scenarios: ctx.scenarios,
    target,
    seed,
    strict: ctx.options.strict,
    concurrency: ctx.concurrency,
    clock: ctx.clock,
    fetch: ctx.fetch,
    replay: (scenario, s) => replayCommand(ctx.options, { seed: s, scenario: scenario.id }),
    progress,
    ...(ctx.io.signal === undefined ? {} : { signal: ctx.io.signal }),
  });
  progress.done();
  return result;
}

/** The last lines a dead or failing agent printed, for scenarios that errored. */
function agentOutput(report: RunReport): string {
  const lines: string[] = [];
  for (const s of report.scenarios) {
    const proc = s.record.agent.process;
    if (s.outcome !== 'error' || proc === undefined) continue;
    const tail = (proc.stderrTail.trim() || proc.stdoutTail.trim()).split('\n').slice(-20);
    if (tail.length === 0 || tail[0] === '') continue;
    const exit = proc.exit === undefined ? '' : ` (exit code ${proc.exit.code}, signal ${proc.exit.signal})`;
    lines.push(`agent output of ${s.scenario.id}${exit}, last lines:`, ...tail.map((l) => `  | ${oneLine(l)}`));
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Warnings for calls whose TwiML names a relay path other than `--ws-path`. */
function wsPathWarnings(report: RunReport, wsPath: string | undefined): string {
  if (wsPath === undefined) return '';
  const lines: string[] = [];
  for (const s of report.scenarios) {
    for (const call of s.record.calls) {
      const url = (call.webhook?.twiml as { relay?: { url?: unknown } } | undefined)?.relay?.url;
      if (typeof url !== 'string' || !URL.canParse(url)) continue;
      const path = new URL(url).pathname;
      if (path !== wsPath) lines.push(`warning: ${s.scenario.id} ${call.name}: the TwiML names relay URL ${oneLine(url)}, whose path is not --ws-path ${wsPath}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function shown(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}

/** Runs every seed (and its determinism twin); resolves with the exit code. */
async function runSeeds(ctx: RunContext, target: AgentTarget): Promise<number> {
  const { options, io, clock } = ctx;
  const color = io.stdout.isTTY === true && (io.env.NO_COLOR ?? '') === '';
  const seeds = Array.from({ length: options.repeat }, (_, i) => (options.seed + i) % 0x1_0000_0000);
  const failedSeeds: number[] = [];
  let exit: number = EXIT.OK;
  for (const seed of seeds) {
    const label = seeds.length > 1 ? `seed ${seed}` : undefined;
    const startedAtEpochMs = clock.epochMs();
    const first = await pass(ctx, target, seed, label);
    if (first.interrupted) return interrupted(io, first.runs.length, ctx.scenarios.length);
    const report = buildRunReport({
      startedAtEpochMs,
      endedAtEpochMs: clock.epochMs(),
      seed,
      replay: replayCommand(options, { seed }),
      strict: options.strict,
      agent: ctx.plan.report,
      scenarios: first.runs,
    });
    io.stdout.write(formatConsoleReport(report, { color, verbose: options.verbose }));
    io.stdout.write(agentOutput(report));
    io.stdout.write(wsPathWarnings(report, options.agentPaths.ws));
    let seedExit: number = report.summary.exitCode;
    if (options.checkDeterminism) {
      const twin = newTarget(ctx);
      let second: SelectionResult;
      try {
        second = await pass(ctx, twin, seed, `${label ?? `seed ${seed}`} (determinism)`);
      } finally {
        await twin.close();
      }
      if (second.interrupted) return interrupted(io, second.runs.length, ctx.scenarios.length);
      const found = compareRuns(first.runs, second.runs);
      io.stdout.write(formatDeterminism(found, seed, first.runs.length, (id) => replayCommand(options, { seed, scenario: id, determinism: true })));
      if (found.length > 0) seedExit = EXIT.FAIL;
    }
    if (!options.noReport) {
      const paths = reportPaths({ reportDir: options.reportDir, ...pick(options) }, io.cwd, seeds.length > 1 ? seed : undefined);
      try {
        const written = await writeReports(report, paths);
        io.stdout.write(`reports: ${written.map((f) => shown(f, io.cwd)).join(', ')}\n`);
      } catch (error) {
        io.stderr.write(`relaysim run: cannot write the reports: ${error instanceof Error ? error.message : String(error)}\n`);
        return EXIT.USAGE;
      }
    }
    if (seedExit !== EXIT.OK) {
      failedSeeds.push(seed);
      exit = EXIT.FAIL;
    }
  }
  if (seeds.length > 1) {
    io.stdout.write(
      failedSeeds.length === 0
        ? `repeat: all ${seeds.length} seeds passed (${seeds[0]}..${seeds[seeds.length - 1]})\n`
        : `repeat: ${failedSeeds.length} of ${seeds.length} seeds failed: ${failedSeeds.join(', ')}\n`,
    );
  }
  return exit;
}

function pick(options: RunOptions): { json?: string; junit?: string; html?: string } {
  return {
    ...(options.json === undefined ? {} : { json: options.json }),
    ...(options.junit === undefined ? {} : { junit: options.junit }),
    ...(options.html === undefined ? {} : { html: options.html }),
  };
}

function interrupted(io: CliIo, done: number, total: number): number {
  io.stderr.write(`relaysim run: interrupted after ${done} of ${total} scenarios; no reports written\n`);
  return EXIT.INTERRUPTED;
}

/** Checks before anything runs: the embedded module loads; the URL agent's fakes bind and the agent answers. */
async function preflight(ctx: RunContext, target: AgentTarget): Promise<number | undefined> {
  const { plan, io, options } = ctx;
  if (plan.spec.kind === 'embedded') {
    const problem = await checkEmbeddedModule(plan.spec.moduleUrl);
    if (problem !== undefined) return configError(io, problem);
  }
  if (plan.spec.kind === 'url') {
    try {
      await target.fakeEnv();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const busy = code === 'EADDRINUSE' ? ' (is `relaysim serve` or another run still using it? stop it, or pass --openai-port/--coval-port and start the agent with the matching URLs)' : '';
      return configError(io, `cannot start the fakes on their fixed ports: ${error instanceof Error ? error.message : String(error)}${busy}`);
    }
    const a = options.agent;
    const env = a.kind === 'url' ? agentEnvFor({ openai: a.openaiPort, coval: a.covalPort }, a.url, a.publicUrl) : {};
    io.stderr.write(`relaysim run: driving the agent at ${plan.spec.baseUrl}; it must have been started with:\n${envLines(env)}\n`);
    const reason = await agentReachable(plan.spec.baseUrl, plan.spec.paths?.health, { clock: ctx.clock, fetch: ctx.fetch }, options.startTimeoutS * 1000);
    if (reason !== undefined) {
      io.stderr.write(`relaysim run: the agent is not reachable: ${reason}\nStart it with the environment above, then run again.\n`);
      return EXIT.FAIL;
    }
  }
  return undefined;
}

/** `relaysim run`: the conformance verdict of an agent over the scenario library. */
export const runCommand: CliCommand = {
  name: 'run',
  summary: 'Run scenarios against an agent (embedded, --spawn or --agent-url); exit 0 pass, 1 fail',
  usage: RUN_USAGE,
  async run(args, io) {
    const options = parseRunOptions(args);
    if (isUsageProblem(options)) return usageError(io, options.usage);
    if (options.help) {
      io.stdout.write(`${RUN_USAGE}\n`);
      return EXIT.OK;
    }
    if (options.listChecks) {
      io.stdout.write(formatCheckList());
      return EXIT.OK;
    }
    const scenarios = await loadSelection(options.paths, options, io);
    if (isSelectionProblem(scenarios)) return configError(io, scenarios.problem);
    if (options.listScenarios) {
      io.stdout.write(formatScenarioList(scenarios));
      return EXIT.OK;
    }
    const plan = planAgent(options, io);
    if ('usage' in plan) return usageError(io, plan.usage);
    const ctx: RunContext = {
      options,
      io,
      plan,
      scenarios,
      clock: systemClock,
      fetch: globalThis.fetch,
      concurrency: plan.spec.kind === 'url' ? 1 : options.concurrency,
      interactive: isInteractive(io.stderr, io.env),
    };
    const target = newTarget(ctx);
    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => (closing ??= target.close());
    // SIGINT: stopping the agents ends the scenarios in flight; no new one starts.
    const stop = (): void => void close();
    io.signal?.addEventListener('abort', stop, { once: true });
    try {
      const early = await preflight(ctx, target);
      if (early !== undefined) return early;
      io.stderr.write(
        `relaysim run: ${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'}, seed ${options.seed}${options.repeat > 1 ? ` (+${options.repeat - 1} more)` : ''}, agent ${plan.report.mode} ${plan.report.target}, concurrency ${ctx.concurrency}\n`,
      );
      return await runSeeds(ctx, target);
    } finally {
      io.signal?.removeEventListener('abort', stop);
      await close();
    }
  },
};
