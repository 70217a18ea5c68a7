// Renders bench/results.json as bench/RESULTS.md: the §9 targets first, then each section.
import type { AgentFigures, BenchResults, LevelResult } from './bench-results.ts';

const MIB = 1024 * 1024;
const n = (x: number | null | undefined, digits = 2): string => (x === null || x === undefined ? '–' : x.toFixed(digits));
const int = (x: number): string => Math.round(x).toLocaleString('en-US');
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mark = (ok: boolean): string => (ok ? 'met' : '**not met**');

function clean(f: AgentFigures): boolean {
  return f.totals.failed === 0 && f.totals.protocolErrors === 0 && f.totals.lost === 0 && f.totals.misCorrelated === 0;
}

function levelRows(level: LevelResult): string[] {
  const row = (name: string, f: AgentFigures): string => {
    const m = f.median;
    const other = f.runs.map((r) => (r.foreignCpuPercent === null ? '–' : `${r.foreignCpuPercent}`)).join(' / ');
    return `| ${name} | ${n(m.callsPerSecond, 1)} | ${n(m.agentAddedP50, 3)} | ${n(m.agentAddedP99, 3)} | ${n(m.promptToFirstFrameP50, 1)} | ${n(m.agentCpuMsPerCall)} | ${n(m.kitCpuMsPerCall)} | ${int(m.maxInFlight)} | ${int(f.totals.calls)} | ${f.totals.failed} / ${f.totals.protocolErrors} / ${f.totals.lost} / ${f.totals.misCorrelated} | ${other} |`;
  };
  const r = level.ratios;
  return [
    `### ${level.title}`,
    '',
    '| agent | calls/s | agent-added p50 (ms) | p99 (ms) | prompt → first frame p50 (ms) | agent CPU ms/call | kit CPU ms/call | max in flight | calls measured | failed / protocol errors / lost / mis-correlated | other work on the machine (% per run) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    row('reference', level.reference),
    row('floor', level.floor),
    `| **reference ÷ floor** | ${n(r.callsPerSecond)}× | ${n(r.agentAddedP50)}× | ${n(r.agentAddedP99)}× | | | | | | | |`,
    '',
  ];
}

