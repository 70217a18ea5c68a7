import { describe, expect, it } from 'vitest';
import type { IngestAttempt } from '../../../simulator/coval/trace-store.ts';
import { groupedByCall } from '../../../simulator/scenario/call-order.ts';
import { normaliseRecord } from '../../../simulator/scenario/normalise-record.ts';
import type { RunRecord } from '../../../simulator/scenario/run-record.ts';
import { batchOf, callOf, recordOf, scenarioOf, spanOf } from '../../support/run-record-builders.ts';
import { llmRequest } from '../../support/run-record-builder.ts';

const SCENARIO = scenarioOf(`id: two
title: Two overlapping calls
calls:
  - { name: ana, caller: [ { say: "A?" } ] }
  - { name: ben, caller: [ { say: "B?" } ] }
`);

const attempt = (seq: number, simulationId: string | null, status = 200): IngestAttempt => ({
  seq,
  receivedAtMs: seq * 10,
  method: 'POST',
  simulationId,
  contentType: 'application/json',
  contentEncoding: null,
  bodyBytes: 100,
  status,
  outcome: status === 200 ? 'accepted' : 'rejected',
  delayMs: 0,
});

/**
 * Two calls whose LLM requests and exports interleave in the order given by `first` (the call
 * whose traffic reached the fakes first). Trace and span ids differ per run, as an agent's do.
 */
function run(first: 0 | 1, salt: string): RunRecord {
  // The fake's ids follow the conversation, not the arrival order (decision 0951).
  const ask = (call: number, seq: number) => ({
    ...llmRequest({ seq, at: seq, messages: [{ role: 'user', content: call === 0 ? 'A?' : 'B?' }], firstTokenMs: 5, tokens: [call === 0 ? 'a' : 'b'] }),
    responseId: `chatcmpl-${call}`,
  });
  const order = first === 0 ? [0, 1] : [1, 0];
  const requests = order.map((call, n) => ask(call, n + 1));
  const seqOf = (call: number) => order.indexOf(call) + 1;
  const sim = (call: number) => `sim-${call}`;
  const trace = (call: number) => `${salt}${call}`.padEnd(32, 'c');
  const batch = (call: number) => batchOf(sim(call), [spanOf({ traceId: trace(call), spanId: `${salt}${call}`.padEnd(16, 'd'), name: call === 0 ? 'ana' : 'ben' })], seqOf(call) + 1);
  return recordOf(
    SCENARIO,
    [0, 1].map((call) =>
      callOf({
        index: call,
        name: call === 0 ? 'ana' : 'ben',
        simulationOutputId: sim(call),
        llmRequestSeqs: [seqOf(call)],
        export: call === 1 ? { expected: true, status: 'missing', waitedMs: 5, rejected: { seq: 1, status: 400, settleMs: 1500 } } : { expected: true, status: 'received', waitedMs: 5 },
      }),
    ),
    {
      llm: { requests: requests as RunRecord['llm']['requests'] },
      coval: {
        // ben's refused attempt always comes first; the accepted ones follow in `order`.
        attempts: [attempt(1, sim(1), 400), ...order.map((call) => attempt(seqOf(call) + 1, sim(call)))],
        batches: order.map(batch),
        finalize: {},
      },
      events: [
        { atMs: 0, kind: 'run-start', message: 'start' },
        ...order.map((call) => ({ atMs: 1, kind: 'call-ended' as const, call, message: `${call} ended` })),
        { atMs: 2, kind: 'export', call: 1, message: 'ben: fake Coval answered export #1 with a non-retryable 400 and no retry came within 1500 ms: not received' },
        { atMs: 3, kind: 'run-end', message: 'end' },
      ],
    },
  );
}

describe('groupedByCall', () => {
  it('groups requests, attempts, batches and events by call and renumbers their references', () => {
    const g = groupedByCall(run(1, 'f'));
    expect(g.llm.requests.map((r) => [r.seq, r.turn, (r.body as { messages: { content: string }[] }).messages[0]?.content])).toEqual([
      [1, 1, 'A?'],
      [2, 2, 'B?'],
    ]);
    expect(g.calls.map((c) => c.llmRequestSeqs)).toEqual([[1], [2]]);
    expect(g.coval.attempts.map((a) => [a.seq, a.simulationId, a.status])).toEqual([
      [1, 'sim-0', 200],
      [2, 'sim-1', 400],
      [3, 'sim-1', 200],
    ]);
    expect(g.coval.batches.map((b) => [b.seq, b.simulationId])).toEqual([
      [1, 'sim-0'],
      [3, 'sim-1'],
    ]);
    expect(g.calls[1]?.export.rejected?.seq).toBe(2);
    expect(g.events.map((e) => e.kind)).toEqual(['run-start', 'run-end', 'call-ended', 'call-ended', 'export']);
    expect(g.events.at(-1)?.message).toContain('export #2 with');
  });

  it('does not modify its input', () => {
    const record = run(1, 'f');
    const copy = structuredClone(record);
    groupedByCall(record);
    expect(record).toEqual(copy);
  });
});

describe('normaliseRecord over overlapping calls', () => {
  it('makes runs whose calls reached the fakes in another order equal', () => {
    expect(normaliseRecord(run(1, 'e'))).toEqual(normaliseRecord(run(0, 'f')));
  });

  it('still tells a different content within a call apart', () => {
    const other = run(1, 'e');
    const changed = { ...other, calls: other.calls.map((c, i) => (i === 0 ? { ...c, name: 'anna' } : c)) };
    expect(normaliseRecord(changed)).not.toEqual(normaliseRecord(run(0, 'f')));
  });
});
