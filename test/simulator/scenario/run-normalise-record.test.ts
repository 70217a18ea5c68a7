import { describe, expect, it } from 'vitest';
import { normaliseRecord } from '../../../simulator/scenario/normalise-record.ts';
import type { RunRecord } from '../../../simulator/scenario/run-record.ts';
import { batchOf, callOf, frame, recordOf, relayOf, scenarioOf, spanOf } from '../../support/run-record-builders.ts';

const SCENARIO = scenarioOf(`id: norm
title: Normalisation
caller: [ { say: "Hi" } ]
`);

/** One run as it could come out, with the run-specific bits as parameters. */
function run(v: { port: number; at: number; trace: string; root: string; child: string; ttfb: number; bytes: number; token?: string }): RunRecord {
  const relay = relayOf(
    [
      frame('out', { type: 'setup', callSid: 'CA1' }, v.at),
      frame('out', { type: 'prompt', voicePrompt: 'Hi', last: true }, v.at + 3),
      frame('in', { type: 'text', token: v.token ?? 'Hello', last: true }, v.at + 40),
      frame('out', { type: 'interrupt', utteranceUntilInterrupt: 'He', durationUntilInterruptMs: v.at % 97 }, v.at + 50),
    ],
    {
      handshake: {
        signedUrl: `wss://127.0.0.1:${v.port}/ws`,
        connectUrl: `ws://127.0.0.1:${v.port}/ws`,
        downgraded: true,
        requestHeaders: { 'X-Twilio-Signature': 'abc=' },
        status: 101,
        responseHeaders: { 'sec-websocket-accept': `k${v.at}` },
      },
    },
  );
  const spans = [
    spanOf({ traceId: v.trace, spanId: v.root, startNs: String(1_767_225_600_000_000_000n + BigInt(v.at)), attributes: { 'call.duration_seconds': { type: 'double', value: v.at / 1000 } } }),
    spanOf({ traceId: v.trace, spanId: v.child, parentSpanId: v.root, name: 'llm', attributes: { 'metrics.ttfb': { type: 'double', value: v.ttfb }, 'llm.finish_reason': { type: 'string', value: 'stop' } } }),
  ];
  return recordOf(SCENARIO, [callOf({ relay, steps: [{ index: 0, kind: 'say', startedAtMs: v.at, endedAtMs: v.at + 1, outcome: 'ok' }] })], {
    startedAtMs: v.at,
    endedAtMs: v.at + 900,
    timebase: { nowMs: v.at, epochMs: 1_767_225_600_000 + v.at },
    agent: {
      mode: 'embedded',
      baseUrl: `http://127.0.0.1:${v.port}`,
      publicUrl: `https://127.0.0.1:${v.port}`,
      paths: { webhook: '/webhook', register: '/register-simulation' },
      signing: { twilioAuthToken: true },
      env: { PORT: String(v.port), PUBLIC_URL: `https://127.0.0.1:${v.port}` },
      instance: { id: `agent-${v.port}`, runsBefore: v.port % 3 },
    },
    coval: {
      attempts: [{ seq: 1, receivedAtMs: v.at, method: 'POST', simulationId: 'sim-1', contentType: 'application/json', contentEncoding: null, bodyBytes: v.bytes, status: 200, outcome: 'accepted', delayMs: 0 }],
      batches: [{ ...batchOf('sim-1', spans), bodyBase64: `body${v.bytes}`, headers: { 'content-length': String(v.bytes), date: `d${v.at}` } }],
      finalize: { 'sim-1': [{ severity: 'warn', rule: 'OTLP-SPAN-RESENT', message: `span ${v.child} of trace ${v.trace} sent twice`, location: { spanId: v.child } }] },
    },
  });
}

const A = { port: 40001, at: 1000, trace: 'a'.repeat(32), root: '1'.repeat(16), child: '2'.repeat(16), ttfb: 0.31, bytes: 4459 };
const B = { port: 51234, at: 7777, trace: 'b'.repeat(32), root: '3'.repeat(16), child: '4'.repeat(16), ttfb: 0.29, bytes: 4461 };

describe('normaliseRecord', () => {
  it('makes two runs that differ only in times, ports, agent ids and sizes equal', () => {
    expect(normaliseRecord(run(B))).toEqual(normaliseRecord(run(A)));
  });

  it('keeps content, order and structure: a different token or finish reason is a difference', () => {
    expect(normaliseRecord(run({ ...B, token: 'Howdy' }))).not.toEqual(normaliseRecord(run(A)));
    const other = run(B);
    const changed = {
      ...other,
      coval: { ...other.coval, batches: other.coval.batches.map((b) => ({ ...b, spans: b.spans.map((s) => ({ ...s, parentSpanId: '' })) })) },
    };
    expect(normaliseRecord(changed)).not.toEqual(normaliseRecord(run(A)));
  });

  it('names trace and span ids by first appearance, also inside messages', () => {
    const normalised = normaliseRecord(run(A)) as RunRecord;
    expect(normalised.coval.batches[0]?.spans.map((s) => [s.traceId, s.spanId, s.parentSpanId])).toEqual([
      ['trace-1', 'span-1', ''],
      ['trace-1', 'span-2', 'span-1'],
    ]);
    expect(normalised.coval.finalize['sim-1']?.[0]?.message).toBe('span span-2 of trace trace-1 sent twice');
    expect(normalised.agent.baseUrl).toBe('http://127.0.0.1:<port>');
    expect(normalised.agent.env.PORT).toBe('<port>');
    expect(normalised.coval.batches[0]?.spans[1]?.attributes['metrics.ttfb']).toEqual({ type: 'double', value: '<measured>' });
    expect(normalised.coval.batches[0]?.spans[1]?.attributes['llm.finish_reason']).toEqual({ type: 'string', value: 'stop' });
    expect(JSON.stringify(normalised)).not.toMatch(/"at"|startedAtMs|bodyBase64|instance/);
  });

  it('does not modify its input', () => {
    const record = run(A);
    const copy = structuredClone(record);
    normaliseRecord(record);
    expect(record).toEqual(copy);
  });
});