/** The architecture §9 targets with what `results` measured and a verdict each: [target, measured, verdict]. */
export function targetRows(results: BenchResults): [string, string, string][] {
  const level = (name: string): LevelResult | undefined => results.agents.find((l) => l.name === name);
  const c1 = level('c1');
  const c500 = level('c500');
  const paced = level('c500-paced');
  const jsonIngest = results.ingest.find((i) => i.label.startsWith('json (int64 strings)'));
  const soak = results.soak;
  const slopeMiB = soak.rss ? soak.rss.slope.bytesPer1000Calls / MIB : null;
  const heap = soak.heapAfterMajorGc.slope;
  const kitCallsPerMinute = c500 ? 60_000 / c500.reference.median.kitCpuMsPerCall : null;
  const latencyCell = (l: LevelResult | undefined, key: 'agentAddedP50' | 'agentAddedP99'): string =>
    l ? `${n(l.reference.median[key], 3)} ms (floor ${n(l.floor.median[key], 3)} ms, ratio ${n(l.ratios[key])}×)` : '–';
  return [
    [
      '≥ 500 concurrent calls, 0 protocol errors, 0 lost or mis-correlated traces',
      [c500, paced].filter((l): l is LevelResult => l !== undefined).map((l) => `${l.name}: ${int(l.reference.totals.calls)} calls, max ${int(l.reference.median.maxInFlight)} in flight, ${l.reference.totals.failed} failed, ${l.reference.totals.protocolErrors} protocol errors, ${l.reference.totals.lost} lost, ${l.reference.totals.misCorrelated} mis-correlated`).join('; '),
      mark([c500, paced].every((l) => l !== undefined && clean(l.reference) && l.reference.median.maxInFlight >= 500)),
    ],
    ['agent-added latency p50 ≤ 1 ms (unloaded, concurrency 1)', latencyCell(c1, 'agentAddedP50'), mark((c1?.reference.median.agentAddedP50 ?? Infinity) <= 1)],
    ['agent-added latency p99 ≤ 5 ms (unloaded, concurrency 1)', latencyCell(c1, 'agentAddedP99'), mark((c1?.reference.median.agentAddedP99 ?? Infinity) <= 5)],
    ['agent-added latency p50 ≤ 1 ms (500 paced calls)', latencyCell(paced, 'agentAddedP50'), mark((paced?.reference.median.agentAddedP50 ?? Infinity) <= 1)],
    [
      'agent-added latency p99 ≤ 5 ms (500 paced calls)',
      latencyCell(paced, 'agentAddedP99'),
      (paced?.reference.median.agentAddedP99 ?? Infinity) <= 5 ? 'met' : '**not met**: collection pauses in the agent and in the kit that times it (decision 0909)',
    ],
    [
      "full scenario suite against the in-process agent < 10 s (`relaysim run`'s default concurrency, 16)",
      `${s(results.suite.concurrency16.medianMs)} (4 at once: ${s(results.suite.concurrency4.medianMs)}, waiting on simulated speech: decision 0905)`,
      mark(results.suite.concurrency16.medianMs < 10_000),
    ],
    ['1,000 simulated calls/minute on one core (kit CPU per call at concurrency 500)', kitCallsPerMinute === null ? '–' : `${c500 ? n(c500.reference.median.kitCpuMsPerCall) : '–'} ms CPU per call ≈ ${int(kitCallsPerMinute)} calls/minute per core`, mark((kitCallsPerMinute ?? 0) >= 1000)],
    ['property suites at default run counts < 30 s', `${s(results.properties.medianMs)}`, mark(results.properties.medianMs < 30_000)],
    ['fake Coval ingest ≥ 50k spans/s JSON decode+validate', jsonIngest ? `${int(jsonIngest.medianSpansPerSecond)} spans/s` : '–', mark((jsonIngest?.medianSpansPerSecond ?? 0) >= 50_000)],
    [
      'flat RSS across a 10,000-call soak',
      `${soak.rss ? `RSS ${n(slopeMiB)} MiB per 1,000 calls ± ${n(soak.rss.slope.stdErrPer1000Calls / MIB)} (${n(soak.rss.startBytes / MIB, 0)} → ${n(soak.rss.endBytes / MIB, 0)} MiB, scatter ${n(soak.rss.slope.residualStdBytes / MIB)} MiB)` : 'RSS not measured'}; ${heap ? `live heap after major GC ${n(heap.bytesPer1000Calls / MIB)} MiB per 1,000 calls ± ${n(heap.stdErrPer1000Calls / MIB)} (${heap.samples} GCs)` : 'live heap not measured'}`,
      soak.rss?.slope.flat === true
        ? 'met (within noise)'
        : heap?.flat === true
          ? '**RSS not flat** with glibc malloc; the live JS heap is, and with jemalloc RSS is flat over 40,000 calls: allocator fragmentation, not a leak (decision 0903)'
          : '**not met**',
    ],
  ];
}

/** The §9 targets table (markdown lines), as RESULTS.md and the README show it. */
export function renderTargetsTable(results: BenchResults): string[] {
  return ['| target | measured | verdict |', '|---|---|---|', ...targetRows(results).map(([t, v, ok]) => `| ${t} | ${v} | ${ok} |`)];
}

/** The README's figures block: where the figures come from, then the §9 targets table. */
export function renderReadmeFigures(results: BenchResults): string {
  const m = results.machine;
  return [
    `Measured ${results.date.slice(0, 10)} by \`npm run bench\` in ${results.durationS} s on ${m.cpus} × ${m.model}, Node ${m.node}; agents spawned, medians of 3 runs interleaved with the floor agent (every LLM chunk forwarded, no logic). Generated from [bench/results.json](bench/results.json); all tables: [bench/RESULTS.md](bench/RESULTS.md).`,
    '',
    ...renderTargetsTable(results),
  ].join('\n');
}

