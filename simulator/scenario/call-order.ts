import type { RunRecord } from './run-record.ts';

/** Stable sort by owning call; items no call owns keep their order after (or before) the calls'. */
function groupByCall<T>(items: readonly T[], callOf: (item: T) => number | undefined, unowned: number): T[] {
  return items
    .map((item, position) => ({ item, position, key: callOf(item) ?? unowned }))
    .sort((a, b) => a.key - b.key || a.position - b.position)
    .map((x) => x.item);
}

const EXPORT_SEQ = /\bexport #(\d+)\b/g;

/**
 * The record with its run-wide lists grouped by call: LLM requests (by attribution), Coval
 * attempts and batches (by simulation id) and events (run-level first), each call's items in their
 * own order, items no call owns last. Request and attempt `seq`s, LLM `turn`s and every reference
 * to them (`llmRequestSeqs`, `export.rejected.seq`, `export #n` in events) are renumbered in the
 * new order. Calls overlap, so how their requests and exports interleave is set by timing, not by
 * the seed; within one call the order is kept (decision 0952). The input is not modified.
 */
export function groupedByCall(record: RunRecord): RunRecord {
  const calls = record.calls.length;
  const callOfSimulation = new Map<string, number>();
  const callOfRequest = new Map<number, number>();
  for (const call of record.calls) {
    if (!callOfSimulation.has(call.simulationOutputId)) callOfSimulation.set(call.simulationOutputId, call.index);
    for (const seq of call.llmRequestSeqs) if (!callOfRequest.has(seq)) callOfRequest.set(seq, call.index);
  }

  const requests = groupByCall(record.llm.requests, (r) => callOfRequest.get(r.seq), calls);
  const requestSeq = new Map(requests.map((r, i) => [r.seq, i + 1]));
  let turn = 0;
  const renumberedRequests = requests.map((r) => ({ ...r, seq: renumbered(requestSeq, r.seq), turn: r.turn === null ? null : ++turn }));

  const callOfAttempt = (simulationId: string | null) => (simulationId === null ? undefined : callOfSimulation.get(simulationId));
  const attempts = groupByCall(record.coval.attempts, (a) => callOfAttempt(a.simulationId), calls);
  const attemptSeq = new Map(attempts.map((a, n) => [a.seq, n + 1]));
  const batches = groupByCall(record.coval.batches, (b) => callOfAttempt(b.simulationId), calls);

  const events = groupByCall(record.events, (e) => e.call, -1).map((e) =>
    e.kind === 'export' ? { ...e, message: e.message.replace(EXPORT_SEQ, (_, seq: string) => `export #${attemptSeq.get(Number(seq)) ?? seq}`) } : e,
  );

  return {
    ...record,
    calls: record.calls.map((call) => ({
      ...call,
      llmRequestSeqs: call.llmRequestSeqs.map((seq) => renumbered(requestSeq, seq)).sort((a, b) => a - b),
      export: call.export.rejected === undefined ? call.export : { ...call.export, rejected: { ...call.export.rejected, seq: renumbered(attemptSeq, call.export.rejected.seq) } },
    })),
    llm: { ...record.llm, requests: renumberedRequests },
    coval: {
      ...record.coval,
      attempts: attempts.map((a) => ({ ...a, seq: renumbered(attemptSeq, a.seq) })),
      batches: batches.map((b) => ({ ...b, seq: renumbered(attemptSeq, b.seq) })),
    },
    events,
  };
}

/** The renumbered value, or the old one when nothing renumbered it (a dangling reference stays visible). */
function renumbered(map: ReadonlyMap<number, number>, seq: number): number {
  return map.get(seq) ?? seq;
}
