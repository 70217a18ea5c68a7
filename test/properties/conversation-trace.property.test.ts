import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSeededIds } from '../../agent/platform/ids.ts';
import { createSeededRandom } from '../../agent/platform/random.ts';
import type { OutboundFrame } from '../../agent/relay/outbound-frames.ts';
import type { CallLog } from '../../agent/session/call-log.ts';
import type { OtlpAnyValue, OtlpExportTraceRequest, OtlpSpan } from '../../agent/tracing/otlp-json.ts';
import { toOtlpJson } from '../../agent/tracing/otlp-json.ts';
import { buildCallSpans } from '../../agent/tracing/span-builder.ts';
import { LAB_RESULTS_UNAVAILABLE } from '../../agent/tools/healthcare-tools.ts';
import { createHarness, frames, SYSTEM_PROMPT, type Harness } from '../agent/session/session-harness.ts';
import { conversationPlanArb, expectConversation, type ConversationPlan, type ExpectedConversation, type ExpectedTurn } from '../support/conversation-plans.ts';
import { fcOptions } from '../support/fc-config.ts';

/*
 * Generated conversations driven through the real relay session on a manual clock, closed,
 * turned into spans and OTLP/JSON: the trace is well-formed, its real metrics equal what the
 * script injected, and interrupts leave exactly the heard text in the history and the log.
 * Expected values come from the plan (test/support/conversation-plans.ts), never from the output.
 */

const DOUBLE_KEYS = new Set(['metrics.ttfb', 'stt.confidence', 'call.duration_seconds']);

/** What one driven call left behind. */
interface Observed {
  readonly harness: Harness;
  readonly log: CallLog;
  readonly spans: readonly OtlpSpan[];
  readonly callDurationMs: number;
  /** Per interrupted turn: how many LLM requests existed when the interrupt was fed. */
  readonly requestsAtInterrupt: ReadonlyMap<number, number>;
  /** The frames sent while each turn was the latest. */
  readonly turnFrames: readonly (readonly OutboundFrame[])[];
}

async function settle(h: Harness): Promise<void> {
  await h.clock.runAllAsync();
  await h.session.whenIdle();
}

/** Steps the clock one timer at a time until the turn's reply has sent `count` text tokens. */
async function runUntilTokensSent(h: Harness, sentBefore: number, count: number): Promise<void> {
  const tokensSent = () => h.sent.slice(sentBefore).filter((f) => f.type === 'text' && !f.last).length;
  for (let steps = 0; tokensSent() < count; steps++) {
    await h.clock.advanceAsync(0);
    const due = h.clock.nextDueAt();
    if (due === undefined || steps > 1000) throw new Error(`the reply stalled after ${tokensSent()} of ${count} tokens (sent: ${JSON.stringify(h.sent.slice(sentBefore))})`);
    await h.clock.advanceAsync(due - h.clock.now());
  }
  // Every script delay is >= 1 ms, so no step can release two tokens at once.
  expect(tokensSent()).toBe(count);
}

async function drive(plan: ConversationPlan, expected: ExpectedConversation): Promise<Observed> {
  const h = createHarness({ responses: expected.script });
  const requestsAtInterrupt = new Map<number, number>();
  const turnFrames: OutboundFrame[][] = [];
  const startedAtMs = h.clock.epochMs();
  h.feed(frames.setup());
  await settle(h);
  for (const [i, turn] of expected.turns.entries()) {
    const sentBefore = h.sent.length;
    const input = turn.plan.input;
    h.feed(input.kind === 'prompt' ? frames.prompt(input.text) : frames.dtmf(input.digit));
    const cut = turn.plan.interrupt;
    if (cut === undefined) {
      await settle(h);
    } else {
      await runUntilTokensSent(h, sentBefore, cut.afterTokens);
      const sentAtInterrupt = h.sent.length;
      requestsAtInterrupt.set(i, h.llm.requests.length);
      h.feed(frames.interrupt(turn.utterance ?? '', cut.durationMs));
      await settle(h);
      expect(h.sent.slice(sentAtInterrupt), `turn ${i}: a frame of the interrupted reply went out after the interrupt`).toEqual([]);
      const line = h.logs.findLast((l) => l.msg === 'caller interrupted');
      expect(line?.fields).toMatchObject({ durationUntilInterruptMs: cut.durationMs, heardChars: (turn.utterance ?? '').length });
    }
    await h.clock.advanceAsync(turn.plan.pauseAfterMs);
    turnFrames.push(h.sent.slice(sentBefore));
  }
  await h.clock.advanceAsync(plan.tailMs);
  const callDurationMs = h.clock.epochMs() - startedAtMs;
  const log = await h.session.close();
  const records = buildCallSpans(log, createSeededIds(createSeededRandom(plan.idSeed)));
  const wire = JSON.parse(JSON.stringify(toOtlpJson(records, { serviceName: 'relaysim-agent' }))) as OtlpExportTraceRequest;
  expect(wire.resourceSpans).toHaveLength(1);
  expect(wire.resourceSpans[0].scopeSpans).toHaveLength(1);
  return { harness: h, log, spans: wire.resourceSpans[0].scopeSpans[0].spans, callDurationMs, requestsAtInterrupt, turnFrames };
}