/** Where the `NAME` block's body lies in `document` (after its start marker, up to its end marker). */
function markedBlockBounds(document: string, name: string): { readonly from: number; readonly to: number } | undefined {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const at = document.indexOf(start);
  const to = document.indexOf(end);
  return at < 0 || to < at ? undefined : { from: at + start.length, to };
}

/** Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->` in `document` with `body`. */
export function replaceMarkedBlock(document: string, name: string, body: string): string {
  const bounds = markedBlockBounds(document, name);
  if (!bounds) throw new Error(`no <!-- ${name}:start --> … <!-- ${name}:end --> block to replace`);
  return `${document.slice(0, bounds.from)}\n${body}\n${document.slice(bounds.to)}`;
}

/** The body of the `NAME` marked block of `document`, or undefined when it has none. */
export function markedBlock(document: string, name: string): string | undefined {
  const bounds = markedBlockBounds(document, name);
  return bounds && document.slice(bounds.from, bounds.to).replace(/^\n/, '').replace(/\n$/, '');
}

/** bench/RESULTS.md for `results`. */
export function renderResultsMarkdown(results: BenchResults): string {
  const m = results.machine;
  const soak = results.soak;
  const slopeMiB = soak.rss ? soak.rss.slope.bytesPer1000Calls / MIB : null;
  const heap = soak.heapAfterMajorGc.slope;

  const lines: string[] = [
    '# relaysim performance figures',
    '',
    `Measured ${results.date.slice(0, 10)} by \`${results.command}\` in ${results.durationS} s on ${m.cpus} × ${m.model}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node} (1-minute load average at start ${m.loadAverage1m}). Generated by bench/run-bench.ts; what the figures mean: docs/performance.md.`,
    '',
    'Agents are spawned (each in its own process; the kit in another). Every figure is the median of 3 runs, interleaved reference/floor. "Other work" is the share of the machine that processes other than the kit and the agent used during a run: figures taken while it is high are slower than the code is.',
    '',
    '## Targets (architecture §9)',
    '',
    ...renderTargetsTable(results),
    '',
    '## (a) Reference agent vs the floor agent',
    '',
    'Agent-added latency: fake LLM chunk written → the matching `text` frame received by the fake Twilio (both timed in the kit, so it includes two loopback hops and the kit\'s own scheduling, which the floor agent — no logic, every chunk forwarded at once — measures).',
    '',
  ];
  for (const l of results.agents) lines.push(...levelRows(l));
  const suiteRow = (name: string, r: BenchResults['suite']['concurrency4']): string =>
    `| ${name} | ${s(r.medianMs)} | ${r.runsMs.map(s).join(', ')} | ${r.passed.join(', ')} of ${r.scenarios} | ${r.cpuPercent.join(', ')} |`;
  lines.push(
    '## (b) Scenario library against the embedded reference agent',
    '',
    '| runScenarios | median wall time | runs | scenarios passing expectations | kit+agent CPU (% of one core) |',
    '|---|---|---|---|---|',
    suiteRow('concurrency 4', results.suite.concurrency4),
    suiteRow('concurrency 16', results.suite.concurrency16),
    '',
    '## (c) Fake Coval ingest (decode + validate, one 10,000-span batch)',
    '',
    '| encoding | median spans/s | runs (each the median of 15 rounds) |',
    '|---|---|---|',
    ...results.ingest.map((i) => `| ${i.label} | ${int(i.medianSpansPerSecond)} | ${i.runs.map(int).join(', ')} |`),
    '',
    '## (d) Property suites (`vitest run test/properties`, default run counts)',
    '',
    `Median ${s(results.properties.medianMs)} over ${results.properties.runsMs.length} runs (${results.properties.runsMs.map(s).join(', ')}); ${results.properties.tests ?? '?'} tests. Wall time includes vitest's start-up.`,
    '',
    '## (e) Soak: spawned reference agent',
    '',
    soak.figures
      ? `${int(soak.figures.completed)} calls after ${int(soak.settings.warmupCalls ?? 0)} warm-up calls at concurrency ${soak.settings.concurrency}: ${n(soak.figures.callsPerSecond, 1)} calls/s, ${soak.figures.failed} failed, ${soak.figures.protocolErrors} protocol errors, ${soak.figures.lost} lost, ${soak.figures.misCorrelated + soak.figures.unidentified} mis-correlated.`
      : 'Not run.',
    '',
    soak.rss
      ? `Agent RSS ${n(soak.rss.startBytes / MIB, 1)} → ${n(soak.rss.endBytes / MIB, 1)} MiB (max ${n(soak.rss.maxBytes / MIB, 1)}). Linear regression of RSS on calls completed (first 10% dropped, ${soak.rss.slope.samples} samples, calls ${int(soak.rss.slope.fromCalls)}–${int(soak.rss.slope.toCalls)}): **${n(slopeMiB)} MiB per 1,000 calls** ± ${n(soak.rss.slope.stdErrPer1000Calls / MIB)} (standard error); samples scatter ${n(soak.rss.slope.residualStdBytes / MIB)} MiB around the line; verdict: ${soak.rss.slope.flat ? 'flat (within noise)' : 'not flat'}.`
      : 'Agent RSS could not be read (no /proc).',
    '',
    heap
      ? `Live JS heap right after each major GC (bench/heap-probe.ts, ${heap.samples} collections): slope **${n(heap.bytesPer1000Calls / MIB)} MiB per 1,000 calls** ± ${n(heap.stdErrPer1000Calls / MIB)}, scatter ${n(heap.residualStdBytes / MIB)} MiB; verdict: ${heap.flat === undefined ? 'too few collections' : heap.flat ? 'flat (within noise)' : 'growing'}. ${soak.heapAfterMajorGc.points.map((p) => `${n(p.heapUsedBytes / MIB, 1)}`).join(', ')} MiB.`
      : 'The live heap after major GC was not recorded.',
    ...(soak.heapAfterMajorGc.heapTotalSlope && soak.heapAfterMajorGc.outsideHeapSlope
      ? [
          '',
          `At the same instants V8's reserved heap (\`heapTotal\`) moved ${n(soak.heapAfterMajorGc.heapTotalSlope.bytesPer1000Calls / MIB)} MiB per 1,000 calls ± ${n(soak.heapAfterMajorGc.heapTotalSlope.stdErrPer1000Calls / MIB)} and RSS outside it (\`rss − heapTotal\`: code, stacks, buffers, the allocator) ${n(soak.heapAfterMajorGc.outsideHeapSlope.bytesPer1000Calls / MIB)} MiB per 1,000 calls ± ${n(soak.heapAfterMajorGc.outsideHeapSlope.stdErrPer1000Calls / MIB)}.`,
        ]
      : []),
    '',
    '| calls completed | agent RSS (MiB) |',
    '|---|---|',
    ...soak.points.filter((_, i, all) => i % Math.max(1, Math.floor(all.length / 12)) === 0 || i === all.length - 1).map((p) => `| ${int(p.calls)} | ${n(p.rssMiB, 1)} |`),
    '',
    '## Reproduce',
    '',
    '```sh',
    'npm run bench                      # everything above, < 10 minutes on 2 cores',
    'npx relaysim load --concurrency 500 --calls 5000          # one load run, embedded agent',
    'npx relaysim load --spawn "node agent/main.ts" -c 50 -n 10000 --warmup 1000   # the soak by hand',
    '```',
    '',
  );
  return lines.join('\n');
}
