/**
 * One passing and one violating example per catalogue check, each a mutation of the builder's
 * minimal valid record. The table-driven test runs every pair; a check without a pair fails it.
 */
import type { ProbeKind } from '../../../simulator/scenario/run-record.ts';
import {
  ANSWER_TOKENS,
  EPOCH,
  PROMPT,
  addCall,
  addFrame,
  addToolRound,
  answerLlm,
  dbl,
  llmRequest,
  ns,
  spanNamed,
  str,
  type MutableCall,
  type MutableRecord,
} from '../../support/run-record-builder.ts';

/** A change to the built record. */
export type Mutation = (record: MutableRecord) => void;

/** A check's pair of examples; an INFO check cannot be violated and says why instead. */
export interface CheckCase {
  readonly pass: Mutation;
  readonly violate: Mutation | { readonly neverViolated: string };
}

const keep: Mutation = () => {};

export function call0(record: MutableRecord): MutableCall {
  return record.calls[0] as MutableCall;
}

/** Removes everything exported under a call's id. */
export function noExport(record: MutableRecord, call = 0): void {
  const id = record.calls[call]?.simulationOutputId;
  record.coval.batches = record.coval.batches.filter((b) => b.simulationId !== id);
  record.coval.attempts = record.coval.attempts.filter((a) => a.simulationId !== id);
  delete record.coval.finalize[id ?? ''];
}

function registration(record: MutableRecord, change: Partial<MutableCall['registration']>, status: number): void {
  const reg = call0(record).registration;
  Object.assign(reg, change);
  for (const d of reg.dials) d.status = status;
}

/** The registration was sent `ageMs` before the call's setup, with a 1 s TTL. */
export function agedRegistration(record: MutableRecord, ageMs: number): void {
  record.agent.env.SIMULATION_TTL_SECONDS = '1';
  const dial = call0(record).registration.dials[0];
  if (dial) {
    dial.sentAtMs = EPOCH + 210 - ageMs;
    dial.durationMs = 5;
  }
}

/** Call 1's trace sent under call 0's id as well (or instead). */
function secondCallUnderFirstId(record: MutableRecord): void {
  addCall(record);
  const batch = record.coval.batches[1];
  const attempt = record.coval.attempts[1];
  if (batch && attempt) {
    batch.simulationId = 'sim-0';
    attempt.simulationId = 'sim-0';
  }
}

/** The caller barges in 10 ms into the answer; LLM #2 answers the new prompt with `heard` in its history. */
export function interrupted(record: MutableRecord, heard: string): void {
  const call = call0(record);
  const relay = call.relay;
  if (!relay) return;
  relay.talkCycles[0] = { ...(relay.talkCycles[0] as NonNullable<(typeof relay.talkCycles)[0]>), lastReceived: false, status: 'interrupted', spokenText: "It's " };
  relay.frames = relay.frames.filter((f) => !(f.dir === 'in' && f.at >= 1120));
  const i = addFrame(call, 'out', 1110, { type: 'interrupt', utteranceUntilInterrupt: "It's ", durationUntilInterruptMs: 10 });
  const p = addFrame(call, 'out', 1115, { type: 'prompt', voicePrompt: 'Sorry?', lang: 'en-US', last: true });
  relay.callerActions.splice(1, 0, {
    kind: 'bargeIn',
    at: 1110,
    text: 'Sorry?',
    outcome: 'interrupted',
    audible: { cycle: 0, interruptible: 'any' },
    interrupt: { cycle: 0, utteranceUntilInterrupt: "It's ", durationUntilInterruptMs: 10 },
    frames: [i.index, p.index],
  });
  const answer = answerLlm(record);
  answer.outcome = 'client-closed';
  record.llm.requests.push(
    llmRequest({
      seq: 2,
      at: 1120,
      messages: [
        { role: 'system', content: 'You are the clinic receptionist.' },
        { role: 'user', content: PROMPT },
        { role: 'assistant', content: heard },
        { role: 'user', content: 'Sorry?' },
      ],
      firstTokenMs: 30,
      tokens: ['Tuesday.'],
    }),
  );
  call.llmRequestSeqs.push(2);
  addFrame(call, 'in', 1160, { type: 'text', token: 'Tuesday.', last: false });
  addFrame(call, 'in', 1165, { type: 'text', token: '', last: true });
  relay.talkCycles.push({ index: 1, kind: 'text', tokens: [{ token: 'Tuesday.', at: 1160, last: false }, { token: '', at: 1165, last: true }], text: 'Tuesday.', lastReceived: true, status: 'played', spokenText: 'Tuesday.', playedMs: 100 });
}

