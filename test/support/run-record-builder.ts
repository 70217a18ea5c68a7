/**
 * A minimal valid RunRecord for the check tests, made to be mutated: one registered call with
 * `setup`, one prompt, a reply cycle ending with `last:true`, the LLM request that produced it
 * (with timed chunks), one accepted batch holding a correct Coval span tree, refused security
 * probes and a healthy agent afterwards. Every MUST and SHOULD check passes on it as built.
 *
 * Times are run-clock ms; wall clock = run clock + EPOCH. Frame `dir` is the fake Twilio's:
 * `out` to the agent, `in` from it. Helpers append frames, LLM requests and spans consistently.
 */
import type { IngestAttempt } from '../../simulator/coval/trace-store.ts';
import type { LlmChunkRecord, LlmRequestRecord } from '../../simulator/openai/history.ts';
import { parseScenario } from '../../simulator/scenario/load-scenario.ts';
import {
  KIT,
  RUN_RECORD_SCHEMA_VERSION,
  type AttributeValueJson,
  type BatchRecord,
  type CallRecord,
  type RunRecord,
  type SpanRow,
} from '../../simulator/scenario/run-record.ts';
import type { Scenario } from '../../simulator/scenario/schema.ts';
import type { RelayFrame } from '../../simulator/twilio/relay-client.ts';

/** `T` with every `readonly` removed, deeply, so tests can edit a record in place. */
export type DeepMutable<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer U)[]
    ? DeepMutable<U>[]
    : T extends object
      ? { -readonly [K in keyof T]: DeepMutable<T[K]> }
      : T;

export type MutableRecord = DeepMutable<RunRecord>;
export type MutableCall = DeepMutable<CallRecord>;
export type MutableSpan = DeepMutable<SpanRow>;
export type MutableValue = DeepMutable<AttributeValueJson>;

/** Wall-clock epoch ms at run-clock 0. */
export const EPOCH = 1_760_000_000_000;

/** The prompt and answer of the built call. */
export const PROMPT = 'When is my appointment?';
export const ANSWER_TOKENS = ["It's ", 'on Wednesday.'] as const;

export const str = (value: string): MutableValue => ({ type: 'string', value });
export const dbl = (value: number): MutableValue => ({ type: 'double', value });
export const int = (value: number): MutableValue => ({ type: 'int', value: String(value) });

/** Epoch nanoseconds (decimal string) of a run-clock ms reading. */
export const ns = (ms: number): string => (BigInt(Math.round((ms + EPOCH) * 1000)) * 1000n).toString();

/** A scenario parsed from YAML text, as the runner would (an unfrozen copy, so tests can edit it). */
export function scenarioOf(yaml: string): Scenario {
  return structuredClone(parseScenario(yaml, 'fixture.yaml'));
}

const BASE_SCENARIO = `
id: fixture
title: Fixture
caller:
  - say: "${PROMPT}"
  - waitForReply: {}
  - hangUp: {}
`;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** A span id unique per (call, n). */
export const spanIdOf = (call: number, n: number) => `${hex(call + 1, 4)}aaaa${hex(n, 8)}`;
/** The trace id of a call's trace. */
export const traceIdOf = (call: number) => `${hex(call + 1, 8)}${'b'.repeat(24)}`;

