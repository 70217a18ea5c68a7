import type { MatrixCell, RaceMatrixRecord } from './race-matrix.ts';
import type { RaceRecord } from './race-record.ts';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** The first line of a race: what is explored against what. */
export function raceHeadline(record: Pick<RaceRecord, 'settings' | 'agent'>): string {
  const s = record.settings;
  const a = record.agent;
  const agent = a.mode === 'embedded' ? `embedded ${a.target ?? 'reference agent'}` : a.mode === 'spawn' ? `spawned \`${a.target ?? ''}\`` : `agent at ${a.target ?? ''}`;
  const replicas = `${a.replicas} replica${a.replicas === 1 ? '' : 's'}${a.replicas > 1 ? ` behind a round-robin proxy, ${a.sharedRegistry ? 'sharing Redis' : 'each with its own registry'}` : ''}`;
  const expiry = s.expiry ? `expiry on (TTL ${(a.ttlMs ?? 0) / 1000} s)` : 'expiry off';
  const runs = s.path === undefined ? `${s.runs} interleavings of up to ${s.calls} calls` : `replaying path ${s.path} (up to ${s.calls} calls)`;
  return `relaysim race: ${runs}, payload ${s.payload}, strategy ${a.strategy ?? "the agent's default"}, ${replicas}, ${expiry}, seed ${s.seed} (${agent})`;
}

/** The console report of one race: verdict, the shrunk timeline, why, the replay line, the record's path. */
export function raceReportText(record: RaceRecord, outFile?: string): string {
  const lines = [raceHeadline(record)];
  const ce = record.counterexample;
  if (record.interrupted) lines.push('interrupted: the race stopped early (SIGINT)');
  const replay = record.settings.path !== undefined;
  if (record.holds) {
    lines.push(
      replay
        ? `✓ the replayed interleaving kept the correlation contract (the counterexample did not reproduce) in ${seconds(record.durationMs)}`
        : `✓ the correlation contract held for ${record.numRuns} interleaving${record.numRuns === 1 ? '' : 's'} in ${seconds(record.durationMs)}`,
    );
  } else if (ce !== undefined) {
    const foundAt = record.runs.findIndex((r) => !r.pass) + 1;
    lines.push(
      replay
        ? `✗ the replayed interleaving breaks the correlation contract (${ce.calls} call${ce.calls === 1 ? '' : 's'}, ${seconds(record.durationMs)})`
        : `✗ the correlation contract broke (first at interleaving ${foundAt}); shrunk ${record.numShrinks} time${record.numShrinks === 1 ? '' : 's'} to ${ce.calls} call${ce.calls === 1 ? '' : 's'} in ${seconds(record.durationMs)}`,
      '',
      'TIMELINE (the order the agent saw)',
      ...ce.timeline.map((line, i) => `  ${String(i + 1).padStart(2)}  ${line}`),
    );
    if (ce.diagnosis.length > 0) lines.push('', 'WHY', ...ce.diagnosis.map((d) => `  ${d}`));
    lines.push('', `REPLAY  ${ce.replay}`);
  } else {
    lines.push(`✗ the race could not be judged: ${record.error ?? 'unknown error'}`);
  }
  if (outFile !== undefined) lines.push(`RECORD  ${outFile}`);
  return `${lines.join('\n')}\n`;
}

function cellRow(cell: MatrixCell): string[] {
  return [
    cell.strategy,
    cell.payload,
    String(cell.replicas),
    `${cell.failures}/${cell.runs}`,
    percent(cell.rate),
    `${percent(cell.interval.low)}–${percent(cell.interval.high)}`,
  ];
}

/** The matrix as a table, then one shrunk counterexample per failing cell with its replay line. */
export function matrixReportText(record: RaceMatrixRecord, outFile?: string): string {
  const s = record.settings;
  const header = ['strategy', 'payload', 'replicas', 'failed', 'rate', '95% CI (Wilson)'];
  const rows = record.cells.map(cellRow);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const lines = [
    `relaysim race --matrix: ${s.runs} interleavings of up to ${s.calls} calls per cell (the same ones in every cell), seed ${s.seed}, ${s.redis === 'none' ? 'replicas each with their own in-memory registry' : 'replicas sharing Redis'}, expiry off`,
    '',
    fmt(header),
    fmt(widths.map((w) => '-'.repeat(w))),
    ...rows.map(fmt),
  ];
  const failing = record.cells.filter((c) => c.counterexample !== undefined);
  if (failing.length > 0) {
    lines.push('', 'SHRUNK COUNTEREXAMPLES');
    for (const cell of failing) {
      const ce = cell.counterexample;
      if (ce === undefined) continue;
      lines.push(
        `  ${cell.strategy} · ${cell.payload} · ${cell.replicas} replica${cell.replicas === 1 ? '' : 's'} (${ce.calls} call${ce.calls === 1 ? '' : 's'}): ${ce.steps.join(', ')} → ${ce.findings.join('; ')}`,
        ...ce.diagnosis.map((d) => `      why: ${d}`),
        `      replay: ${ce.replay}`,
      );
    }
  }
  if (record.interrupted) lines.push('', 'interrupted: the matrix stopped early (SIGINT)');
  lines.push('', `${record.cells.length} cells in ${seconds(record.durationMs)}`);
  if (outFile !== undefined) lines.push(`RECORD  ${outFile}`);
  return `${lines.join('\n')}\n`;
}
