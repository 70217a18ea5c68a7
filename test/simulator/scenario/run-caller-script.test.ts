import { describe, expect, it, onTestFinished } from 'vitest';
import { createSeededIds } from '../../../simulator/core/ids.ts';
import { ManualClock } from '../../../simulator/core/manual-clock.ts';
import { createSeededRandom } from '../../../simulator/core/random.ts';
import { playCallerScript } from '../../../simulator/scenario/caller-script.ts';
import type { StepRecord } from '../../../simulator/scenario/run-record.ts';
import type { CallerStep } from '../../../simulator/scenario/schema.ts';
import { createInboundCall } from '../../../simulator/twilio/call-params.ts';
import { type RelaySession, startRelaySession } from '../../../simulator/twilio/relay-session.ts';
import { parseConversationRelayTwiml } from '../../../simulator/twilio/twiml.ts';
import { type AgentConnection, startScriptedAgent } from '../../support/ws-agent-server.ts';

const TOKEN = 'caller_script_token';
const say = (text: string, partials = false): CallerStep => ({ kind: 'say', text, partials, lang: 'en-US' });
const waitForReply = (timeoutMs = 10_000): CallerStep => ({ kind: 'waitForReply', timeoutMs });

interface Harness {
  readonly clock: ManualClock;
  readonly session: RelaySession;
  readonly agent: AgentConnection;
  /** Parsed messages the agent received so far. */
  received(): { type?: string; [key: string]: unknown }[];
  /** Waits until the agent received `n` messages in total. */
  got(n: number): Promise<void>;
  /** Sends agent frames and waits until the session recorded them. */
  send(...frames: unknown[]): Promise<void>;
}

async function harness(attributes = ''): Promise<Harness> {
  const server = await startScriptedAgent();
  const parsed = parseConversationRelayTwiml(`<Response><Connect><ConversationRelay url="${server.wssUrl('/ws')}" ${attributes}/></Connect></Response>`);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const clock = new ManualClock();
  const ids = createSeededIds(createSeededRandom(3));
  const call = createInboundCall(ids, { from: '+15550100001' });
  const fetch: typeof globalThis.fetch = async () => new Response('<Response/>', { headers: { 'content-type': 'text/xml' } });
  // 10 characters per second: one character per 100 ms of the manual clock.
  const session = startRelaySession({ twiml: parsed.twiml, call, authToken: TOKEN, clock, ids, fetch, charsPerSecond: 10 });
  onTestFinished(() => session.client.terminate());
  expect((await session.ready).status).toBe('open');
  const agent = await server.connection();
  await agent.message(0);
  return {
    clock,
    session,
    agent,
    received: () => agent.received.map((m) => (m.startsWith('{') ? (JSON.parse(m) as { type?: string }) : { raw: m })),
    got: (n) => agent.message(n - 1).then(() => undefined),
    send: async (...frames) => {
      const target = session.client.frames.filter((f) => f.dir === 'in').length + frames.length;
      for (const frame of frames) agent.send(frame);
      await session.client.waitFor(() => session.client.frames.filter((f) => f.dir === 'in').length >= target, { timeoutMs: 3_600_000, description: 'agent frames' });
    },
  };
}

const text = (token: string, last = false) => ({ type: 'text', token, last });

function summary(steps: readonly StepRecord[]): [string, string][] {
  return steps.map((s) => [s.kind, s.outcome]);
}

