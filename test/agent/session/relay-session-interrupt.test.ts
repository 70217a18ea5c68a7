import { describe, expect, it } from 'vitest';
import { callsTool, spoken } from '../../../agent/llm/scripted-llm-client.ts';
import { createReferenceToolRegistry } from '../../../agent/tools/reference-tools.ts';
import { barrier, createHarness, flush, frames } from './session-harness.ts';

const T0 = Date.UTC(2026, 0, 1);

describe('relay session: interrupts', () => {
  it('an interrupt aborts the stream, sends nothing more, and truncates the turn in history and call log', async () => {
    const gate = barrier();
    const h = createHarness({
      responses: [[{ type: 'content', text: 'Your appointment ' }, { type: 'content', text: 'is on ' }, { type: 'wait', until: gate.promise }, ...spoken('Wednesday.')], spoken('OK, what then?')],
    });
    h.feed(frames.setup());
    h.feed(frames.prompt('When is my appointment?'));
    await flush(h.clock);
    h.clock.advance(900);
    h.feed(frames.interrupt('Your appoint', '640'));
    const sentAtInterrupt = h.sent.length;
    expect(h.llm.requests[0]?.signal.aborted).toBe(true);
    expect(h.session.state).toBe('listening');
    gate.open();
    await h.session.whenIdle();
    expect(h.sent).toHaveLength(sentAtInterrupt);
    expect(h.tokens()).toEqual(['Your appointment ', 'is on ']);
    expect(h.lastCount()).toBe(0);

    h.feed(frames.prompt('Actually, never mind.'));
    await h.session.whenIdle();
    expect(h.llm.requests[1]?.messages.slice(1)).toEqual([
      { role: 'user', content: 'When is my appointment?' },
      { role: 'assistant', content: 'Your appoint' },
      { role: 'user', content: 'Actually, never mind.' },
    ]);
    const log = await h.session.close();
    expect(log.events[1]).toMatchObject({ kind: 'assistant', text: 'Your appoint', interrupted: true, endedAtMs: T0 + 900, firstTokenSentAtMs: T0 });
    expect(log.events[1]).not.toHaveProperty('finishReason');
    expect(h.logs.find((l) => l.msg === 'caller interrupted')?.fields).toMatchObject({ durationUntilInterruptMs: 640, heardChars: 12 });
    expect(h.lastCount()).toBe(1);
  });

  it('an interrupt after the reply was fully sent still truncates it to what was heard', async () => {
    const h = createHarness({ responses: [spoken('Your visit is on Wednesday at ten thirty.'), spoken('Sure.')] });
    h.feed(frames.setup());
    h.feed(frames.prompt('When?'));
    await h.session.whenIdle();
    expect(h.lastCount()).toBe(1);
    h.feed(frames.interrupt('Your visit is on Wed'));
    h.feed(frames.prompt('Can we move it?'));
    await h.session.whenIdle();
    expect(h.llm.requests[1]?.messages.slice(2, 3)).toEqual([{ role: 'assistant', content: 'Your visit is on Wed' }]);
    const log = await h.session.close();
    expect(log.events[1]).toMatchObject({ kind: 'assistant', text: 'Your visit is on Wed', interrupted: true, finishReason: 'stop' });
    expect(log.events[3]).toMatchObject({ kind: 'assistant', text: 'Sure.', interrupted: false });
  });

  it('truncation spans the turns of one cycle: a fully heard first turn stays, the cut lands in the second', async () => {
    const h = createHarness({
      responses: [
        [{ type: 'content', text: 'Let me check. ' }, ...callsTool('call_1', 'lookup_appointment', '{}')],
        spoken('It is on Wednesday at ten thirty.'),
        spoken('Of course.'),
      ],
    });
    h.feed(frames.setup());
    h.feed(frames.prompt('When is it?'));
    await h.session.whenIdle();
    expect(h.tokens()).toEqual(['Let me check. ', 'It is on Wednesday at ten thirty.', '']);
    h.feed(frames.interrupt('Let me check. It is on'));
    h.feed(frames.prompt('Thanks'));
    await h.session.whenIdle();
    const history = h.llm.requests[2]?.messages ?? [];
    expect(history.filter((m) => m.role === 'assistant').map((m) => m.content)).toEqual(['Let me check. ', 'It is on']);
    const log = await h.session.close();
    const assistants = log.events.filter((e) => e.kind === 'assistant');
    expect(assistants.map((a) => [a.text, a.interrupted])).toEqual([
      ['Let me check. ', false],
      ['It is on', true],
      ['Of course.', false],
    ]);
  });

  it('an interrupt that heard nothing removes the cut reply from what the model is told', async () => {
    const gate = barrier();
    const h = createHarness({ responses: [[{ type: 'content', text: 'Hmm' }, { type: 'wait', until: gate.promise }], spoken('Yes?')] });
    h.feed(frames.setup());
    h.feed(frames.prompt('Hello'));
    await flush(h.clock);
    h.feed(frames.interrupt(''));
    h.feed(frames.prompt('Are you there?'));
    await h.session.whenIdle();
    expect(h.llm.requests[1]?.messages.map((m) => m.role)).toEqual(['system', 'user', 'user']);
    const log = await h.session.close();
    expect(log.events[1]).toMatchObject({ kind: 'assistant', text: '', interrupted: true });
  });

  it('an interrupt with no reply in flight or to truncate (the greeting) is logged and harmless', async () => {
    const h = createHarness({ responses: [spoken('Hi!')] });
    h.feed(frames.setup());
    h.feed(frames.interrupt('Hello, you have reached'));
    h.feed(frames.prompt('Hi'));
    await h.session.whenIdle();
    expect(h.tokens()).toEqual(['Hi!', '']);
    expect(h.logs.some((l) => l.msg === 'caller interrupted')).toBe(true);
    const log = await h.session.close();
    expect(log.events[1]).toMatchObject({ text: 'Hi!', interrupted: false });
  });

  it('a new prompt while a reply streams cancels it: history keeps what was sent, the old cycle gets no last:true', async () => {
    const gate = barrier();
    const h = createHarness({
      responses: [[{ type: 'content', text: 'The clinic opens ' }, { type: 'wait', until: gate.promise }, ...spoken('at eight.')], spoken('Sure, Saturday too.')],
    });
    h.feed(frames.setup());
    h.feed(frames.prompt('When do you open?'));
    await flush(h.clock);
    h.clock.advance(400);
    h.feed(frames.prompt('And on Saturday?'));
    expect(h.llm.requests[0]?.signal.aborted).toBe(true);
    gate.open();
    await h.session.whenIdle();
    expect(h.tokens()).toEqual(['The clinic opens ', 'Sure, Saturday too.', '']);
    expect(h.lastCount()).toBe(1);
    expect(h.llm.requests[1]?.messages.slice(1)).toEqual([
      { role: 'user', content: 'When do you open?' },
      { role: 'assistant', content: 'The clinic opens ' },
      { role: 'user', content: 'And on Saturday?' },
    ]);
    const log = await h.session.close();
    expect(log.events.map((e) => e.kind)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(log.events[1]).toMatchObject({ text: 'The clinic opens ', interrupted: true, endedAtMs: T0 + 400 });
    expect(log.events[3]).toMatchObject({ text: 'Sure, Saturday too.', interrupted: false, requestedAtMs: T0 + 400 });
  });

  it('a key press while a reply streams cancels it the same way', async () => {
    const gate = barrier();
    const h = createHarness({ responses: [[{ type: 'content', text: 'Press one for' }, { type: 'wait', until: gate.promise }], spoken('Booking.')] });
    h.feed(frames.setup());
    h.feed(frames.prompt('Menu'));
    await flush(h.clock);
    h.feed(frames.dtmf('1'));
    await h.session.whenIdle();
    expect(h.llm.requests[1]?.messages.slice(-2)).toEqual([
      { role: 'assistant', content: 'Press one for' },
      { role: 'user', content: 'The caller pressed 1' },
    ]);
    expect(h.lastCount()).toBe(1);
  });

  it('a new prompt while a tool runs discards the tool round from history (no dangling tool calls)', async () => {
    const toolGate = barrier();
    const reference = createReferenceToolRegistry();
    let toolStarted = false;
    const h = createHarness({
      responses: [[{ type: 'content', text: 'Checking. ' }, ...callsTool('call_1', 'lookup_appointment', '{}')], spoken('Hello again.')],
      overrides: {
        tools: {
          definitions: reference.definitions,
          run: async (name, args) => {
            toolStarted = true;
            await toolGate.promise;
            return reference.run(name, args);
          },
        },
      },
    });
    h.feed(frames.setup());
    h.feed(frames.prompt('Check my appointment'));
    await flush(h.clock);
    expect(toolStarted).toBe(true);
    h.feed(frames.prompt('Wait, something else'));
    toolGate.open();
    await h.session.whenIdle();
    const second = h.llm.requests[1]?.messages ?? [];
    expect(second.slice(1)).toEqual([
      { role: 'user', content: 'Check my appointment' },
      { role: 'assistant', content: 'Checking. ' },
      { role: 'user', content: 'Wait, something else' },
    ]);
    expect(h.tokens()).toEqual(['Checking. ', 'Hello again.', '']);
    expect(h.logs.some((l) => l.msg === 'tool result discarded: the reply was cut short')).toBe(true);
    const log = await h.session.close();
    expect(log.events.map((e) => e.kind)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(log.events[1]).toMatchObject({ finishReason: 'tool_calls', interrupted: false });
  });
});
