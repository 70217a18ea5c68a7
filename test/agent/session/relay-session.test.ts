import { describe, expect, it } from 'vitest';
import { spoken } from '../../../agent/llm/scripted-llm-client.ts';
import { createRelaySession } from '../../../agent/session/relay-session.ts';
import { CALLER, CALL_SID, SYSTEM_PROMPT, barrier, createHarness, flush, frames } from './session-harness.ts';

const T0 = Date.UTC(2026, 0, 1);

describe('relay session: setup and correlation', () => {
  it('claims the simulation id by caller id on setup and logs the claim with the callSid', async () => {
    const h = createHarness();
    expect(h.session.state).toBe('awaiting-setup');
    h.clock.advance(250);
    h.feed(frames.setup());
    await h.session.whenIdle();
    expect(h.claims).toEqual([{ from: CALLER }]);
    expect(h.session.callSid).toBe(CALL_SID);
    expect(h.session.simulationOutputId).toBe('sim-1');
    expect(h.session.state).toBe('listening');
    const claimLine = h.logs.find((l) => l.msg === 'claimed simulation id');
    expect(claimLine?.fields).toMatchObject({ callSid: CALL_SID, simulationOutputId: 'sim-1', matchedBy: 'caller-id', purged: 0, status: 'claimed' });
    h.clock.advance(1000);
    const log = await h.session.close();
    expect(log).toMatchObject({
      callSid: CALL_SID,
      sessionId: 'VX00000000000000000000000000000001',
      from: CALLER,
      to: '+15555550199',
      simulationOutputId: 'sim-1',
      correlationMethod: 'caller-id',
      startedAtMs: T0 + 250,
      endedAtMs: T0 + 1250,
      events: [],
    });
  });

  it('logs a claim that found nothing, and one that failed, and carries on', async () => {
    for (const claim of [
      async () => ({ status: 'none', purgedExpired: 2 }) as const,
      async () => {
        throw new Error('redis down');
      },
    ]) {
      const h = createHarness({ claim, responses: [spoken('Hi.')] });
      h.feed(frames.setup({ from: '' }));
      h.feed(frames.prompt('hello'));
      await h.session.whenIdle();
      expect(h.session.simulationOutputId).toBeUndefined();
      expect(h.tokens()).toEqual(['Hi.', '']);
      const line = h.logs.find((l) => l.level === 'warn' || l.level === 'error');
      expect(line?.fields.callSid).toBe(CALL_SID);
      expect(line?.msg).toMatch(/no simulation id|claiming the simulation id failed/);
      const log = await h.session.close();
      expect(log.simulationOutputId).toBeUndefined();
      expect(log.correlationMethod).toBeUndefined();
    }
  });

  it('claims without a caller id when setup has none', async () => {
    const h = createHarness();
    h.feed(frames.setup({ from: '' }));
    await h.session.whenIdle();
    expect(h.claims).toEqual([{}]);
  });

  it('ignores a second setup', async () => {
    const h = createHarness();
    h.feed(frames.setup());
    h.feed(frames.setup({ callSid: 'CA-other' }));
    await h.session.whenIdle();
    expect(h.session.callSid).toBe(CALL_SID);
    expect(h.claims).toHaveLength(1);
    expect(h.logs.some((l) => l.msg === 'ignored a second setup frame' && l.fields.otherCallSid === 'CA-other')).toBe(true);
  });

  it('rejects bad options with a coded error', () => {
    const h = createHarness();
    expect(() =>
      createRelaySession({
        clock: h.clock,
        logger: { debug() {}, info() {}, warn() {}, error() {}, child: () => ({}) as never },
        llm: h.llm,
        tools: { definitions: [], run: async () => ({ result: '' }) },
        claim: async () => ({ status: 'none', purgedExpired: 0 }),
        send: () => undefined,
        systemPrompt: 'x',
        maxToolIterations: -1,
      }),
    ).toThrow(expect.objectContaining({ code: 'AGENT_ERR_SESSION_OPTIONS_INVALID' }));
  });
});

