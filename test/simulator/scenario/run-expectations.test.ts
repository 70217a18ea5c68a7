import { describe, expect, it } from 'vitest';
import type { LlmRequestRecord } from '../../../simulator/openai/history.ts';
import { evaluateExpectations, expectationsPass, isSubset, spokenText } from '../../../simulator/scenario/expectations.ts';
import { batchOf, callOf, frame, recordOf, relayOf, scenarioOf, spanOf } from '../../support/run-record-builders.ts';

const SCENARIO = scenarioOf(`id: expect-all
title: Every expectation kind
caller:
  - say: "Hi"
expect:
  replyContains: ["nine to five"]
  toolCalled:
    - name: lookup_appointment
      arguments: { patient_name: "Ana Ruiz" }
  handoffData: { reason: "lab-results", details: { urgent: true } }
  export:
    spans: { stt: 1, llm: 2 }
`);

function llmRequest(seq: number, body: unknown, toolCall?: { name: string; arguments: string }): LlmRequestRecord {
  return {
    seq,
    method: 'POST',
    path: '/v1/chat/completions',
    headers: {},
    body,
    api: 'chat.completions',
    model: 'gpt-4o-mini',
    stream: true,
    turn: seq,
    receivedAtMs: seq,
    receivedAtEpochMs: seq,
    match: null,
    status: 200,
    error: null,
    responseId: null,
    reply: null,
    usage: null,
    chunks: toolCall ? [{ index: 0, atMs: 0, delayMs: 0, kind: 'tool', tool: { index: 0, id: 'call_1', name: toolCall.name, arguments: toolCall.arguments } }] : [],
    firstChunkAtMs: null,
    firstTokenAtMs: null,
    endedAtMs: null,
    outcome: 'completed',
    warnings: [],
  };
}

const goodRelay = relayOf([
  frame('out', { type: 'prompt', voicePrompt: 'Hi', last: true }),
  frame('in', { type: 'text', token: 'We are open nine', last: false }),
  frame('in', { type: 'text', token: ' to five.', last: true }),
  frame('in', { type: 'end', handoffData: '{"reason":"lab-results","details":{"urgent":true,"ward":3}}' }),
]);

const spans = [spanOf(), spanOf({ name: 'stt' }), spanOf({ name: 'llm' }), spanOf({ name: 'llm' })];

describe('evaluateExpectations', () => {
  it('passes every kind on a record that shows it, naming the evidence', () => {
    const record = recordOf(SCENARIO, [callOf({ relay: goodRelay })], {
      llm: {
        requests: [
          llmRequest(1, { messages: [{ role: 'user', content: 'Hi' }] }, { name: 'lookup_appointment', arguments: '{"patient_name":"Ana Ruiz","extra":1}' }),
        ],
      },
      coval: { attempts: [], batches: [batchOf('sim-1', spans)], finalize: {} },
    });
    const results = evaluateExpectations(record);
    expect(results.run.map((r) => [r.kind, r.pass])).toEqual([
      ['replyContains', true],
      ['toolCalled', true],
      ['handoffData', true],
      ['export', true],
    ]);
    expect(results.run[1]?.evidence).toContain('the reply to LLM request 1');
    expect(results.calls[0]).toEqual([expect.objectContaining({ kind: 'export', pass: true, evidence: 'conversation: 1, stt: 1, llm: 2' })]);
  });

  it('fails each kind with the evidence of what happened instead', () => {
    const relay = relayOf([frame('in', { type: 'text', token: 'We are closed.', last: true }), frame('in', { type: 'end', handoffData: '{"reason":"other"}' })]);
    const record = recordOf(SCENARIO, [callOf({ relay })], {
      llm: {
        requests: [
          llmRequest(2, { messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'lookup_appointment', arguments: '{"patient_name":"Bo"}' } }] }] }),
        ],
      },
      coval: { attempts: [], batches: [batchOf('sim-1', spans.slice(0, 3))], finalize: {} },
    });
    const results = evaluateExpectations(record);
    expect(results.run.map((r) => r.pass)).toEqual([false, false, false, false]);
    expect(results.run[0]?.evidence).toContain('"We are closed."');
    expect(results.run[1]?.evidence).toContain('{"patient_name":"Bo"}');
    expect(results.run[2]?.evidence).toContain('{"reason":"other"}');
    expect(results.calls[0]?.[0]?.evidence).toBe('conversation: 1, stt: 1, llm: 1');
  });

  it('judges a missing export per call, and export none over every batch', () => {
    const missing = recordOf(SCENARIO, [callOf({ export: { expected: true, status: 'missing', waitedMs: 8000 } })]);
    expect(evaluateExpectations(missing).calls[0]?.[0]).toMatchObject({ pass: false, evidence: 'export missing after 8000 ms' });
    const none = scenarioOf(`id: none
title: No export
caller: [ { say: "Hi" } ]
expect: { export: none }
`);
    const quiet = recordOf(none, [callOf({ export: { expected: false, status: 'none', waitedMs: 200 } })]);
    expect(evaluateExpectations(quiet).run).toEqual([expect.objectContaining({ kind: 'export', pass: true })]);
    const leaked = recordOf(none, [callOf()], { coval: { attempts: [], batches: [batchOf('sim-1', spans)], finalize: {} } });
    expect(evaluateExpectations(leaked).run[0]).toMatchObject({ pass: false, evidence: '1 batch(es) for sim-1' });
  });

  it('reads tool calls from Responses API input items too', () => {
    const record = recordOf(SCENARIO, [callOf({ relay: goodRelay })], {
      llm: { requests: [llmRequest(1, { input: [{ type: 'function_call', name: 'lookup_appointment', arguments: '{"patient_name":"Ana Ruiz"}' }] })] },
    });
    expect(evaluateExpectations(record).run[1]).toMatchObject({ pass: true, evidence: expect.stringContaining('the input of LLM request 1') });
  });

  it('expectationsPass needs every run and call result to pass', () => {
    const base = recordOf(SCENARIO, [callOf()]);
    expect(expectationsPass({ ...base, expectations: [{ kind: 'export', expectation: 'e', pass: true, evidence: '' }] })).toBe(true);
    expect(expectationsPass({ ...base, calls: [callOf({ expectations: [{ kind: 'export', expectation: 'e', pass: false, evidence: '' }] })] })).toBe(false);
  });
});

describe('isSubset and spokenText', () => {
  it('matches nested subsets, arrays element-wise, and keeps types strict', () => {
    expect(isSubset({ a: 1, b: { c: [1, { d: 2 }] } }, { a: 1, x: 0, b: { c: [1, { d: 2, e: 3 }] } })).toBe(true);
    expect(isSubset({ a: 1 }, { a: '1' })).toBe(false);
    expect(isSubset({ c: [1] }, { c: [1, 2] })).toBe(false);
    expect(isSubset({ a: undefined }, {})).toBe(false);
    expect(isSubset({}, [])).toBe(false);
  });

  it('joins the agent text tokens of a call, ignoring the caller and other frames', () => {
    expect(spokenText(callOf({ relay: goodRelay }))).toBe('We are open nine to five.');
    expect(spokenText(callOf())).toBe('');
  });
});
