import { describe, expect, it } from 'vitest';
import { callsTool, spoken } from '../../../agent/llm/scripted-llm-client.ts';
import { APOLOGY_TEXT, TOOL_LIMIT_TEXT } from '../../../agent/session/relay-session.ts';
import { CANNED_APPOINTMENT, LAB_RESULTS_UNAVAILABLE } from '../../../agent/tools/healthcare-tools.ts';
import { createHarness, frames } from './session-harness.ts';

const T0 = Date.UTC(2026, 0, 1);

describe('relay session: the agentic tool loop', () => {
  it('runs a streamed tool call, feeds the result back and speaks the answer in one talk cycle', async () => {
    const h = createHarness({
      responses: [
        [{ type: 'sleep', ms: 200 }, ...callsTool('call_a', 'lookup_appointment', '{"patient_name":"Ana Li"}')],
        [{ type: 'sleep', ms: 300 }, ...spoken('It is on ', 'Wednesday.')],
      ],
    });
    h.feed(frames.setup());
    h.feed(frames.prompt('When is my appointment?'));
    await h.clock.advanceAsync(1000);
    await h.session.whenIdle();
    expect(h.tokens()).toEqual(['It is on ', 'Wednesday.', '']);
    expect(h.lastCount()).toBe(1);
    expect(h.llm.requests[1]?.messages.slice(2)).toEqual([
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_a', name: 'lookup_appointment', arguments: '{"patient_name":"Ana Li"}' }] },
      { role: 'tool', toolCallId: 'call_a', content: JSON.stringify(CANNED_APPOINTMENT) },
    ]);
    const log = await h.session.close();
    expect(log.events).toEqual([
      expect.objectContaining({ kind: 'user' }),
      {
        kind: 'assistant',
        requestedAtMs: T0,
        firstDeltaAtMs: T0 + 200,
        endedAtMs: T0 + 200,
        text: '',
        finishReason: 'tool_calls',
        interrupted: false,
      },
      {
        kind: 'tool',
        callId: 'call_a',
        name: 'lookup_appointment',
        arguments: '{"patient_name":"Ana Li"}',
        startedAtMs: T0 + 200,
        endedAtMs: T0 + 200,
        result: JSON.stringify(CANNED_APPOINTMENT),
      },
      expect.objectContaining({ kind: 'assistant', requestedAtMs: T0 + 200, firstTokenSentAtMs: T0 + 500, text: 'It is on Wednesday.', finishReason: 'stop' }),
    ]);
  });

  it('reports the always-failing lab tool to the model and records the error', async () => {
    const h = createHarness({
      responses: [callsTool('call_lab', 'get_lab_results', '{}'), spoken('Sorry, lab results are unavailable right now.')],
    });
    h.feed(frames.setup());
    h.feed(frames.prompt('My lab results please'));
    await h.session.whenIdle();
    const toolMessage = h.llm.requests[1]?.messages.at(-1);
    expect(toolMessage).toEqual({ role: 'tool', toolCallId: 'call_lab', content: JSON.stringify({ error: LAB_RESULTS_UNAVAILABLE }) });
    const log = await h.session.close();
    expect(log.events.find((e) => e.kind === 'tool')).toMatchObject({ name: 'get_lab_results', error: LAB_RESULTS_UNAVAILABLE });
    expect(h.tokens()).toEqual(['Sorry, lab results are unavailable right now.', '']);
  });

  it('runs several tool calls of one completion in index order, with unknown tools and bad arguments as errors', async () => {
    const h = createHarness({
      responses: [
        [
          { type: 'tool-call', index: 1, id: 'call_2', name: 'no_such_tool', arguments: '{}' },
          { type: 'tool-call', index: 0, id: 'call_1', name: 'check_prescription_status', arguments: '{"medication_name":' },
          { type: 'tool-call', index: 0, arguments: '"amoxicillin"}' },
          { type: 'tool-call', index: 2, name: 'reschedule_appointment', arguments: '{not json' },
          { type: 'finish', reason: 'tool_calls' },
        ],
        spoken('Done.'),
      ],
    });
    h.feed(frames.setup());
    h.feed(frames.prompt('Several things'));
    await h.session.whenIdle();
    const log = await h.session.close();
    const tools = log.events.filter((e) => e.kind === 'tool');
    expect(tools.map((t) => [t.callId, t.name, t.error === undefined])).toEqual([
      ['call_1', 'check_prescription_status', true],
      ['call_2', 'no_such_tool', false],
      ['call_1_0_2', 'reschedule_appointment', false],
    ]);
    expect(h.llm.requests[1]?.messages.filter((m) => m.role === 'tool').map((m) => m.toolCallId)).toEqual(['call_1', 'call_2', 'call_1_0_2']);
  });

  it('stops at the tool-round bound with a short sentence, one last:true and an error turn', async () => {
    const h = createHarness({
      maxToolIterations: 2,
      responses: [
        callsTool('c1', 'lookup_appointment', '{}'),
        callsTool('c2', 'lookup_appointment', '{}'),
        callsTool('c3', 'lookup_appointment', '{}'),
        spoken('never requested'),
      ],
    });
    h.feed(frames.setup());
    h.feed(frames.prompt('loop forever'));
    await h.session.whenIdle();
    expect(h.llm.requests).toHaveLength(3);
    expect(h.llm.remaining).toBe(1);
    expect(h.tokens()).toEqual([TOOL_LIMIT_TEXT, '']);
    const log = await h.session.close();
    expect(log.events.filter((e) => e.kind === 'tool').map((e) => e.callId)).toEqual(['c1', 'c2']);
    expect(log.events.at(-1)).toMatchObject({ kind: 'assistant', text: TOOL_LIMIT_TEXT, error: expect.stringMatching(/tool-round limit/) });
  });

  it('with a bound of zero, any tool request ends in the short sentence', async () => {
    const h = createHarness({ maxToolIterations: 0, responses: [callsTool('c1', 'lookup_appointment', '{}')] });
    h.feed(frames.setup());
    h.feed(frames.prompt('x'));
    await h.session.whenIdle();
    expect(h.tokens()).toEqual([TOOL_LIMIT_TEXT, '']);
  });

  it('end_call: the goodbye, then last:true, then end with string handoffData, and nothing after', async () => {
    const h = createHarness({
      responses: [
        [{ type: 'content', text: 'Goodbye!' }, ...callsTool('call_end', 'end_call', '{"reason":"caller said goodbye","summary":"checked visit"}')],
        spoken('should never be asked for'),
      ],
    });
    let ended = false;
    void h.session.ended.then(() => {
      ended = true;
    });
    h.feed(frames.setup());
    h.feed(frames.prompt('Thanks, bye'));
    await h.session.whenIdle();
    expect(h.sent).toEqual([
      { type: 'text', token: 'Goodbye!', last: false },
      { type: 'text', token: '', last: true },
      { type: 'end', handoffData: expect.any(String) },
    ]);
    const end = h.sent.at(-1);
    const handoff = end?.type === 'end' ? JSON.parse(end.handoffData ?? '') : undefined;
    expect(handoff).toEqual({ reasonCode: 'agent-ended-call', reason: 'caller said goodbye', summary: 'checked visit' });
    expect(h.ends).toEqual([end?.type === 'end' ? end.handoffData : '']);
    expect(ended).toBe(true);
    expect(h.session.state).toBe('ended');
    expect(h.llm.requests).toHaveLength(1);

    h.feed(frames.prompt('Wait, one more thing'));
    h.feed(frames.interrupt('Good'));
    await h.session.whenIdle();
    expect(h.sent).toHaveLength(3);
    expect(h.llm.requests).toHaveLength(1);
    const log = await h.session.close();
    expect(log.events.find((e) => e.kind === 'tool')).toMatchObject({ name: 'end_call', result: '{"ok":true,"ending":true}' });
  });

  it('an end_call with a missing reason is an error the model sees; the call goes on', async () => {
    const h = createHarness({ responses: [callsTool('c', 'end_call', '{}'), spoken('Anything else?')] });
    h.feed(frames.setup());
    h.feed(frames.prompt('bye'));
    await h.session.whenIdle();
    expect(h.sent.some((f) => f.type === 'end')).toBe(false);
    expect(h.session.state).toBe('listening');
  });
});

