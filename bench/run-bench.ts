// `npm run bench`: the published performance figures (architecture §9). Writes bench/results.json
// and bench/RESULTS.md. Medians of several runs; agents are spawned so each has its own process.
// Sections: (a) reference agent vs the floor agent at concurrency 1, 50, 500 (and 500 paced),
// (b) the scenario library against the embedded agent, (c) fake Coval ingest, (d) the property
// suites, (e) a 10,000-call soak with the agent's RSS slope. Budget: under 10 minutes on 2 cores.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createAgentTarget } from '../simulator/agent-target/agent-target.ts';
import type { LoadOptions } from '../simulator/load/load-options.ts';
import type { LoadResult } from '../simulator/load/load-result.ts';
import { runLoad } from '../simulator/load/run-load.ts';
import { rssSlope } from '../simulator/load/rss-slope.ts';
import { expectationsPass } from '../simulator/scenario/expectations.ts';
import { loadScenarioLibrary } from '../simulator/scenario/load-scenario.ts';
import { runScenarios } from '../simulator/scenario/run-scenario.ts';
import { renderReadmeFigures, renderResultsMarkdown, replaceMarkedBlock } from './results-markdown.ts';
import { foreignCpuPercent, machineBusyMs, machineInfo } from './machine.ts';
import { measureIngest } from './otlp-ingest.bench.ts';
import type { AgentFigures, BenchResults, LevelResult, LoadRunFigures, SoakResult, TimedRuns } from './bench-results.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const NODE = process.execPath;
const RUNS = 3;
/** BENCH_QUICK=1: tiny sizes, to check the bench itself runs (its figures are not for publishing). */
const QUICK = process.env.BENCH_QUICK === '1';
const size = (full: number, quick: number): number => (QUICK ? quick : full);
/** BENCH_SECTIONS=a,e: run only those sections (results then go to /tmp, not bench/). */
const SECTIONS = new Set((process.env.BENCH_SECTIONS ?? 'a,b,c,d,e').split(',').map((x) => x.trim()));
const PARTIAL = SECTIONS.size < 5;
const AGENTS = {
  reference: `exec "${NODE}" agent/main.ts`,
  floor: `exec "${NODE}" bench/floor-agent.ts`,
} as const;

/** The load levels of section (a). */
const LEVELS: readonly { readonly name: string; readonly title: string; readonly load: Partial<LoadOptions> & { concurrency: number } }[] = [
  { name: 'c1', title: 'concurrency 1', load: { concurrency: 1, warmupCalls: size(10, 2), calls: size(30, 5) } },
  { name: 'c50', title: 'concurrency 50', load: { concurrency: 50, warmupCalls: size(200, 50), calls: size(1000, 100) } },
  { name: 'c500', title: 'concurrency 500 (back to back)', load: { concurrency: 500, warmupCalls: size(500, 500), calls: size(1500, 500) } },
  {
    name: 'c500-paced',
    title: 'concurrency 500, paced (2 s think time after each reply, callers started over 6 s)',
    load: { concurrency: 500, warmupCalls: 500, durationMs: size(8_000, 1_000), thinkMs: 2_000, rampMs: 6_000 },
  },
];
const SOAK = { concurrency: 50, warmupCalls: size(1_000, 100), calls: size(10_000, 500), sampleMs: size(1_000, 200) } as const;