function attr(span: OtlpSpan, key: string): OtlpAnyValue | undefined {
  return span.attributes.find((a) => a.key === key)?.value;
}

function double(span: OtlpSpan, key: string): number | undefined {
  const v = attr(span, key);
  return v && 'doubleValue' in v ? v.doubleValue : undefined;
}

/** The OTLP schema Coval ingests (otlp-coval.md §2) and the tree shape of docs/agent-tracing.md. */
function checkSchema(spans: readonly OtlpSpan[]): void {
  const traceIds = new Set(spans.map((s) => s.traceId));
  expect(traceIds.size).toBe(1);
  const [traceId] = traceIds;
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(traceId).not.toMatch(/^0+$/);
  const spanIds = spans.map((s) => s.spanId);
  expect(new Set(spanIds).size, 'span ids are unique').toBe(spanIds.length);
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const roots = spans.filter((s) => s.parentSpanId === undefined || s.parentSpanId === '');
  expect(roots.map((r) => r.name)).toEqual(['conversation']);
  const root = roots[0]!;
  const start = (s: OtlpSpan) => BigInt(s.startTimeUnixNano);
  const end = (s: OtlpSpan) => BigInt(s.endTimeUnixNano);
  for (const span of spans) {
    const where = `${span.name} ${span.spanId}`;
    expect(span.spanId, where).toMatch(/^[0-9a-f]{16}$/);
    expect(span.spanId, where).not.toMatch(/^0+$/);
    expect(Number.isInteger(span.kind), `${where}: kind is an integer`).toBe(true);
    expect(Number.isInteger(span.status.code) && [0, 1, 2].includes(span.status.code), `${where}: status code`).toBe(true);
    expect(span.startTimeUnixNano, where).toMatch(/^\d+$/);
    expect(span.endTimeUnixNano, where).toMatch(/^\d+$/);
    expect(start(span) <= end(span), `${where} ends before it starts`).toBe(true);
    for (const { key, value } of span.attributes) {
      if (DOUBLE_KEYS.has(key)) expect(Object.keys(value), `${where}: ${key} is a double`).toEqual(['doubleValue']);
    }
    if (span === root) continue;
    const parent = byId.get(span.parentSpanId ?? '');
    expect(parent, `${where}: parent ${span.parentSpanId} resolves`).toBeDefined();
    expect(parent!.name, `${where}: parent`).toBe(span.name === 'stt.provider.twilio' ? 'stt' : 'conversation');
    expect(start(span) >= start(root) && end(span) <= end(root), `${where} lies within the root`).toBe(true);
    expect(start(span) >= start(parent!) && end(span) <= end(parent!), `${where} lies within its parent`).toBe(true);
  }
}

/** Names and values of the child spans, walked in log order against the plan. */
function checkAgainstPlan(expected: ExpectedConversation, observed: Observed): void {
  const [root, ...children] = observed.spans;
  expect(root?.name).toBe('conversation');
  expect(double(root!, 'call.duration_seconds')).toBe(observed.callDurationMs / 1000);
  const names: string[] = [];
  let next = 0;
  const take = (name: string): OtlpSpan => {
    names.push(name);
    const span = children[next++];
    expect(span?.name, `span #${next} (expected so far: ${names.join(', ')})`).toBe(name);
    return span!;
  };
  expected.turns.forEach((turn, t) => {
    if (turn.plan.input.kind === 'dtmf') {
      expect(attr(take('dtmf'), 'dtmf.text')).toEqual({ stringValue: turn.userText });
    } else {
      const stt = take('stt');
      const provider = take('stt.provider.twilio');
      expect(attr(stt, 'stt.transcription')).toEqual({ stringValue: turn.userText });
      expect(double(stt, 'stt.confidence')).toBe(0.95);
      expect(double(provider, 'stt.confidence')).toBe(0.95);
    }
    turn.rounds.forEach((round, r) => {
      const llm = take('llm');
      const where = `turn ${t} round ${r}`;
      // Time only moves through the script's sleeps, so TTFB is the injected first-delta delay,
      // measured from the prompt on the first round and from the last tool result after that.
      if (round.gotFirstDelta) expect(double(llm, 'metrics.ttfb'), `${where}: llm ttfb`).toBe(round.plan.firstDeltaDelayMs / 1000);
      else expect(attr(llm, 'metrics.ttfb'), `${where}: no delta, no ttfb`).toBeUndefined();
      if (round.completed) {
        expect(attr(llm, 'llm.finish_reason')).toEqual({ stringValue: round.toolCalls.length > 0 ? 'tool_calls' : 'stop' });
        expect(attr(llm, 'gen_ai.usage.output_tokens')).toEqual({ intValue: String(round.plan.usage.outputTokens) });
      } else {
        expect(attr(llm, 'llm.finish_reason')).toBeUndefined();
      }
      expect(llm.status).toEqual({ code: 1 });
      if (round.sentTokens.length > 0) expect(double(take('tts'), 'metrics.ttfb'), `${where}: tts ttfb`).toBe(0.1);
      if (!round.completed) return;
      for (const call of round.toolCalls) {
        const failing = call.name === 'get_lab_results';
        const span = take('tool_call');
        expect(attr(span, 'tool.call_id')).toEqual({ stringValue: call.id });
        expect(attr(span, 'tool.error')).toEqual({ intValue: failing ? '1' : '0' });
        const result = take('tool_call_result');
        expect(attr(result, 'tool.call_id')).toEqual({ stringValue: call.id });
        if (failing) expect(result.status).toEqual({ code: 2, message: LAB_RESULTS_UNAVAILABLE });
        else expect(result.status).toEqual({ code: 1 });
      }
    });
  });
  expect(next, `no spans beyond ${names.join(', ')}`).toBe(children.length);
}