describe('relay session: prompts and streaming', () => {
  it('streams every content delta at once, unmodified, and closes the cycle with exactly one last:true', async () => {
    const gate = barrier();
    const h = createHarness({
      responses: [[{ type: 'content', text: ' Sure,' }, { type: 'content', text: '  ' }, { type: 'wait', until: gate.promise }, ...spoken('\nthat works. ')]],
    });
    h.feed(frames.setup());
    h.feed(frames.prompt('Can I come in?'));
    await flush(h.clock);
    expect(h.session.state).toBe('responding');
    // The first deltas are out before the stream finished: no buffering.
    expect(h.sent).toEqual([
      { type: 'text', token: ' Sure,', last: false },
      { type: 'text', token: '  ', last: false },
    ]);
    gate.open();
    await h.session.whenIdle();
    expect(h.tokens()).toEqual([' Sure,', '  ', '\nthat works. ', '']);
    expect(h.sent.at(-1)).toEqual({ type: 'text', token: '', last: true });
    expect(h.lastCount()).toBe(1);
    expect(h.session.state).toBe('listening');
  });

  it('records TTFB from prompt arrival to the first token sent, plus finish reason and usage', async () => {
    const h = createHarness({
      responses: [
        [
          { type: 'sleep', ms: 300 },
          { type: 'content', text: 'Hello' },
          { type: 'sleep', ms: 50 },
          { type: 'content', text: ' there.' },
          { type: 'finish', reason: 'stop' },
          { type: 'usage', inputTokens: 40, outputTokens: 3 },
        ],
      ],
    });
    h.feed(frames.setup());
    h.clock.advance(1000);
    h.feed(frames.prompt('Hi', true));
    await h.clock.advanceAsync(1000);
    await h.session.whenIdle();
    const log = await h.session.close();
    expect(log.events).toEqual([
      { kind: 'user', source: 'speech', text: 'Hi', receivedAtMs: T0 + 1000, lang: 'en-US' },
      {
        kind: 'assistant',
        requestedAtMs: T0 + 1000,
        firstDeltaAtMs: T0 + 1300,
        firstTokenSentAtMs: T0 + 1300,
        endedAtMs: T0 + 1350,
        text: 'Hello there.',
        finishReason: 'stop',
        usage: { inputTokens: 40, outputTokens: 3 },
        interrupted: false,
      },
    ]);
    expect(h.llm.requests[0]?.messages).toEqual([
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: 'Hi' },
    ]);
    expect(h.llm.requests[0]?.tools.map((t) => t.function.name)).toContain('end_call');
  });

  it('ignores partial prompts (logged at debug) and answers the final one', async () => {
    const h = createHarness({ responses: [spoken('OK.')] });
    h.feed(frames.setup());
    h.feed(frames.prompt('I want', false));
    h.feed(frames.prompt('I want to', false));
    await h.session.whenIdle();
    expect(h.llm.requests).toHaveLength(0);
    expect(h.sent).toEqual([]);
    expect(h.logs.filter((l) => l.msg === 'ignored a partial prompt').map((l) => l.level)).toEqual(['debug', 'debug']);
    h.feed(frames.prompt('I want to book'));
    await h.session.whenIdle();
    expect(h.llm.requests).toHaveLength(1);
    expect((await h.session.close()).events.filter((e) => e.kind === 'user')).toHaveLength(1);
  });

  it('turns a key press into a user turn', async () => {
    const h = createHarness({ responses: [spoken('You chose one.')] });
    h.feed(frames.setup());
    h.clock.advance(5);
    h.feed(frames.dtmf('1'));
    await h.session.whenIdle();
    expect(h.llm.requests[0]?.messages.at(-1)).toEqual({ role: 'user', content: 'The caller pressed 1' });
    const log = await h.session.close();
    expect(log.events[0]).toEqual({ kind: 'user', source: 'dtmf', text: 'The caller pressed 1', receivedAtMs: T0 + 5 });
  });

  it('survives a prompt before setup, then works normally', async () => {
    const h = createHarness({ responses: [spoken('Hi.')] });
    h.feed(frames.prompt('too early'));
    h.feed(frames.interrupt('x'));
    h.feed(frames.dtmf('5'));
    await h.session.whenIdle();
    expect(h.llm.requests).toHaveLength(0);
    expect(h.sent).toEqual([]);
    expect(h.logs.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      'ignored prompt before setup',
      'ignored interrupt before setup',
      'ignored dtmf before setup',
    ]);
    h.feed(frames.setup());
    h.feed(frames.prompt('now'));
    await h.session.whenIdle();
    expect(h.tokens()).toEqual(['Hi.', '']);
  });

  it('survives non-JSON, binary, unknown, oversized and malformed frames, logging each with the callSid', async () => {
    const h = createHarness({ responses: [spoken('Still here.')], overrides: { maxFrameBytes: 1024 } });
    h.feed(frames.setup());
    h.feed('not json at all');
    h.session.handleRaw(Buffer.from([0xff, 0x00, 0x13]), true);
    h.feed('{"type":"connected","streamSid":"MZ1"}');
    h.feed(JSON.stringify({ type: 'prompt', voicePrompt: 'x'.repeat(2000), last: true }));
    h.feed('{"type":"prompt","voicePrompt":null}');
    h.feed('"just a string"');
    h.feed('{"type":"error","description":"Invalid message received"}');
    h.feed('{"type":"info","name":"agentSpeaking","value":"on","ts":1}');
    await h.session.whenIdle();
    expect(h.llm.requests).toHaveLength(0);
    const dropped = h.logs.filter((l) => l.msg?.startsWith('dropped an inbound frame'));
    expect(dropped.map((l) => l.fields.problem)).toEqual(['non-json', 'binary', 'unknown-type', 'too-large', 'invalid-field', 'invalid-field']);
    expect(dropped.every((l) => l.fields.callSid === CALL_SID)).toBe(true);
    expect(h.logs.find((l) => l.msg === 'Twilio reported an error')?.fields).toMatchObject({ callSid: CALL_SID, description: 'Invalid message received' });
    expect(h.logs.find((l) => l.msg === 'Twilio info event')?.fields).toMatchObject({ name: 'agentSpeaking', value: 'on' });
    h.feed(frames.prompt('hello?'));
    await h.session.whenIdle();
    expect(h.tokens()).toEqual(['Still here.', '']);
  });

  it('ignores blank final prompts', async () => {
    const h = createHarness();
    h.feed(frames.setup());
    h.feed(frames.prompt('   '));
    await h.session.whenIdle();
    expect(h.llm.requests).toHaveLength(0);
    expect(h.logs.some((l) => l.msg === 'ignored an empty prompt')).toBe(true);
  });
});