const started = performance.now();
const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s`;
const say = (text: string): void => void process.stdout.write(`[${elapsed()}] ${text}\n`);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

function figures(r: LoadResult, foreign: number | undefined): LoadRunFigures {
  return {
    callsPerSecond: r.calls.perSecond,
    completed: r.calls.completed,
    maxInFlight: r.calls.maxInFlight,
    failed: r.calls.failed,
    protocolErrors: r.protocolErrors,
    lost: r.traces.lost,
    misCorrelated: r.traces.misCorrelated,
    unidentified: r.traces.unidentified,
    stray: r.traces.stray,
    agentAddedP50: r.latency.agentAdded.p50,
    agentAddedP99: r.latency.agentAdded.p99,
    promptToFirstFrameP50: r.latency.promptToFirstFrame.p50,
    hangUpToTraceP50: r.latency.hangUpToTrace.p50,
    agentCpuMsPerCall: r.cpu.agentMs === undefined ? null : round(r.cpu.agentMs / Math.max(1, r.calls.completed), 2),
    kitCpuMsPerCall: round(r.cpu.kitMs / Math.max(1, r.calls.completed), 2),
    kitLoopDelayP99: r.kitEventLoopDelay.p99,
    foreignCpuPercent: foreign ?? null,
  };
}

async function measuredLoad(options: LoadOptions): Promise<{ result: LoadResult; foreign: number | undefined }> {
  // Machine-wide busy time over the measured phase only, minus the kit's and the agent's own.
  let busyStart: number | undefined;
  let busyEnd: number | undefined;
  const result = await runLoad({
    ...options,
    onMeasure: (event) => {
      if (event === 'start') busyStart = machineBusyMs();
      else busyEnd = machineBusyMs();
    },
  });
  const own = result.cpu.kitMs + (result.cpu.agentMs ?? 0);
  return { result, foreign: foreignCpuPercent(busyStart, busyEnd, own, result.wallMs) };
}

function summarise(runs: readonly LoadRunFigures[]): AgentFigures {
  const pick = (f: (r: LoadRunFigures) => number): number => round(median(runs.map(f)));
  const sum = (f: (r: LoadRunFigures) => number): number => runs.reduce((a, r) => a + f(r), 0);
  return {
    runs,
    median: {
      callsPerSecond: pick((r) => r.callsPerSecond),
      agentAddedP50: pick((r) => r.agentAddedP50),
      agentAddedP99: pick((r) => r.agentAddedP99),
      promptToFirstFrameP50: pick((r) => r.promptToFirstFrameP50),
      agentCpuMsPerCall: runs.every((r) => r.agentCpuMsPerCall !== null) ? pick((r) => r.agentCpuMsPerCall as number) : null,
      kitCpuMsPerCall: pick((r) => r.kitCpuMsPerCall),
      maxInFlight: pick((r) => r.maxInFlight),
    },
    totals: {
      calls: sum((r) => r.completed),
      failed: sum((r) => r.failed),
      protocolErrors: sum((r) => r.protocolErrors),
      lost: sum((r) => r.lost),
      misCorrelated: sum((r) => r.misCorrelated + r.unidentified),
    },
  };
}

async function sectionAgents(): Promise<LevelResult[]> {
  const levels: LevelResult[] = [];
  for (const level of LEVELS) {
    const runs: Record<'reference' | 'floor', LoadRunFigures[]> = { reference: [], floor: [] };
    for (let i = 1; i <= RUNS; i++) {
      // Interleaved, so a burst of other work on the machine hits both agents alike.
      for (const agent of ['reference', 'floor'] as const) {
        const { result, foreign } = await measuredLoad({ target: { kind: 'spawn', command: AGENTS[agent], cwd: ROOT }, agentLabel: agent, sampleMs: 1_000, ...level.load });
        const f = figures(result, foreign);
        runs[agent].push(f);
        say(`(a) ${level.name} ${agent} run ${i}/${RUNS}: ${f.callsPerSecond} calls/s, agent-added p50 ${f.agentAddedP50} ms p99 ${f.agentAddedP99} ms, ${f.failed} failed, ${f.lost} lost, ${f.misCorrelated} mis-correlated${f.foreignCpuPercent === null ? '' : `, other work ${f.foreignCpuPercent}%`}`);
      }
    }
    const reference = summarise(runs.reference);
    const floor = summarise(runs.floor);
    const ratio = (a: number, b: number): number | null => (b > 0 ? round(a / b, 2) : null);
    levels.push({
      name: level.name,
      title: level.title,
      settings: level.load,
      reference,
      floor,
      ratios: {
        agentAddedP50: ratio(reference.median.agentAddedP50, floor.median.agentAddedP50),
        agentAddedP99: ratio(reference.median.agentAddedP99, floor.median.agentAddedP99),
        callsPerSecond: ratio(reference.median.callsPerSecond, floor.median.callsPerSecond),
      },
    });
  }
  return levels;
}

async function timedSuite(concurrency: number): Promise<{ ms: number; cpuPercent: number; scenarios: number; passed: number }> {
  const target = createAgentTarget({ kind: 'embedded', moduleUrl: pathToFileURL(join(ROOT, 'agent/embed.ts')).href });
  const scenarios = await loadScenarioLibrary(join(ROOT, 'scenarios'));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const records = await runScenarios(scenarios, { seed: 42, target, concurrency });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await target.close();
  const passed = records.filter((r) => r.outcome.status !== 'error' && expectationsPass(r)).length;
  return { ms: Math.round(ms), cpuPercent: round(((cpu.user + cpu.system) / 1000 / ms) * 100, 1), scenarios: scenarios.length, passed };
}

async function sectionSuite(): Promise<BenchResults['suite']> {
  const out: BenchResults['suite'] = { concurrency4: { runsMs: [], medianMs: 0, cpuPercent: [], scenarios: 0, passed: [] }, concurrency16: { runsMs: [], medianMs: 0, cpuPercent: [], scenarios: 0, passed: [] } };
  for (const [key, concurrency] of [['concurrency4', 4], ['concurrency16', 16]] as const) {
    for (let i = 1; i <= RUNS; i++) {
      const r = await timedSuite(concurrency);
      const slot = out[key];
      slot.runsMs.push(r.ms);
      slot.cpuPercent.push(r.cpuPercent);
      slot.passed.push(r.passed);
      slot.scenarios = r.scenarios;
      say(`(b) scenario library, concurrency ${concurrency}, run ${i}/${RUNS}: ${(r.ms / 1000).toFixed(1)} s, ${r.passed}/${r.scenarios} passed, kit CPU ${r.cpuPercent}% of one core`);
    }
    out[key].medianMs = median(out[key].runsMs);
  }
  return out;
}

function sectionIngest(): BenchResults['ingest'] {
  const rounds = [measureIngest(), measureIngest(), measureIngest()];
  const labels = rounds[0]?.map((f) => f.label) ?? [];
  const result = labels.map((label) => {
    const values = rounds.map((r) => r.find((f) => f.label === label)?.spansPerSecond ?? 0);
    return { label, runs: values, medianSpansPerSecond: median(values) };
  });
  for (const r of result) say(`(c) fake Coval ingest, ${r.label}: ${r.medianSpansPerSecond.toLocaleString('en-US')} spans/s (median of ${r.runs.length} × 15 rounds)`);
  return result;
}

function sectionProperties(): TimedRuns & { tests: number | null } {
  const runsMs: number[] = [];
  let tests: number | null = null;
  for (let i = 1; i <= RUNS; i++) {
    const t0 = performance.now();
    const run = spawnSync(NODE, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', 'test/properties'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: '1' } });
    const ms = Math.round(performance.now() - t0);
    const plain = `${run.stdout}${run.stderr}`.replace(/\u001b\[[0-9;]*m/g, '');
    const m = /Tests\s+(\d+) passed/.exec(plain);
    tests = m ? Number(m[1]) : null;
    if (run.status !== 0) say(`(d) property suites run ${i} FAILED (exit ${run.status})`);
    runsMs.push(ms);
    say(`(d) property suites run ${i}/${RUNS}: ${(ms / 1000).toFixed(1)} s (${tests ?? '?'} tests, exit ${run.status})`);
  }
  return { runsMs, medianMs: median(runsMs), tests };
}

/** The live heap after each major GC of the soaked agent, placed on the calls axis of the measured phase. */
function heapAfterMajorGc(file: string, result: LoadResult): { calls: number; heapUsedBytes: number; heapTotalBytes: number; rssBytes: number }[] {
  if (!existsSync(file)) return [];
  const t0 = Date.parse(result.startedAt);
  const perMs = result.calls.perSecond / 1000;
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { atMs: number; heapUsed: number; heapTotal: number; rss: number })
    .filter((p) => p.atMs >= t0)
    .map((p) => ({ calls: Math.min(result.calls.completed, Math.round((p.atMs - t0) * perMs)), heapUsedBytes: p.heapUsed, heapTotalBytes: p.heapTotal, rssBytes: p.rss }));
}

async function sectionSoak(): Promise<SoakResult> {
  say(`(e) soak: ${SOAK.calls.toLocaleString('en-US')} calls after ${SOAK.warmupCalls} warm-up calls, concurrency ${SOAK.concurrency}, spawned reference agent…`);
  let last = 0;
  const probeFile = join(tmpdir(), `relaysim-heap-${process.pid}.jsonl`);
  rmSync(probeFile, { force: true });
  const { result, foreign } = await measuredLoad({
    // The probe only listens for GC events; it allocates nothing per call and forces no GC.
    target: { kind: 'spawn', command: `exec "${NODE}" --import ./bench/heap-probe.ts agent/main.ts`, cwd: ROOT },
    agentEnv: { RELAYSIM_HEAP_PROBE_FILE: probeFile },
    agentLabel: 'reference',
    ...SOAK,
    onProgress: (p) => {
      if (p.phase !== 'warmup' && p.completed - last >= 2_000) {
        last = p.completed;
        say(`(e) soak: ${p.completed}/${SOAK.calls} calls`);
      }
    },
  });
  const rss = result.memory.agentRss;
  const points = result.samples.flatMap((s) => (s.agentRssBytes === undefined ? [] : [{ calls: s.calls, rssMiB: round(s.agentRssBytes / 1024 ** 2, 1) }]));
  const heapPoints = heapAfterMajorGc(probeFile, result);
  rmSync(probeFile, { force: true });
  const slopeOf = (value: (p: (typeof heapPoints)[number]) => number) =>
    heapPoints.length === 0 ? null : rssSlope(heapPoints.map((p) => ({ calls: p.calls, rssBytes: value(p) })), { warmupFraction: 0 });
  const heap = slopeOf((p) => p.heapUsedBytes);
  const heapTotalSlope = slopeOf((p) => p.heapTotalBytes);
  const outsideHeapSlope = slopeOf((p) => p.rssBytes - p.heapTotalBytes);
  say(`(e) soak done: ${result.calls.perSecond} calls/s, ${result.calls.failed} failed, ${result.traces.lost} lost; agent RSS slope ${rss ? round(rss.slope.bytesPer1000Calls / 1024 ** 2, 2) : '?'} MiB per 1,000 calls; live heap after major GC ${heap ? round(heap.bytesPer1000Calls / 1024 ** 2, 2) : '?'} MiB per 1,000 calls (${heapPoints.length} GCs)`);
  return { figures: figures(result, foreign), settings: SOAK, rss: rss ?? null, points, heapAfterMajorGc: { points: heapPoints, slope: heap, heapTotalSlope, outsideHeapSlope } };
}

const machine = machineInfo();
say(`relaysim bench on ${machine.cpus} × ${machine.model}, ${machine.memoryGiB} GiB, Node ${machine.node} (load average ${machine.loadAverage1m})`);
const agents = SECTIONS.has('a') ? await sectionAgents() : [];
const suite = SECTIONS.has('b') ? await sectionSuite() : { concurrency4: { runsMs: [], medianMs: 0, cpuPercent: [], scenarios: 0, passed: [] }, concurrency16: { runsMs: [], medianMs: 0, cpuPercent: [], scenarios: 0, passed: [] } };
const ingest = SECTIONS.has('c') ? sectionIngest() : [];
const properties = SECTIONS.has('d') ? sectionProperties() : { runsMs: [], medianMs: 0, tests: null };
const soak = SECTIONS.has('e') ? await sectionSoak() : { figures: null, settings: SOAK, rss: null, points: [], heapAfterMajorGc: { points: [], slope: null } };
const results: BenchResults = {
  schemaVersion: 1,
  date: new Date().toISOString(),
  machine,
  durationS: Math.round((performance.now() - started) / 1000),
  command: QUICK || PARTIAL ? 'a partial or quick npm run bench (not for publishing)' : 'npm run bench',
  agents,
  suite,
  ingest,
  properties,
  soak,
};
const out = QUICK || PARTIAL ? '/tmp/relaysim-bench-partial' : join(ROOT, 'bench');
if (out !== join(ROOT, 'bench')) mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(out, 'RESULTS.md'), renderResultsMarkdown(results));
if (out === join(ROOT, 'bench')) {
  // The README quotes the targets table of this run, never a hand-copied one (test/bench checks it).
  const readme = join(ROOT, 'README.md');
  writeFileSync(readme, replaceMarkedBlock(readFileSync(readme, 'utf8'), 'bench-figures', renderReadmeFigures(results)));
  say('README.md figures block updated');
}
say(`done in ${results.durationS} s: ${join(out, 'results.json')} and ${join(out, 'RESULTS.md')} written`);