/** A key press `1` at 1500 ms, and LLM #2 whose last user message is `userText`. */
function pressed(record: MutableRecord, userText: string): void {
  const call = call0(record);
  addFrame(call, 'out', 1500, { type: 'dtmf', digit: '1' });
  record.llm.requests.push(
    llmRequest({
      seq: 2,
      at: 1505,
      messages: [
        { role: 'user', content: PROMPT },
        { role: 'assistant', content: ANSWER_TOKENS.join('') },
        { role: 'user', content: userText },
      ],
      firstTokenMs: 20,
      tokens: ['Done.'],
    }),
  );
  call.llmRequestSeqs.push(2);
}

/** A partial prompt at 900 ms, and optionally an LLM request for it. */
function partial(record: MutableRecord, withTurn: boolean): void {
  const call = call0(record);
  addFrame(call, 'out', 900, { type: 'prompt', voicePrompt: 'When is', lang: 'en-US', last: false });
  if (withTurn) {
    record.llm.requests.push(llmRequest({ seq: 9, at: 905, messages: [{ role: 'user', content: 'When is' }], firstTokenMs: 10, tokens: ['Hm?'] }));
    call.llmRequestSeqs.unshift(9);
  }
}

/** An attempt before or after the built one. */
function attempt(record: MutableRecord, change: Partial<MutableRecord['coval']['attempts'][number]>): void {
  const base = record.coval.attempts[0];
  if (!base) return;
  record.coval.attempts.push({ ...base, ...change });
  record.coval.attempts.sort((a, b) => a.seq - b.seq);
}

/** The export first gets 503 (Retry-After 1 s from the fault plan) and is retried `gapMs` after that answer. */
export function retriedAfter503(record: MutableRecord, gapMs: number, accepted = true): void {
  record.scenario.coval.faults = [{ kind: 'status', status: 503, retryAfterS: 1, delayMs: 0 }];
  const first = record.coval.attempts[0];
  const batch = record.coval.batches[0];
  if (!first || !batch) return;
  const firstAt = first.receivedAtMs;
  record.coval.attempts = [
    { ...first, seq: 1, status: 503, outcome: 'fault-status', reason: 'fault plan (global) step 0: 503' },
    ...(accepted ? [{ ...first, seq: 2, receivedAtMs: firstAt + gapMs }] : []),
  ];
  if (accepted) {
    batch.seq = 2;
    batch.receivedAtMs = firstAt + gapMs;
  } else {
    record.coval.batches = [];
  }
}

function probe(record: MutableRecord, kind: ProbeKind): void {
  const p = record.probes?.results.find((r) => r.kind === kind);
  if (p) p.result = 'accepted';
}

/** LLM #1 fails with HTTP 500; the agent apologises; the llm span is ERROR unless `okSpan`. */
export function llmFailedAndApologised(record: MutableRecord, okSpan = false): void {
  const r = answerLlm(record);
  Object.assign(r, { status: 500, outcome: 'http-error', chunks: [], firstChunkAtMs: null, firstTokenAtMs: null, endedAtMs: 1010, reply: null });
  const llm = spanNamed(record, 'llm');
  llm.attributes = {};
  if (!okSpan) llm.status = { code: 2, message: 'LLM request failed: 500' };
}