describe('relay session: close and failures of the socket', () => {
  it('close() aborts the in-flight stream, waits for it and returns the log with the cut turn', async () => {
    const never = new Promise<void>(() => undefined);
    const h = createHarness({ responses: [[{ type: 'content', text: 'Let me see' }, { type: 'wait', until: never }]] });
    h.feed(frames.setup());
    h.feed(frames.prompt('question'));
    await flush(h.clock);
    h.clock.advance(700);
    const first = h.session.close('caller hung up');
    expect(h.session.close()).toBe(first);
    const log = await first;
    expect(h.llm.requests[0]?.signal.aborted).toBe(true);
    expect(h.session.state).toBe('closed');
    expect(h.lastCount()).toBe(0);
    expect(log.events.at(-1)).toMatchObject({ kind: 'assistant', text: 'Let me see', interrupted: true, endedAtMs: T0 + 700 });
    h.feed(frames.prompt('anyone?'));
    expect(h.llm.requests).toHaveLength(1);
    expect(h.logs.some((l) => l.msg === 'ignored a frame after the session closed')).toBe(true);
  });

  it('close() resolves even when the LLM client ignores the abort signal', async () => {
    const h = createHarness({
      llm: {
        streamChat: () => ({
          [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<never>>(() => undefined) }),
        }),
      },
    });
    h.feed(frames.setup());
    h.feed(frames.prompt('hello'));
    await flush(h.clock);
    const log = await h.session.close();
    expect(log.events.map((e) => e.kind)).toEqual(['user', 'assistant']);
  });

  it('close() before setup returns an empty log without a callSid', async () => {
    const h = createHarness();
    h.clock.advance(10);
    const log = await h.session.close();
    expect(log).toEqual({ callSid: '', startedAtMs: T0, endedAtMs: T0 + 10, events: [] });
  });

  it('a send that throws stops the reply without throwing out of the session', async () => {
    let fail = false;
    const h = createHarness({
      responses: [spoken('one', ' two', ' three'), spoken('Next.')],
      send: () => {
        if (fail) throw new Error('socket closed');
      },
    });
    h.feed(frames.setup());
    fail = true;
    h.feed(frames.prompt('hi'));
    await h.session.whenIdle();
    expect(h.sent).toEqual([]);
    expect(h.logs.some((l) => l.msg === 'sending a frame to Twilio failed; stopping the current reply')).toBe(true);
    fail = false;
    h.feed(frames.prompt('again'));
    await h.session.whenIdle();
    expect(h.tokens()).toEqual(['Next.', '']);
  });
});