describe('playCallerScript', () => {
  it('says, waits until the reply has been spoken, then hangs up when the script runs out', async () => {
    const h = await harness();
    const done = playCallerScript({ session: h.session, steps: [say('Hello?'), waitForReply()], clock: h.clock });
    await h.got(2);
    expect(h.received()[1]).toEqual({ type: 'prompt', voicePrompt: 'Hello?', lang: 'en-US', last: true });
    await h.send(text('Hi'), text(' there', true));
    // "Hi there" is 8 characters: 800 ms of simulated speech.
    await h.clock.advanceAsync(790);
    let settled = false;
    void done.then(() => (settled = true));
    await h.clock.advanceAsync(0);
    expect(settled).toBe(false);
    await h.clock.advanceAsync(20);
    const steps = await done;
    expect(summary(steps)).toEqual([
      ['say', 'ok'],
      ['waitForReply', 'ok'],
      ['hangUp', 'ok'],
    ]);
    expect(steps[1]?.cycle).toBe(0);
    expect(steps[2]?.detail).toMatch(/script ran out/);
    expect(h.session.record().end?.cause).toBe('caller-hangup');
  });

  it('a wait that times out names what it waited for; later steps are skipped and the caller hangs up', async () => {
    const h = await harness();
    const done = playCallerScript({ session: h.session, steps: [say('Anyone?'), waitForReply(2_000), say('Hello?')], clock: h.clock });
    await h.got(2);
    await h.clock.advanceAsync(2_000);
    const steps = await done;
    expect(summary(steps)).toEqual([
      ['say', 'ok'],
      ['waitForReply', 'timeout'],
      ['say', 'skipped'],
      ['hangUp', 'ok'],
    ]);
    expect(steps[1]?.detail).toMatch(/Timed out after 2000 ms waiting for the agent's reply/);
    expect(h.received().filter((m) => m.type === 'prompt')).toHaveLength(1);
  });

  it('bargeIn afterTokens interrupts once N tokens of the reply arrived', async () => {
    const h = await harness();
    const steps: CallerStep[] = [
      say('Tell me everything.'),
      { kind: 'bargeIn', during: 'reply', trigger: { kind: 'afterTokens', tokens: 2 }, say: { text: 'Stop.', partials: false, lang: 'en-US' }, timeoutMs: 10_000 },
    ];
    const done = playCallerScript({ session: h.session, steps, clock: h.clock });
    await h.got(2);
    await h.send(text('Once'));
    await h.clock.advanceAsync(100);
    expect(h.received()).toHaveLength(2);
    await h.send(text(' upon'));
    await h.got(4);
    const [interrupt, prompt] = h.received().slice(2);
    // 100 ms of playback at 10 cps: one character heard.
    expect(interrupt).toEqual({ type: 'interrupt', utteranceUntilInterrupt: 'O', durationUntilInterruptMs: 100 });
    expect(prompt).toMatchObject({ type: 'prompt', voicePrompt: 'Stop.', last: true });
    const records = await done;
    expect(records[1]).toMatchObject({ kind: 'bargeIn', outcome: 'ok', cycle: 0 });
    expect(records[1]?.actions).toHaveLength(1);
  });

  it('bargeIn afterPlaybackMs speaks T ms after the reply audio started', async () => {
    const h = await harness();
    const steps: CallerStep[] = [
      say('Read me the list.'),
      { kind: 'bargeIn', during: 'reply', trigger: { kind: 'afterPlaybackMs', ms: 500 }, say: { text: 'Enough.', partials: false, lang: 'en-US' }, timeoutMs: 10_000 },
    ];
    const done = playCallerScript({ session: h.session, steps, clock: h.clock });
    await h.got(2);
    await h.send(text('Apples, pears, plums and figs.', true));
    await h.clock.advanceAsync(499);
    expect(h.received()).toHaveLength(2);
    await h.clock.advanceAsync(1);
    await h.got(4);
    expect(h.received()[2]).toEqual({ type: 'interrupt', utteranceUntilInterrupt: 'Apple', durationUntilInterruptMs: 500 });
    const records = await done;
    expect(records[1]?.outcome).toBe('ok');
    expect(records[1]?.detail).toBeUndefined();
  });

  it('waitForGreeting lets the greeting finish; bargeIn during the greeting interrupts it', async () => {
    const h = await harness('welcomeGreeting="Welcome!"');
    const done = playCallerScript({
      session: h.session,
      steps: [{ kind: 'bargeIn', during: 'greeting', trigger: { kind: 'afterPlaybackMs', ms: 300 }, say: { text: 'Hi', partials: false, lang: 'en-US' }, timeoutMs: 10_000 }],
      clock: h.clock,
    });
    await h.clock.advanceAsync(300);
    await h.got(3);
    expect(h.received()[1]).toEqual({ type: 'interrupt', utteranceUntilInterrupt: 'Wel', durationUntilInterruptMs: 300 });
    expect((await done)[0]).toMatchObject({ kind: 'bargeIn', outcome: 'ok', cycle: 0 });

    const g = await harness('welcomeGreeting="Welcome!"');
    const waited = playCallerScript({ session: g.session, steps: [{ kind: 'waitForGreeting', timeoutMs: 10_000 }, say('Hi')], clock: g.clock });
    await g.clock.advanceAsync(799);
    expect(g.received()).toHaveLength(1);
    await g.clock.advanceAsync(1);
    await g.got(2);
    expect(g.received()[1]).toMatchObject({ type: 'prompt', voicePrompt: 'Hi' });
    expect(summary(await waited).slice(0, 2)).toEqual([
      ['waitForGreeting', 'ok'],
      ['say', 'ok'],
    ]);
  });

  it('press sends one dtmf per digit when the TwiML asks for key presses, and records when it does not', async () => {
    const h = await harness('dtmfDetection="true"');
    const done = playCallerScript({ session: h.session, steps: [{ kind: 'press', digits: '1#' }], clock: h.clock });
    const steps = await done;
    await h.got(3);
    expect(h.received().slice(1, 3)).toEqual([
      { type: 'dtmf', digit: '1' },
      { type: 'dtmf', digit: '#' },
    ]);
    expect(steps[0]?.actions).toEqual([0, 1]);

    const off = await harness();
    const offSteps = await playCallerScript({ session: off.session, steps: [{ kind: 'press', digits: '1' }], clock: off.clock });
    expect(offSteps[0]).toMatchObject({ kind: 'press', outcome: 'ok', detail: 'key press dtmf-detection-off' });
  });

  it('sendRaw sends text, JSON and binary frames as given; silence waits on the clock', async () => {
    const h = await harness();
    const done = playCallerScript({
      session: h.session,
      steps: [
        { kind: 'sendRaw', frame: { kind: 'text', text: 'not json' } },
        { kind: 'silence', ms: 1_000 },
        { kind: 'sendRaw', frame: { kind: 'json', json: { type: 'mystery', n: 1 } } },
        { kind: 'sendRaw', frame: { kind: 'binary', base64: Buffer.from([1, 2, 3]).toString('base64') } },
      ],
      clock: h.clock,
    });
    await h.got(2);
    await h.clock.advanceAsync(999);
    expect(h.agent.received).toHaveLength(2);
    await h.clock.advanceAsync(1);
    await h.got(4);
    expect(h.agent.received.slice(1)).toEqual(['not json', '{"type":"mystery","n":1}', '<binary>']);
    expect(summary(await done).map(([kind]) => kind)).toEqual(['sendRaw', 'silence', 'sendRaw', 'sendRaw', 'hangUp']);
  });

  it('waitForEnd resolves on the agent end message; no hang-up follows', async () => {
    const h = await harness();
    const done = playCallerScript({ session: h.session, steps: [say('Transfer me'), { kind: 'waitForEnd', timeoutMs: 5_000 }], clock: h.clock });
    await h.got(2);
    h.agent.send({ type: 'end', handoffData: '{"reason":"transfer"}' });
    const steps = await done;
    expect(summary(steps)).toEqual([
      ['say', 'ok'],
      ['waitForEnd', 'ok'],
    ]);
    expect(h.session.record().end).toMatchObject({ cause: 'agent-end', handoffData: '{"reason":"transfer"}' });
  });

  it('steps after the agent closed the socket are skipped, naming why', async () => {
    const h = await harness();
    const done = playCallerScript({ session: h.session, steps: [say('Hello'), waitForReply(), say('Again')], clock: h.clock });
    await h.got(2);
    h.agent.socket.close(1011, 'boom');
    const steps = await done;
    expect(steps[1]).toMatchObject({ kind: 'waitForReply', outcome: 'error' });
    expect(steps[1]?.detail).toMatch(/socket closed/);
    expect(steps[2]).toMatchObject({ kind: 'say', outcome: 'skipped' });
    expect(steps).toHaveLength(3);
  });
});
