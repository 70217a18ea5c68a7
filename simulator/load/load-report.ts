import type { LatencySummary } from './latency-histogram.ts';
import type { LoadProgress, LoadResult, RssReport } from './load-result.ts';

const MIB = 1024 * 1024;

function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(1)} MiB`;
}

function signedMib(bytes: number): string {
  return `${bytes >= 0 ? '+' : '−'}${(Math.abs(bytes) / MIB).toFixed(2)} MiB`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function latencyRow(label: string, s: LatencySummary): string {
  const n = (x: number): string => x.toFixed(3).padStart(9);
  return `  ${label.padEnd(34)}${String(s.count).padStart(8)}${n(s.p50)}${n(s.p90)}${n(s.p99)}${n(s.max)}`;
}

function rssLine(label: string, r: RssReport): string {
  const s = r.slope;
  const verdict = s.flat === undefined ? 'too few samples to judge' : s.flat ? 'flat: within noise' : 'GROWING: beyond noise';
  return `  ${label.padEnd(10)}${mib(r.startBytes)} → ${mib(r.endBytes)} (max ${mib(r.maxBytes)}); slope ${signedMib(s.bytesPer1000Calls)} per 1,000 calls ± ${mib(s.stdErrPer1000Calls)} over calls ${s.fromCalls}–${s.toCalls}, scatter ${mib(s.residualStdBytes)} (${verdict})`;
}

/** The human-readable result table of `relaysim load`. */
export function formatLoadReport(r: LoadResult): string {
  const set = r.settings;
  const bound = set.calls !== undefined ? `${set.calls} calls` : `${seconds(set.durationMs ?? 0)}`;
  const loop = set.loop === 'open' ? `open loop at ${set.rate} calls/s (at most ${set.concurrency} in flight)` : `closed loop, concurrency ${set.concurrency}`;
  const lines = [
    `relaysim load: ${r.agent.mode} agent (${r.agent.target}), ${loop}, ${bound}${set.warmupCalls > 0 ? ` after ${set.warmupCalls} warm-up calls` : ''}${set.rampMs > 0 ? `, callers started over ${set.rampMs} ms` : ''}`,
    `  ${set.prompts} prompt(s) per call${set.thinkMs > 0 ? `, ${set.thinkMs} ms think time` : ''}; fake LLM first token ${set.firstTokenMs} ms, then ${set.interTokenMs} ms per token; seed ${set.seed}`,
    '',
    `Calls       ${r.calls.completed} completed in ${seconds(r.wallMs)} = ${r.calls.perSecond.toFixed(2)} calls/s; ${r.calls.failed} failed; at most ${r.calls.maxInFlight} in flight${set.loop === 'open' ? `; ${r.calls.shed} arrivals shed` : ''}`,
    `Protocol    ${r.protocolErrors} error(s)`,
    `Traces      ${r.traces.received} received; ${r.traces.lost} lost; ${r.traces.misCorrelated} mis-correlated; ${r.traces.unidentified} unidentified; ${r.traces.stray} stray`,
    '',
    `Latency (ms)                           count      p50      p90      p99      max`,
    latencyRow('agent-added (chunk → text frame)', r.latency.agentAdded),
    latencyRow('prompt → first frame', r.latency.promptToFirstFrame),
    latencyRow('hang-up → trace received', r.latency.hangUpToTrace),
    latencyRow('kit event-loop delay', r.kitEventLoopDelay),
  ];
  if (r.matching.unmatchedFrames > 0 || r.matching.unmatchedChunks > 0) {
    lines.push(`  (${r.matching.matched} chunk/frame pairs; ${r.matching.unmatchedFrames} text frames and ${r.matching.unmatchedChunks} chunks had no partner)`);
  }
  lines.push('');
  const agentCpu = r.agent.sameProcess
    ? 'agent: same process (included)'
    : r.cpu.agentMs === undefined
      ? 'agent: not measured'
      : `agent ${seconds(r.cpu.agentMs)} (${r.cpu.agentPercent?.toFixed(1)}% of one core)`;
  lines.push(`CPU         kit ${seconds(r.cpu.kitMs)} (${r.cpu.kitPercent.toFixed(1)}% of one core); ${agentCpu}`);
  lines.push('Memory (RSS)');
  if (r.memory.agentRss) lines.push(rssLine('agent', r.memory.agentRss));
  lines.push(rssLine(r.agent.sameProcess ? 'kit+agent' : 'kit', r.memory.kitRss));
  if (Object.keys(r.failures.byKind).length > 0) {
    lines.push('', `Failures    ${Object.entries(r.failures.byKind).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    for (const e of r.failures.examples) lines.push(`  call ${e.call} (${e.kind}): ${e.message}`);
  }
  for (const note of r.notes) lines.push(`Note: ${note}`);
  lines.push(
    '',
    r.ok
      ? 'PASS: no failed call, protocol error, lost, mis-correlated or unidentified trace'
      : `FAIL: ${r.calls.failed} failed calls, ${r.protocolErrors} protocol errors, ${r.traces.lost} lost, ${r.traces.misCorrelated} mis-correlated, ${r.traces.unidentified} unidentified, ${r.traces.stray} stray traces`,
  );
  return lines.join('\n');
}

/** One progress line: a bar (calls mode) or elapsed time (duration mode), counts, and the phase. */
export function formatLoadProgress(p: LoadProgress, width = 30): string {
  const share = p.total !== undefined ? p.completed / p.total : p.durationMs !== undefined ? Math.min(1, p.elapsedMs / p.durationMs) : 0;
  const filled = Math.round(share * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const of = p.total !== undefined ? `${p.completed}/${p.total}` : `${p.completed} calls, ${seconds(p.elapsedMs)}/${seconds(p.durationMs ?? 0)}`;
  const rate = p.elapsedMs > 0 ? ((p.completed / p.elapsedMs) * 1000).toFixed(1) : '0.0';
  return `${p.phase.padEnd(7)} ${bar} ${of} · ${rate} calls/s · ${p.inFlight} in flight · ${p.failed} failed`;
}