/** An LLM request record with content and/or tool-call chunks at the given times. */
export function llmRequest(o: {
  seq: number;
  at: number;
  messages: readonly Record<string, unknown>[];
  firstTokenMs: number;
  interTokenMs?: number;
  tokens?: readonly string[];
  toolCalls?: readonly { id: string; name: string; arguments: string }[];
  finishReason?: string;
}): DeepMutable<LlmRequestRecord> {
  const inter = o.interTokenMs ?? 10;
  const tokens = o.tokens ?? [];
  const tools = o.toolCalls ?? [];
  const chunks: LlmChunkRecord[] = [{ index: 0, atMs: o.at + o.firstTokenMs, delayMs: o.firstTokenMs, kind: 'role', role: 'assistant' }];
  let t = o.at + o.firstTokenMs;
  tokens.forEach((content, i) => {
    if (i > 0) t += inter;
    chunks.push({ index: chunks.length, atMs: t, delayMs: i === 0 ? 0 : inter, kind: 'content', content });
  });
  tools.forEach((call, i) => {
    chunks.push({ index: chunks.length, atMs: t, delayMs: 0, kind: 'tool', tool: { index: i, id: call.id, name: call.name, arguments: call.arguments } });
  });
  const finishReason = o.finishReason ?? (tools.length > 0 ? 'tool_calls' : 'stop');
  chunks.push({ index: chunks.length, atMs: t + 1, delayMs: 1, kind: 'finish', finishReason });
  chunks.push({ index: chunks.length, atMs: t + 1, delayMs: 0, kind: 'done' });
  return {
    seq: o.seq,
    method: 'POST',
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json' },
    body: { model: 'gpt-4o-mini', stream: true, messages: o.messages },
    api: 'chat.completions',
    model: 'gpt-4o-mini',
    stream: true,
    turn: o.seq,
    receivedAtMs: o.at,
    receivedAtEpochMs: o.at + EPOCH,
    match: { kind: 'rule', ruleIndex: 0, ruleId: 'rule-0' },
    status: 200,
    error: null,
    responseId: `chatcmpl-${o.seq}`,
    reply: { text: tokens.join(''), toolCalls: [...tools], finishReason },
    usage: { promptTokens: 20, completionTokens: 5, totalTokens: 25 },
    chunks: chunks as DeepMutable<LlmChunkRecord>[],
    firstChunkAtMs: o.at + o.firstTokenMs,
    firstTokenAtMs: tokens.length + tools.length > 0 ? o.at + o.firstTokenMs : null,
    endedAtMs: t + 1,
    outcome: 'completed',
    warnings: [],
  };
}

/** A span row of call `call`'s trace. */
export function span(o: {
  call?: number;
  n: number;
  name: string;
  parent?: number;
  start: number;
  end: number;
  attributes?: Record<string, MutableValue>;
  error?: string;
  span?: number;
}): MutableSpan {
  const call = o.call ?? 0;
  return {
    resource: 0,
    scope: 0,
    span: o.span ?? o.n,
    traceId: traceIdOf(call),
    spanId: spanIdOf(call, o.n),
    parentSpanId: o.parent === undefined ? '' : spanIdOf(call, o.parent),
    name: o.name,
    kind: 1,
    startNs: ns(o.start),
    endNs: ns(o.end),
    attributes: o.attributes ?? {},
    resourceAttributes: { 'service.name': str('relaysim-agent') },
    scopeName: 'relaysim-agent',
    status: o.error === undefined ? { code: 1, message: '' } : { code: 2, message: o.error },
    events: [],
  };
}

/** The span tree of one call: root, stt + provider, llm, tts. */
function callSpans(call: number, callSid: string, t0: number): MutableSpan[] {
  return [
    span({ call, n: 1, name: 'conversation', start: t0 + 210, end: t0 + 2000, attributes: { 'call.sid': str(callSid), 'call.duration_seconds': dbl(1.79) } }),
    span({
      call,
      n: 2,
      name: 'stt',
      parent: 1,
      start: t0 + 210,
      end: t0 + 1000,
      attributes: { 'stt.transcription': str(call === 0 ? PROMPT : `${PROMPT} (${call})`), 'stt.confidence': dbl(0.95), 'metrics.ttfb': dbl(0.2) },
    }),
    span({ call, n: 3, name: 'stt.provider.twilio', parent: 2, start: t0 + 210, end: t0 + 1000, attributes: { 'stt.providerName': str('twilio'), 'stt.confidence': dbl(0.95), 'metrics.ttfb': dbl(0.2) } }),
    span({
      call,
      n: 4,
      name: 'llm',
      parent: 1,
      start: t0 + 1000,
      end: t0 + 1125,
      attributes: { 'metrics.ttfb': dbl(0.1), 'llm.finish_reason': str('stop'), 'gen_ai.usage.input_tokens': int(20), 'gen_ai.usage.output_tokens': int(5) },
    }),
    span({ call, n: 5, name: 'tts', parent: 1, start: t0 + 1100, end: t0 + 1125, attributes: { 'metrics.ttfb': dbl(0.1) } }),
  ];
}