/** The CallLog holds every turn, with the heard text on interrupted replies. */
function checkCallLog(expected: ExpectedConversation, log: CallLog): void {
  const events = expected.turns.flatMap((turn) => [
    { kind: 'user', source: turn.plan.input.kind === 'dtmf' ? 'dtmf' : 'speech', text: turn.userText },
    ...turn.rounds.flatMap((round) => [
      { kind: 'assistant', text: round.heard },
      ...(round.completed ? round.toolCalls.map((call) => ({ kind: 'tool', callId: call.id, name: call.name, arguments: call.arguments })) : []),
    ]),
  ]);
  expect(log.events).toMatchObject(events);
  for (const event of log.events) {
    if (event.kind === 'tool') expect(event.error).toBe(event.name === 'get_lab_results' ? LAB_RESULTS_UNAVAILABLE : undefined);
  }
}

/** After an interrupt, the next request and the log carry exactly what the caller heard. */
function checkInterrupts(expected: ExpectedConversation, observed: Observed): void {
  const { llm } = observed.harness;
  const assistantTurns = observed.log.events.filter((e) => e.kind === 'assistant');
  let firstRound = 0;
  expected.turns.forEach((turn: ExpectedTurn, t) => {
    const ofCycle = assistantTurns.slice(firstRound, firstRound + turn.rounds.length);
    firstRound += turn.rounds.length;
    if (turn.utterance === undefined) return;
    expect(ofCycle.map((a) => a.text).join(''), `turn ${t}: CallLog text of the interrupted reply`).toBe(turn.utterance);
    const nextRequest = llm.requests[observed.requestsAtInterrupt.get(t) ?? -1];
    if (nextRequest === undefined) {
      expect(t, 'only the last turn has no request after its interrupt').toBe(expected.turns.length - 1);
      return;
    }
    // Its history: the interrupted cycle sits between the t-th and the (t+1)-th user message.
    const users = nextRequest.messages.flatMap((m, i) => (m.role === 'user' ? [i] : []));
    const cycle = nextRequest.messages.slice((users[t] ?? -1) + 1, users[t + 1]);
    const spoken = cycle.flatMap((m) => (m.role === 'assistant' ? [m.content] : []));
    expect(spoken.join(''), `turn ${t}: the assistant message(s) of the interrupted reply in the next request`).toBe(turn.utterance);
  });
}

/** Frames per turn as predicted; a reply that was not cut ends with its one `last:true`. */
function checkTalkCycles(expected: ExpectedConversation, observed: Observed): void {
  expected.turns.forEach((turn, t) => {
    const sent = observed.turnFrames[t] ?? [];
    expect(sent, `turn ${t}: frames sent`).toEqual(turn.frames);
    const lasts = sent.filter((f) => f.type === 'text' && f.last);
    if (turn.plan.interrupt === undefined) {
      expect(lasts, `turn ${t}: one last:true`).toHaveLength(1);
      expect(sent.at(-1), `turn ${t}: last:true closes the cycle`).toBe(lasts[0]);
    } else {
      expect(lasts.length, `turn ${t}: an interrupted reply closes at most once`).toBeLessThanOrEqual(1);
    }
  });
}

describe('conversation trace (property)', () => {
  it('a generated call through the real session exports a well-formed trace with the injected timings and the heard text', async () => {
    await fc.assert(
      fc.asyncProperty(conversationPlanArb, async (plan) => {
        const expected = expectConversation(plan, SYSTEM_PROMPT);
        const observed = await drive(plan, expected);
        checkTalkCycles(expected, observed);
        checkInterrupts(expected, observed);
        expect(observed.harness.llm.requests.map((r) => r.messages), 'the history of every LLM request').toEqual(expected.requests);
        expect(observed.harness.llm.remaining, 'every scripted completion was requested').toBe(0);
        checkCallLog(expected, observed.log);
        checkSchema(observed.spans);
        checkAgainstPlan(expected, observed);
      }),
      fcOptions({ numRuns: 100 }, 'conversation trace'),
    );
  });
});