describe('relay session: LLM failures are never silent', () => {
  it('an HTTP-style error before any token gives a spoken apology, one last:true and an error turn', async () => {
    const failure = Object.assign(new Error('Internal server error'), { status: 500 });
    const h = createHarness({ responses: [[{ type: 'throw', error: failure }]] });
    h.feed(frames.setup());
    h.feed(frames.prompt('Hello'));
    await h.session.whenIdle();
    expect(h.tokens()).toEqual([APOLOGY_TEXT, '']);
    const log = await h.session.close();
    expect(log.events.at(-1)).toMatchObject({ kind: 'assistant', text: APOLOGY_TEXT, error: 'Error 500: Internal server error', interrupted: false, firstTokenSentAtMs: T0 });
  });

  it('a stream that breaks mid-answer appends the apology after a space', async () => {
    const h = createHarness({ responses: [[{ type: 'content', text: 'Your visit is' }, { type: 'throw', error: new TypeError('terminated') }], spoken('Sure.')] });
    h.feed(frames.setup());
    h.feed(frames.prompt('When?'));
    await h.session.whenIdle();
    expect(h.tokens()).toEqual(['Your visit is', ` ${APOLOGY_TEXT}`, '']);
    h.feed(frames.prompt('Again?'));
    await h.session.whenIdle();
    expect(h.llm.requests[1]?.messages.at(-2)).toEqual({ role: 'assistant', content: `Your visit is ${APOLOGY_TEXT}` });
    const log = await h.session.close();
    expect(log.events[1]).toMatchObject({ error: 'TypeError: terminated', text: `Your visit is ${APOLOGY_TEXT}` });
  });

  it('a stream that goes quiet past the idle timeout fails like any LLM error', async () => {
    const never = new Promise<void>(() => undefined);
    const h = createHarness({ responses: [[{ type: 'wait', until: never }]], overrides: { llmIdleTimeoutMs: 5000 } });
    h.feed(frames.setup());
    h.feed(frames.prompt('Hello?'));
    await h.clock.advanceAsync(4999);
    expect(h.sent).toEqual([]);
    await h.clock.advanceAsync(1);
    await h.session.whenIdle();
    expect(h.tokens()).toEqual([APOLOGY_TEXT, '']);
    const log = await h.session.close();
    expect(log.events.at(-1)).toMatchObject({ error: 'LLM stream produced nothing for 5000 ms', endedAtMs: T0 + 5000 });
  });

  it('the idle timeout counts from the last delta, however long the stream has run', async () => {
    const never = new Promise<void>(() => undefined);
    const h = createHarness({
      responses: [[{ type: 'sleep', ms: 3000 }, { type: 'content', text: 'One' }, { type: 'sleep', ms: 4000 }, { type: 'content', text: ' two' }, { type: 'wait', until: never }]],
      overrides: { llmIdleTimeoutMs: 5000 },
    });
    h.feed(frames.setup());
    h.feed(frames.prompt('Hello?'));
    // 7 s into the stream, but never 5 s without a delta: still streaming.
    await h.clock.advanceAsync(7000);
    expect(h.tokens()).toEqual(['One', ' two']);
    await h.clock.advanceAsync(4999);
    expect(h.tokens()).toEqual(['One', ' two']);
    await h.clock.advanceAsync(1);
    await h.session.whenIdle();
    expect(h.tokens()).toEqual(['One', ' two', ` ${APOLOGY_TEXT}`, '']);
    const log = await h.session.close();
    expect(log.events.at(-1)).toMatchObject({ error: 'LLM stream produced nothing for 5000 ms', endedAtMs: T0 + 12_000 });
  });

  it('a client that throws synchronously, or a failed second round, still apologises', async () => {
    const h = createHarness({
      llm: {
        streamChat: () => {
          throw new Error('no client');
        },
      },
    });
    h.feed(frames.setup());
    h.feed(frames.prompt('Hi'));
    await h.session.whenIdle();
    expect(h.tokens()).toEqual([APOLOGY_TEXT, '']);

    const g = createHarness({ responses: [callsTool('c', 'lookup_appointment', '{}')] });
    g.feed(frames.setup());
    g.feed(frames.prompt('Hi'));
    await g.session.whenIdle();
    expect(g.tokens()).toEqual([APOLOGY_TEXT, '']);
    const log = await g.session.close();
    expect(log.events.at(-1)).toMatchObject({ kind: 'assistant', error: expect.stringMatching(/no response left/) });
  });
});