/** Every check's passing and violating example. */
export const CASES: Readonly<Record<string, CheckCase>> = {
  'COR-REGISTRATION-ACCEPTED': {
    pass: keep,
    violate: (r) => registration(r, {}, 500),
  },
  'COR-WRONG-KEY-REFUSED': {
    pass: (r) => {
      registration(r, { apiKey: 'wrong' }, 401);
      noExport(r);
    },
    violate: (r) => registration(r, { apiKey: 'wrong' }, 401),
  },
  'COR-MISSING-ID-REFUSED': {
    pass: (r) => {
      registration(r, { omitSimulationId: true }, 400);
      noExport(r);
    },
    violate: (r) => registration(r, { omitSimulationId: true }, 200),
  },
  'COR-OWN-SIMULATION-ID': {
    pass: keep,
    violate: (r) => {
      addCall(r);
      const [a, b] = r.coval.batches;
      const [x, y] = r.coval.attempts;
      if (a && b && x && y) {
        [a.simulationId, b.simulationId] = [b.simulationId, a.simulationId];
        [x.simulationId, y.simulationId] = [y.simulationId, x.simulationId];
      }
    },
  },
  'COR-UNREGISTERED-NO-EXPORT': {
    pass: (r) => {
      registration(r, { payload: 'none' }, 200);
      call0(r).registration.dials = [];
      noExport(r);
    },
    violate: (r) => {
      registration(r, { payload: 'none' }, 200);
      call0(r).registration.dials = [];
    },
  },
  'COR-EXPIRED-NOT-USED': {
    pass: (r) => {
      agedRegistration(r, 2000);
      noExport(r);
    },
    violate: (r) => agedRegistration(r, 2000),
  },
  'COR-DUPLICATE-SINGLE-CLAIM': {
    pass: (r) => {
      const reg = call0(r).registration;
      reg.repeat = 2;
      reg.dials.push({ ...(reg.dials[0] as (typeof reg.dials)[number]) });
    },
    violate: (r) => {
      const reg = call0(r).registration;
      reg.repeat = 2;
      reg.dials.push({ ...(reg.dials[0] as (typeof reg.dials)[number]) });
      secondCallUnderFirstId(r);
    },
  },
  'COR-NO-ID-REUSE': {
    pass: (r) => addCall(r),
    violate: secondCallUnderFirstId,
  },
  'CR-TWIML-VALID': {
    pass: keep,
    violate: (r) => {
      const webhook = call0(r).webhook;
      if (webhook) webhook.twiml = { relay: { url: 'ws://agent.example/relay' } };
    },
  },
  'CR-RELAY-REACHABLE': {
    pass: keep,
    violate: (r) => {
      const relay = call0(r).relay;
      if (relay) relay.connect = { status: 'failed', at: 205, reason: 'Unexpected server response: 403', httpStatus: 403 };
    },
  },
  'CR-FRAMES-VALID': {
    pass: keep,
    violate: (r) => {
      const call = call0(r);
      const f = addFrame(call, 'in', 1130, undefined, 'oops');
      call.relay?.protocolErrors.push({ frameIndex: f.index, at: 1130, reason: 'the frame is not valid JSON', description: 'Invalid message received: oops', consecutive: 1 });
    },
  },
  'CR-TOKENS-UNTRIMMED': {
    pass: keep,
    violate: (r) => {
      const f = call0(r).relay?.frames[2];
      if (f) f.parsed = { type: 'text', token: "It's", last: false };
    },
  },
  'CR-CYCLE-ENDS-LAST': {
    pass: keep,
    violate: (r) => {
      const call = call0(r);
      const relay = call.relay;
      if (!relay) return;
      relay.frames = relay.frames.filter((f) => f.index !== 4);
      const cycle = relay.talkCycles[0];
      if (cycle) {
        cycle.lastReceived = false;
        cycle.status = 'waiting-for-tokens';
        cycle.tokens = cycle.tokens.filter((t) => !t.last);
      }
      const wait = call.steps[1];
      if (wait) wait.outcome = 'timeout';
    },
  },
  'CR-ANSWERS-PROMPT': {
    pass: keep,
    violate: (r) => {
      for (const f of call0(r).relay?.frames ?? []) if (f.dir === 'in') f.at += 6000;
      const relay = call0(r).relay;
      if (relay?.end) relay.end.at = 9000;
    },
  },
  'CR-INTERRUPT-STOPS': {
    pass: (r) => interrupted(r, "It's "),
    violate: (r) => {
      interrupted(r, "It's ");
      addFrame(call0(r), 'in', 1400, { type: 'text', token: 'on Wednesday.', last: false });
    },
  },
  'CR-INTERRUPT-HISTORY': {
    pass: (r) => interrupted(r, "It's "),
    violate: (r) => interrupted(r, "It's on Wednesday."),
  },
  'CR-PARTIAL-NO-TURN': {
    pass: (r) => partial(r, false),
    violate: (r) => partial(r, true),
  },
  'CR-DTMF-HANDLED': {
    pass: (r) => pressed(r, 'The caller pressed 1'),
    violate: (r) => pressed(r, 'The caller pressed a key'),
  },
  'CR-END-HANDOFF-STRING': {
    pass: (r) => addFrame(call0(r), 'in', 1130, { type: 'end', handoffData: '{"reason":"nurse"}' }),
    violate: (r) => addFrame(call0(r), 'in', 1130, { type: 'end', handoffData: { reason: 'nurse' } }),
  },
  'CR-NO-SPEECH-BEFORE-CALLER': {
    pass: (r) => {
      r.scenario.expect.checks = ['CR-NO-SPEECH-BEFORE-CALLER'];
    },
    violate: (r) => {
      r.scenario.expect.checks = ['CR-NO-SPEECH-BEFORE-CALLER'];
      addFrame(call0(r), 'in', 500, { type: 'text', token: 'Hello!', last: true });
    },
  },
  'OTLP-DECODES': {
    pass: keep,
    violate: (r) => attempt(r, { seq: 0, status: 400, outcome: 'rejected', rule: 'OTLP-DECODE', reason: 'body is not JSON', bodyBytes: 17 }),
  },
  'OTLP-HEADERS': {
    pass: keep,
    violate: (r) => {
      const b = r.coval.batches[0];
      if (b) delete b.headers['x-api-key'];
    },
  },
  'OTLP-IDS': {
    pass: keep,
    violate: (r) => attempt(r, { seq: 0, status: 400, outcome: 'rejected', rule: 'OTLP-ID-BASE64', reason: 'spanId is base64', bodyBytes: 17 }),
  },
  'OTLP-TIMES': {
    pass: keep,
    violate: (r) => r.coval.batches[0]?.findings.push({ severity: 'error', rule: 'OTLP-SPAN-TIME-ORDER', message: 'tts ends before it starts', location: { span: 4, spanId: spanNamed(r, 'tts').spanId, spanName: 'tts' } }),
  },
  'OTLP-ATTRIBUTE-TYPES': {
    pass: keep,
    violate: (r) => r.coval.batches[0]?.findings.push({ severity: 'error', rule: 'OTLP-ATTR-DUPLICATE', message: 'key metrics.ttfb twice', location: { span: 3, spanId: spanNamed(r, 'llm').spanId, attribute: 'metrics.ttfb' } }),
  },
  'OTLP-ONE-TRACE': {
    pass: keep,
    violate: (r) => {
      spanNamed(r, 'tts').traceId = 'c'.repeat(32);
    },
  },
  'OTLP-PARENTS-RESOLVE': {
    pass: keep,
    violate: (r) => {
      spanNamed(r, 'tts').parentSpanId = 'f'.repeat(16);
    },
  },
  'OTLP-NO-DUPLICATE-BATCH': {
    pass: keep,
    violate: (r) => {
      const b = r.coval.batches[0];
      if (!b) return;
      r.coval.batches.push({ ...b, seq: 2, index: 1, receivedAtMs: b.receivedAtMs + 1000, spans: b.spans.map((s) => ({ ...s })) });
      attempt(r, { seq: 2, receivedAtMs: b.receivedAtMs + 1000 });
    },
  },
  'OTLP-RETRY-ONLY-RETRYABLE': {
    pass: (r) => retriedAfter503(r, 1100),
    violate: (r) => {
      const first = r.coval.attempts[0];
      if (!first) return;
      r.coval.attempts.unshift({ ...first, seq: 0, receivedAtMs: first.receivedAtMs - 1000, status: 400, outcome: 'fault-status', reason: 'fault plan (global) step 0: 400' });
    },
  },
  'OTLP-RETRY-AFTER': {
    pass: (r) => retriedAfter503(r, 1100),
    violate: (r) => retriedAfter503(r, 400),
  },
  'OTLP-RETRIES-RETRYABLE': {
    pass: (r) => retriedAfter503(r, 1100),
    violate: (r) => retriedAfter503(r, 1100, false),
  },
  'SPAN-ROOT': {
    pass: keep,
    violate: (r) => {
      spanNamed(r, 'conversation').attributes['call.duration_seconds'] = dbl(5);
    },
  },
  'SPAN-STT-PER-PROMPT': {
    pass: keep,
    violate: (r) => {
      spanNamed(r, 'stt').attributes['stt.transcription'] = str('When is my appointment');
    },
  },
  'SPAN-STT-PROVIDER': {
    pass: keep,
    violate: (r) => {
      const b = r.coval.batches[0];
      if (b) b.spans = b.spans.filter((s) => s.name !== 'stt.provider.twilio');
    },
  },
  'SPAN-LLM-PER-TURN': {
    pass: keep,
    violate: (r) => {
      const b = r.coval.batches[0];
      if (b) b.spans = b.spans.filter((s) => s.name !== 'llm');
    },
  },
  'SPAN-LLM-TTFB-REAL': {
    pass: keep,
    violate: (r) => {
      spanNamed(r, 'llm').attributes['metrics.ttfb'] = dbl(0.01);
    },
  },
  'SPAN-LLM-FINISH-REASON': {
    pass: keep,
    violate: (r) => {
      spanNamed(r, 'llm').attributes['llm.finish_reason'] = str('length');
    },
  },
  'SPAN-SYNTHETIC-CONSTANTS': {
    pass: keep,
    violate: (r) => {
      spanNamed(r, 'stt').attributes['stt.confidence'] = dbl(0.9);
    },
  },
  'SPAN-TOOL-PAIRS': {
    pass: (r) => addToolRound(r),
    violate: (r) => {
      addToolRound(r);
      spanNamed(r, 'tool_call').attributes['tool.arguments'] = str('{"patient":"you"}');
    },
  },
  'SPAN-CHILDREN-IN-ROOT': {
    pass: keep,
    violate: (r) => {
      spanNamed(r, 'tts').endNs = ns(2500);
    },
  },
  'SEC-WEBHOOK-SIGNATURE': { pass: keep, violate: (r) => probe(r, 'webhook-unsigned') },
  'SEC-HANDSHAKE-SIGNATURE': { pass: keep, violate: (r) => probe(r, 'handshake-wrong-signature') },
  'SEC-REGISTRATION-KEY': { pass: keep, violate: (r) => probe(r, 'registration-missing-key') },
  'ROB-SURVIVES-BAD-FRAMES': {
    pass: (r) => {
      const call = call0(r);
      const f = addFrame(call, 'out', 500, undefined, 'not json');
      call.relay?.callerActions.unshift({ kind: 'sendRaw', at: 500, outcome: 'delivered', frames: [f.index] });
    },
    violate: (r) => {
      const call = call0(r);
      const f = addFrame(call, 'out', 500, undefined, 'not json');
      call.relay?.callerActions.unshift({ kind: 'sendRaw', at: 500, outcome: 'delivered', frames: [f.index] });
      const relay = call.relay;
      if (relay) {
        relay.frames = relay.frames.filter((x) => x.dir !== 'in');
        relay.end = { status: 'failed', cause: 'agent-close', at: 600, durationSeconds: 0.4, errorCode: '64105', close: { code: 1011, reason: 'internal error', at: 600, initiatedBy: 'agent', wasOpen: true } };
      }
    },
  },
  'ROB-LLM-ERROR-SPOKEN': {
    pass: (r) => llmFailedAndApologised(r),
    violate: (r) => llmFailedAndApologised(r, true),
  },
  'ROB-COVAL-OUTAGE': {
    pass: (r) => retriedAfter503(r, 1100),
    violate: (r) => retriedAfter503(r, 1100, false),
  },
  'ROB-NEXT-CALL-WORKS': {
    pass: keep,
    violate: (r) => {
      if (r.probes) r.probes.healthAfter = { status: null, detail: 'connection refused' };
    },
  },
  'INFO-COVAL-METRICS': {
    pass: keep,
    violate: { neverViolated: 'an INFO check reports which metrics are fed; it has no failing state' },
  },
};