function callRecord(index: number, t0: number, prompt: string, llmSeq: number): MutableCall {
  const callSid = `CA${hex(index + 1, 32)}`;
  const simulationOutputId = `sim-${index}`;
  const frames: DeepMutable<RelayFrame>[] = [
    { index: 0, dir: 'out', at: t0 + 210, raw: '', parsed: { type: 'setup', callSid, from: `+1555010000${index}`, to: '+15550100999' } },
    { index: 1, dir: 'out', at: t0 + 1000, raw: '', parsed: { type: 'prompt', voicePrompt: prompt, lang: 'en-US', last: true } },
    { index: 2, dir: 'in', at: t0 + 1100, raw: '', parsed: { type: 'text', token: ANSWER_TOKENS[0], last: false } },
    { index: 3, dir: 'in', at: t0 + 1120, raw: '', parsed: { type: 'text', token: ANSWER_TOKENS[1], last: false } },
    { index: 4, dir: 'in', at: t0 + 1125, raw: '', parsed: { type: 'text', token: '', last: true } },
  ];
  for (const f of frames) f.raw = JSON.stringify(f.parsed);
  const tokens = frames.filter((f) => f.dir === 'in').map((f) => ({ token: (f.parsed as { token: string }).token, at: f.at, last: (f.parsed as { last: boolean }).last }));
  return {
    index,
    name: `call-${index + 1}`,
    from: `+1555010000${index}`,
    to: '+15550100999',
    callSid,
    simulationOutputId,
    arrivalPosition: index,
    registration: {
      payload: 'id+from',
      apiKey: 'valid',
      omitSimulationId: false,
      headers: {},
      delayBeforeDialMs: 0,
      repeat: 1,
      dials: [
        {
          simulationOutputId,
          url: 'http://127.0.0.1:3000/register-simulation',
          payload: { simulation_output_id: simulationOutputId, from_number: `+1555010000${index}` },
          requestHeaders: { 'content-type': 'application/json', 'x-api-key': '<redacted>' },
          sentAtMs: EPOCH + t0 + 100,
          durationMs: 5,
          outcome: 'response',
          status: 200,
          bodyText: '{"status":"ok","queued":1}',
          body: { status: 'ok', queued: 1 },
        },
      ],
    },
    webhook: {
      exchange: { at: t0 + 150, method: 'POST', url: 'https://agent.example/voice', requestHeaders: {}, params: [], response: { status: 200, headers: { 'content-type': 'text/xml' }, body: '<Response/>' }, durationMs: 5 },
      twiml: { relay: { url: 'wss://agent.example/relay' }, connect: { method: 'POST' } },
    },
    relay: {
      sessionId: `VX${hex(index + 1, 32)}`,
      callSid,
      handshake: { signedUrl: 'wss://agent.example/relay', connectUrl: 'ws://127.0.0.1:3000/relay', downgraded: true, requestHeaders: {}, status: 101 },
      connect: { status: 'open', at: t0 + 205 },
      setup: frames[0]?.parsed as Record<string, unknown>,
      frames,
      talkCycles: [
        { index: 0, kind: 'text', tokens, text: ANSWER_TOKENS.join(''), lastReceived: true, status: 'played', spokenText: ANSWER_TOKENS.join(''), playedMs: 300, startedAt: t0 + 1100, endedAt: t0 + 1400 },
      ],
      callerActions: [
        { kind: 'say', at: t0 + 1000, text: prompt, outcome: 'delivered', frames: [1] },
        { kind: 'hangUp', at: t0 + 2000, outcome: 'delivered', frames: [] },
      ],
      protocolErrors: [],
      notes: [],
      digitsSent: [],
      languageChanges: [],
      end: {
        status: 'completed',
        cause: 'caller-hangup',
        at: t0 + 2000,
        durationSeconds: 1.79,
        close: { code: 1000, reason: '', at: t0 + 2000, initiatedBy: 'simulator', wasOpen: true },
      },
    },
    steps: [
      { index: 0, kind: 'say', startedAtMs: t0 + 1000, endedAtMs: t0 + 1000, outcome: 'ok', actions: [0] },
      { index: 1, kind: 'waitForReply', startedAtMs: t0 + 1000, endedAtMs: t0 + 1125, outcome: 'ok', cycle: 0 },
      { index: 2, kind: 'hangUp', startedAtMs: t0 + 2000, endedAtMs: t0 + 2000, outcome: 'ok', actions: [1] },
    ],
    export: { expected: true, status: 'received', firstBatchAtMs: t0 + 2050, waitedMs: 50 },
    llmRequestSeqs: [llmSeq],
    expectations: [],
  };
}

function answerRequest(seq: number, t0: number, prompt: string): DeepMutable<LlmRequestRecord> {
  return llmRequest({
    seq,
    at: t0 + 1005,
    messages: [
      { role: 'system', content: 'You are the clinic receptionist.' },
      { role: 'user', content: prompt },
    ],
    firstTokenMs: 85,
    interTokenMs: 20,
    tokens: ANSWER_TOKENS,
  });
}

function batchOf(seq: number, call: MutableCall, spans: MutableSpan[]): DeepMutable<BatchRecord> {
  return {
    seq,
    index: 0,
    simulationId: call.simulationOutputId,
    target: 'simulation',
    receivedAtMs: EPOCH + (call.relay?.end?.at ?? 0) + 50,
    headers: { 'content-type': 'application/json', 'x-api-key': '<redacted>', 'x-simulation-id': call.simulationOutputId },
    contentType: 'application/json',
    encoding: 'json',
    contentEncoding: null,
    bodyBase64: '',
    spanCount: spans.length,
    spans,
    findings: [],
  };
}

function attemptOf(seq: number, batch: DeepMutable<BatchRecord>): DeepMutable<IngestAttempt> {
  return {
    seq,
    receivedAtMs: batch.receivedAtMs,
    method: 'POST',
    simulationId: batch.simulationId,
    contentType: 'application/json',
    contentEncoding: null,
    bodyBytes: 2000 + seq,
    status: 200,
    outcome: 'accepted',
    delayMs: 0,
    spanCount: batch.spanCount,
  };
}

/** The minimal valid record (see the file comment). */
export function buildRunRecord(scenarioYaml: string = BASE_SCENARIO): MutableRecord {
  const call = callRecord(0, 0, PROMPT, 1);
  const batch = batchOf(1, call, callSpans(0, call.callSid, 0));
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    kit: { ...KIT },
    seed: 42,
    replay: 'relaysim run --seed 42 --scenario fixture',
    scenario: scenarioOf(scenarioYaml) as DeepMutable<Scenario>,
    agent: {
      mode: 'embedded',
      baseUrl: 'http://127.0.0.1:3000',
      publicUrl: 'https://agent.example',
      paths: { webhook: '/voice', register: '/register-simulation' },
      signing: { twilioAuthToken: true },
      env: {},
    },
    timebase: { nowMs: 0, epochMs: EPOCH },
    startedAtMs: 0,
    endedAtMs: 2500,
    arrivalOrder: [0],
    calls: [call],
    llm: { requests: [answerRequest(1, 0, PROMPT)] },
    coval: { attempts: [attemptOf(1, batch)], batches: [batch], finalize: { [call.simulationOutputId]: [] } },
    probes: {
      signatureProbes: true,
      results: (['webhook-unsigned', 'webhook-wrong-signature', 'handshake-unsigned', 'handshake-wrong-signature', 'registration-wrong-key', 'registration-missing-key'] as const).map((kind) => ({
        kind,
        result: 'refused' as const,
        httpStatus: kind.startsWith('registration') ? 401 : 403,
        detail: '',
      })),
      healthAfter: { status: 200, detail: '{"status":"ok"}' },
    },
    outcome: { status: 'completed' },
    expectations: [],
    events: [],
  };
}

/** Adds another registered call like the first, `offset` ms later, with its own prompt, LLM request and batch. */
export function addCall(record: MutableRecord, offset = 5000): MutableCall {
  const index = record.calls.length;
  const prompt = `${PROMPT} (${index})`;
  const seq = Math.max(0, ...record.llm.requests.map((r) => r.seq)) + 1;
  const call = callRecord(index, offset, prompt, seq);
  record.calls.push(call);
  record.arrivalOrder.push(index);
  record.llm.requests.push(answerRequest(seq, offset, prompt));
  const batchSeq = Math.max(0, ...record.coval.attempts.map((a) => a.seq)) + 1;
  const batch = batchOf(batchSeq, call, callSpans(index, call.callSid, offset));
  record.coval.batches.push(batch);
  record.coval.attempts.push(attemptOf(batchSeq, batch));
  record.coval.finalize[call.simulationOutputId] = [];
  return call;
}

/** Appends a frame (kept in time order; later frames, caller actions and errors are re-indexed). */
export function addFrame(call: MutableCall, dir: 'in' | 'out', at: number, parsed: unknown, raw?: string): DeepMutable<RelayFrame> {
  const relay = call.relay;
  if (!relay) throw new Error('addFrame: the call has no relay session');
  const frame: DeepMutable<RelayFrame> = { index: -1, dir, at, raw: raw ?? JSON.stringify(parsed), ...(parsed === undefined ? {} : { parsed }) };
  const position = relay.frames.findIndex((f) => f.at > at);
  const insertAt = position < 0 ? relay.frames.length : position;
  relay.frames.splice(insertAt, 0, frame);
  const moved = (i: number) => (i >= insertAt ? i + 1 : i);
  relay.frames.forEach((f, i) => (f.index = i));
  for (const a of relay.callerActions) a.frames = a.frames.map(moved);
  for (const e of relay.protocolErrors) e.frameIndex = moved(e.frameIndex);
  return frame;
}

/** The first batch's spans of call `call` (the built tree). */
export function spansOf(record: MutableRecord, call = 0): MutableSpan[] {
  const batch = record.coval.batches.find((b) => b.simulationId === record.calls[call]?.simulationOutputId);
  if (!batch) throw new Error(`spansOf: no batch for call ${call}`);
  return batch.spans;
}

/** A span of the built tree by name (the first one). */
export function spanNamed(record: MutableRecord, name: string, call = 0): MutableSpan {
  const found = spansOf(record, call).find((s) => s.name === name);
  if (!found) throw new Error(`spanNamed: no ${name} span`);
  return found;
}

/** Adds a span to the call's batch. */
export function addSpan(record: MutableRecord, row: MutableSpan, call = 0): MutableSpan {
  const spans = spansOf(record, call);
  spans.push(row);
  const batch = record.coval.batches.find((b) => b.spans === spans);
  if (batch) batch.spanCount = spans.length;
  return row;
}

/** The request of the built call's answer. */
export function answerLlm(record: MutableRecord, call = 0): DeepMutable<LlmRequestRecord> {
  const seq = record.calls[call]?.llmRequestSeqs[0];
  const found = record.llm.requests.find((r) => r.seq === seq);
  if (!found) throw new Error(`answerLlm: no request for call ${call}`);
  return found;
}

/**
 * Turns the built call's answer into a tool round: LLM #1 asks for `lookup_appointment` (call id
 * `call_1`), the agent runs it and LLM #2 answers with the text; the trace gains the tool spans
 * and a second llm span.
 */
export function addToolRound(record: MutableRecord, tool = { name: 'lookup_appointment', arguments: '{"patient":"me"}', result: '{"date":"Wednesday"}' }): void {
  const call = record.calls[0] as MutableCall;
  const first = llmRequest({
    seq: 1,
    at: 1005,
    messages: [
      { role: 'system', content: 'You are the clinic receptionist.' },
      { role: 'user', content: PROMPT },
    ],
    firstTokenMs: 20,
    toolCalls: [{ id: 'call_1', name: tool.name, arguments: tool.arguments }],
  });
  const second = llmRequest({
    seq: 2,
    at: 1040,
    messages: [
      { role: 'system', content: 'You are the clinic receptionist.' },
      { role: 'user', content: PROMPT },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: tool.name, arguments: tool.arguments } }] },
      { role: 'tool', tool_call_id: 'call_1', content: tool.result },
    ],
    firstTokenMs: 50,
    interTokenMs: 20,
    tokens: ANSWER_TOKENS,
  });
  record.llm.requests = [first, second];
  call.llmRequestSeqs = [1, 2];
  const spans = spansOf(record);
  const llm = spanNamed(record, 'llm');
  llm.startNs = ns(1000);
  llm.endNs = ns(1026);
  llm.attributes = { 'metrics.ttfb': dbl(0.025), 'llm.finish_reason': str('tool_calls') };
  spans.push(
    span({ n: 6, name: 'tool_call', parent: 1, start: 1027, end: 1035, attributes: { 'tool.name': str(tool.name), 'tool.call_id': str('call_1'), 'tool.arguments': str(tool.arguments) } }),
    span({ n: 7, name: 'tool_call_result', parent: 1, start: 1035, end: 1035, attributes: { 'tool.name': str(tool.name), 'tool.call_id': str('call_1'), 'tool.result': str(tool.result) } }),
    span({ n: 8, name: 'llm', parent: 1, start: 1036, end: 1125, attributes: { 'metrics.ttfb': dbl(0.064), 'llm.finish_reason': str('stop') } }),
  );
  const batch = record.coval.batches[0];
  if (batch) batch.spanCount = spans.length;
}

/** The record as the evaluators take it. */
export function frozen(record: MutableRecord): RunRecord {
  return record as RunRecord;
}
