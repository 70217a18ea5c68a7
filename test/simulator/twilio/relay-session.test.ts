import twilio from 'twilio';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createSeededIds } from '../../../simulator/core/ids.ts';
import { ManualClock } from '../../../simulator/core/manual-clock.ts';
import { createSeededRandom } from '../../../simulator/core/random.ts';
import { createInboundCall } from '../../../simulator/twilio/call-params.ts';
import type { RelayFrame } from '../../../simulator/twilio/relay-client.ts';
import { startRelaySession } from '../../../simulator/twilio/relay-session.ts';
import type { RelaySession } from '../../../simulator/twilio/relay-session.ts';
import type { RelaySessionOptions } from '../../../simulator/twilio/relay-session-record.ts';
import { computeTwilioSignature, verifyTwilioSignature } from '../../../simulator/twilio/signature.ts';
import { parseConversationRelayTwiml } from '../../../simulator/twilio/twiml.ts';
import { startScriptedAgent } from '../../support/ws-agent-server.ts';
import type { AgentConnection } from '../../support/ws-agent-server.ts';

const TOKEN = 'test_auth_token';
const ACTION = 'https://agent.test/connect-action';
const FOREVER = 3_600_000;

interface ActionCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  params: Record<string, string>;
}

interface Harness {
  clock: ManualClock;
  session: RelaySession;
  agent: AgentConnection;
  actions: ActionCall[];
  url: string;
  /** Messages the agent received, parsed. */
  received(): Record<string, unknown>[];
  /** Sends frames from the agent and waits until the session has recorded them. */
  agentSends(...values: unknown[]): Promise<void>;
}

async function harness(relayAttrs = '', extra: Partial<RelaySessionOptions> = {}, connect = `<Connect action="${ACTION}">`, children = ''): Promise<Harness> {
  const server = await startScriptedAgent();
  const url = `${server.wssUrl('/relay')}?tenant=acme`;
  const source = `<Response>${connect}<ConversationRelay url="${url.replace(/&/g, '&amp;')}" ${relayAttrs}>${children}</ConversationRelay></Connect></Response>`;
  const parsed = parseConversationRelayTwiml(source);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const clock = new ManualClock();
  const ids = createSeededIds(createSeededRandom(42));
  const call = createInboundCall(ids, { from: '+15555550100', to: '+15555550199' });
  const actions: ActionCall[] = [];
  const fakeFetch: typeof fetch = async (input, init) => {
    const requestUrl = String(input);
    const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const query = Object.fromEntries(new URL(requestUrl).searchParams);
    const body = Object.fromEntries(new URLSearchParams(String(init?.body ?? '')));
    actions.push({ url: requestUrl, method: init?.method ?? 'GET', headers, params: init?.method === 'POST' ? body : query });
    return new Response('<Response><Hangup/></Response>', { headers: { 'content-type': 'text/xml' } });
  };
  const session = startRelaySession({ twiml: parsed.twiml, call, authToken: TOKEN, clock, ids, fetch: fakeFetch, ...extra });
  onTestFinished(() => session.client.terminate());
  const outcome = await session.ready;
  if (outcome.status !== 'open') throw new Error(`not connected: ${JSON.stringify(outcome)}`);
  const agent = await server.connection();
  await agent.message(0);
  return {
    clock,
    session,
    agent,
    actions,
    url,
    received: () => agent.received.map((m) => JSON.parse(m) as Record<string, unknown>),
    agentSends: async (...values) => {
      const target = session.client.frames.filter((f) => f.dir === 'in').length + values.length;
      for (const v of values) agent.send(v);
      await session.client.waitFor(() => session.client.frames.filter((f) => f.dir === 'in').length >= target, {
        timeoutMs: FOREVER,
        description: `${values.length} agent frames`,
      });
    },
  };
}

/** Waits until the agent has received `count` messages in total. */
async function agentGot(h: Harness, count: number): Promise<Record<string, unknown>[]> {
  await h.agent.message(count - 1);
  return h.received();
}

const sentOut = (h: Harness): unknown[] => h.session.client.frames.filter((f: RelayFrame) => f.dir === 'out').map((f) => f.parsed);

describe('RelaySession', () => {
  it('sends setup first with seeded ids, RINGING and the <Parameter> values', async () => {
    const h = await harness('', {}, `<Connect action="${ACTION}">`, '<Parameter name="tenant" value="acme"/>');
    const [setup] = h.received();
    expect(setup).toEqual({
      type: 'setup',
      sessionId: h.session.sessionId,
      accountSid: h.session.record().setup?.accountSid,
      parentCallSid: '',
      callSid: h.session.record().callSid,
      from: '+15555550100',
      to: '+15555550199',
      forwardedFrom: '',
      callType: 'PSTN',
      callerName: '',
      direction: 'inbound',
      callStatus: 'RINGING',
      customParameters: { tenant: 'acme' },
    });
    expect(h.session.sessionId).toMatch(/^VX[0-9a-f]{32}$/);
    expect(setup?.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    // The handshake signature is the HMAC of the wss URL, verifiable by the twilio helper too.
    const signature = h.agent.headers['x-twilio-signature'] as string;
    expect(signature).toBe(computeTwilioSignature(TOKEN, h.url));
    expect(twilio.validateRequest(TOKEN, signature, h.url, {})).toBe(true);
    expect(h.session.record().handshake).toMatchObject({ signedUrl: h.url, downgraded: true });
  });

  it('omits customParameters when the TwiML has no <Parameter>', async () => {
    const h = await harness();
    expect(h.received()[0]).not.toHaveProperty('customParameters');
  });

  it('barges in with exactly the text spoken so far and how long it played, then the prompt', async () => {
    const h = await harness('', { charsPerSecond: 15 });
    await h.agentSends({ type: 'text', token: 'We are open ', last: false }); // 12 chars: 0..800
    h.clock.advance(300);
    await h.agentSends({ type: 'text', token: 'from nine to five.', last: true }); // 800..2000
    h.clock.advance(1_000); // t = 1300: 12 + floor(500 * 15 / 1000) = 19 chars
    const action = await h.session.bargeIn('Actually, never mind.');
    expect(action).toMatchObject({ outcome: 'interrupted', audible: { cycle: 0, interruptible: 'any' } });
    const got = await agentGot(h, 3);
    expect(got.slice(1)).toEqual([
      { type: 'interrupt', utteranceUntilInterrupt: 'We are open from ni', durationUntilInterruptMs: 1_300 },
      { type: 'prompt', voicePrompt: 'Actually, never mind.', lang: 'en-US', last: true },
    ]);
    expect(h.session.talkCycles()[0]).toMatchObject({ status: 'interrupted', spokenText: 'We are open from ni', lastReceived: true });
    expect(h.session.audible()).toBeUndefined();
  });

  it('can send durationUntilInterruptMs as a string', async () => {
    const h = await harness('', { interruptDurationType: 'string' });
    await h.agentSends({ type: 'text', token: 'Hello there', last: true });
    h.clock.advance(200);
    await h.session.bargeIn('wait');
    expect((await agentGot(h, 2))[1]).toEqual({ type: 'interrupt', utteranceUntilInterrupt: 'Hel', durationUntilInterruptMs: '200' });
  });

  it('says nothing to the agent when speech cannot interrupt and reportInputDuringAgentSpeech is none', async () => {
    const h = await harness('interruptible="dtmf"');
    await h.agentSends({ type: 'text', token: 'A long answer that keeps going.', last: true });
    h.clock.advance(500);
    const action = await h.session.say('hello?');
    expect(action).toMatchObject({ outcome: 'not-reported', frames: [] });
    expect(h.session.audible()).toEqual({ cycle: 0, interruptible: 'dtmf' });
    h.session.sendRaw('{"type":"probe"}'); // a marker so we know everything before it arrived
    expect(await agentGot(h, 2)).toEqual([expect.objectContaining({ type: 'setup' }), { type: 'probe' }]);
  });

  it('delivers the prompt without stopping audio when reportInputDuringAgentSpeech allows speech', async () => {
    const h = await harness('interruptible="none" reportInputDuringAgentSpeech="speech"');
    await h.agentSends({ type: 'text', token: 'A long answer that keeps going.', last: true });
    h.clock.advance(500);
    const action = await h.session.say('mhm');
    expect(action.outcome).toBe('reported-during-speech');
    expect((await agentGot(h, 2))[1]).toEqual({ type: 'prompt', voicePrompt: 'mhm', lang: 'en-US', last: true });
    expect(h.session.talkCycles()[0]?.status).toBe('playing');
  });

  it('uses a per-message interruptible:false over TwiML any', async () => {
    const h = await harness();
    await h.agentSends({ type: 'text', token: 'Please listen to this.', last: true, interruptible: false });
    h.clock.advance(100);
    expect((await h.session.bargeIn('hey')).outcome).toBe('not-reported');
  });

  it('guards the welcome greeting with welcomeGreetingInterruptible, then lets the caller speak', async () => {
    const h = await harness('welcomeGreeting="Hi! How can I help?" welcomeGreetingInterruptible="none"');
    h.clock.advance(100);
    expect((await h.session.say('hello')).outcome).toBe('not-reported');
    const idle = h.session.waitForPlaybackIdle({ timeoutMs: 5_000 });
    await h.clock.advanceAsync(2_000);
    await idle;
    expect(h.session.talkCycles()[0]).toMatchObject({ kind: 'greeting', status: 'played', spokenText: 'Hi! How can I help?' });
    expect((await h.session.say('hello')).outcome).toBe('delivered');
  });

  it('interrupts the greeting with the greeting text heard so far', async () => {
    const h = await harness('welcomeGreeting="Hi! How can I help?"');
    h.clock.advance(400);
    await h.session.bargeIn('Opening hours?');
    expect((await agentGot(h, 3))[1]).toEqual({ type: 'interrupt', utteranceUntilInterrupt: 'Hi! Ho', durationUntilInterruptMs: 400 });
  });

  it('plays the greeting for greetingDurationMs when given: a barge-in hears the proportional prefix', async () => {
    // 19 characters over 3800 ms (at 15 chars/s they would take 1267 ms): one character per 200 ms.
    const h = await harness('welcomeGreeting="Hi! How can I help?"', { greetingDurationMs: 3_800 });
    h.clock.advance(2_000);
    expect(h.session.audible()?.cycle).toBe(0);
    await h.session.bargeIn('Opening hours?');
    expect((await agentGot(h, 3))[1]).toEqual({ type: 'interrupt', utteranceUntilInterrupt: 'Hi! How ca', durationUntilInterruptMs: 2_000 });
    expect(() => startRelaySession({ ...({} as RelaySessionOptions), greetingDurationMs: -5, maxConsecutiveInvalid: 10 })).toThrow(/greetingDurationMs must be a finite number/);
  });

  it('sends cumulative partial prompts before the final one when partialPrompts is on', async () => {
    const h = await harness('partialPrompts="true" transcriptionLanguage="multi"');
    await h.session.say('what are your hours', { lang: 'en-GB' });
    await h.session.say('ok then', { partials: ['o', 'ok'] });
    expect((await agentGot(h, 8)).slice(1)).toEqual([
      { type: 'prompt', voicePrompt: 'what', lang: 'en', last: false },
      { type: 'prompt', voicePrompt: 'what are', lang: 'en', last: false },
      { type: 'prompt', voicePrompt: 'what are your', lang: 'en', last: false },
      { type: 'prompt', voicePrompt: 'what are your hours', lang: 'en', last: true },
      { type: 'prompt', voicePrompt: 'o', lang: 'en', last: false },
      { type: 'prompt', voicePrompt: 'ok', lang: 'en', last: false },
      { type: 'prompt', voicePrompt: 'ok then', lang: 'en', last: true },
    ]);
  });

  it('spreads an utterance over durationMs on the clock: interrupt at once, prompt at the end', async () => {
    const h = await harness();
    await h.agentSends({ type: 'text', token: 'Some long answer here', last: true });
    h.clock.advance(100);
    const speaking = h.session.bargeIn('no', { durationMs: 600 });
    await Promise.resolve();
    expect(sentOut(h).at(-1)).toMatchObject({ type: 'interrupt' });
    await h.clock.advanceAsync(600);
    expect((await speaking).frames).toHaveLength(2);
    expect(h.session.client.frames.at(-1)).toMatchObject({ at: 700, parsed: { type: 'prompt', voicePrompt: 'no' } });
  });

  it('follows language messages for the prompt lang', async () => {
    const h = await harness();
    await h.agentSends({ type: 'language', transcriptionLanguage: 'sv-SE', ttsLanguage: 'sv-SE' });
    await h.session.say('hej');
    expect((await agentGot(h, 2))[1]).toMatchObject({ lang: 'sv-SE' });
    expect(h.session.record().languageChanges).toEqual([{ frameIndex: 1, at: 0, type: 'language', transcriptionLanguage: 'sv-SE', ttsLanguage: 'sv-SE' }]);
  });

  it('records key presses as not delivered without dtmfDetection', async () => {
    const h = await harness();
    expect(h.session.pressDigit('1')).toMatchObject({ kind: 'pressDigit', digit: '1', outcome: 'dtmf-detection-off', frames: [] });
  });

  it('sends dtmf with dtmfDetection, interrupting audio when interruptible allows dtmf', async () => {
    const h = await harness('dtmfDetection="true" interruptible="dtmf"');
    h.session.pressDigit('5');
    await h.agentSends({ type: 'text', token: 'Press one for sales', last: true });
    h.clock.advance(200);
    expect(h.session.pressDigit('#').outcome).toBe('interrupted');
    expect((await agentGot(h, 4)).slice(1)).toEqual([
      { type: 'dtmf', digit: '5' },
      { type: 'interrupt', utteranceUntilInterrupt: 'Pre', durationUntilInterruptMs: 200 },
      { type: 'dtmf', digit: '#' },
    ]);
    expect(() => h.session.pressDigit('12')).toThrow(expect.objectContaining({ code: 'SIM_ERR_TWILIO_CALLER_ACTION_INVALID' }));
  });

  it('keeps queued cycles behind a non-preemptible one and stops a per-message preemptible one', async () => {
    const h = await harness();
    await h.agentSends({ type: 'text', token: 'a'.repeat(15), last: true }, { type: 'text', token: 'b', last: true });
    h.clock.advance(500);
    await h.agentSends({ type: 'text', token: 'c'.repeat(30), last: true, preemptible: true });
    h.clock.advance(1_000); // t = 1500: a done at 1000, b 1000..1066, c from 1066
    await h.agentSends({ type: 'play', source: 'https://x.test/a.mp3' });
    expect(h.session.talkCycles().map((c) => [c.status, c.spokenText])).toEqual([
      ['played', 'a'.repeat(15)],
      ['played', 'b'],
      ['preempted', 'cccccc'],
      ['playing', ''],
    ]);
  });

  it('answers each invalid frame with an error frame and resets the strike count on a valid one', async () => {
    const h = await harness();
    const bad = Array.from({ length: 9 }, (_, i) => `bad ${i}`);
    await h.agentSends(...bad, { type: 'text', token: 'ok', last: true }, ...bad);
    const got = await agentGot(h, 19);
    expect(got.slice(1, 3)).toEqual([
      { type: 'error', description: 'Invalid message received: bad 0' },
      { type: 'error', description: 'Invalid message received: bad 1' },
    ]);
    expect(h.session.active).toBe(true);
    expect(h.session.record().protocolErrors.map((e) => e.consecutive)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(h.session.record().protocolErrors[0]).toMatchObject({ frameIndex: 1, reason: 'the frame is not valid JSON' });
  });

  it('with keepFrames off keeps no frames, yet counts them, times them and checks every one', async () => {
    const h = await harness('', { keepFrames: false });
    const seen: RelayFrame[] = [];
    h.session.client.onFrame((frame) => seen.push(frame));
    const reply = h.session.waitForReply({ timeoutMs: FOREVER, fromCycle: 0, until: 'received' });
    h.agent.send('bad');
    h.agent.send({ type: 'text', token: 'Hello', last: false });
    h.agent.send({ type: 'text', token: ' there', last: true });
    const cycle = await reply;
    expect(cycle).toMatchObject({ text: 'Hello there', lastReceived: true, tokens: [] });
    // setup (0), bad (1), the error frame answering it (2), then the two text frames.
    expect(seen.map((f) => f.index)).toEqual([1, 3, 4]);
    expect(h.session.client.frameCount).toBe(5);
    expect(h.session.client.frames).toEqual([]);
    const record = h.session.record();
    expect(record.frames).toEqual([]);
    expect(record.protocolErrors).toMatchObject([{ frameIndex: 1, reason: 'the frame is not valid JSON' }]);
    await agentGot(h, 2);
    expect(h.received()[1]).toEqual({ type: 'error', description: 'Invalid message received: bad' });
  });

  it('closes with 1007 after ten invalid frames in a row and reports failed to the action URL', async () => {
    const h = await harness();
    const closed = new Promise<{ code: number; reason: string }>((resolve) => h.agent.socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    for (let i = 0; i < 10; i++) h.agent.send(i % 2 ? { type: 'prompt', voicePrompt: 'echo' } : '{');
    expect(await closed).toEqual({ code: 1007, reason: 'Too many consecutive malformed messages' });
    const record = await h.session.done;
    expect(record.protocolErrors).toHaveLength(10);
    expect(record.end).toMatchObject({ status: 'failed', cause: 'too-many-malformed', errorCode: '64105', close: { code: 1007, initiatedBy: 'simulator' } });
    expect(h.actions[0]?.params).toMatchObject({ SessionStatus: 'failed', ErrorCode: '64105', ErrorMessage: 'WebSocket Ended' });
    expect(sentOut(h).filter((f) => (f as { type: string }).type === 'error')).toHaveLength(10);
  });

  it('on end: closes 1000 and requests the action URL signed, with HandoffData verbatim and the duration', async () => {
    const h = await harness();
    const closed = new Promise<number>((resolve) => h.agent.socket.on('close', (code) => resolve(code)));
    h.clock.advance(25_400);
    const handoffData = '{"reasonCode":"live-agent-handoff","reason":"caller asked for a person"}';
    h.agent.send({ type: 'end', handoffData });
    expect(await closed).toBe(1000);
    const record = await h.session.done;
    expect(record.end).toMatchObject({ status: 'ended', cause: 'agent-end', handoffData, durationSeconds: 25, close: { code: 1000, initiatedBy: 'simulator' } });
    const [action] = h.actions;
    expect(action?.url).toBe(ACTION);
    expect(action?.method).toBe('POST');
    expect(action?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const call = record.setup as Record<string, string>;
    expect(action?.params).toMatchObject({
      AccountSid: call.accountSid,
      CallSid: call.callSid,
      CallStatus: 'in-progress',
      Direction: 'inbound',
      From: '+15555550100',
      To: '+15555550199',
      SessionId: h.session.sessionId,
      SessionStatus: 'ended',
      SessionDuration: '25',
      HandoffData: handoffData,
    });
    expect(action?.params).not.toHaveProperty('ErrorCode');
    expect(verifyTwilioSignature(TOKEN, action?.headers['x-twilio-signature'], ACTION, action?.params)).toBe(true);
    expect(twilio.validateRequest(TOKEN, action?.headers['x-twilio-signature'] ?? '', ACTION, action?.params ?? {})).toBe(true);
    expect(record.actionCallback).toMatchObject({ verbs: ['Hangup'], exchange: { response: { status: 200 } } });
  });

  it('uses the <Connect method> and signs a GET action over the full URL', async () => {
    const h = await harness('', {}, `<Connect action="${ACTION}" method="GET">`);
    h.agent.send({ type: 'end' });
    const record = await h.session.done;
    const [action] = h.actions;
    expect(action?.method).toBe('GET');
    expect(action?.params).toMatchObject({ SessionStatus: 'ended' });
    expect(action?.params).not.toHaveProperty('HandoffData');
    expect(verifyTwilioSignature(TOKEN, action?.headers['x-twilio-signature'], action?.url ?? '')).toBe(true);
    expect(record.actionCallback).toMatchObject({ exchange: { method: 'GET' } });
  });

  it('on hang-up: closes 1000 and reports completed', async () => {
    const h = await harness();
    const closed = new Promise<number>((resolve) => h.agent.socket.on('close', (code) => resolve(code)));
    await h.agentSends({ type: 'text', token: 'Still talking', last: false });
    h.clock.advance(3_000);
    const record = await h.session.hangUp();
    expect(await closed).toBe(1000);
    expect(record.end).toMatchObject({ status: 'completed', cause: 'caller-hangup', durationSeconds: 3 });
    expect(h.actions[0]?.params).toMatchObject({ SessionStatus: 'completed', CallStatus: 'completed', SessionDuration: '3' });
    expect(record.callerActions.at(-1)).toMatchObject({ kind: 'hangUp', outcome: 'delivered' });
    expect(record.talkCycles[0]).toMatchObject({ status: 'cut-by-session-end', spokenText: 'Still talking' });
    expect((await h.session.say('hello?')).outcome).toBe('session-not-active');
  });

  it('reports failed with an error code when the agent closes the socket', async () => {
    const h = await harness();
    h.agent.socket.close(1011, 'boom');
    const record = await h.session.done;
    expect(record.end).toMatchObject({ status: 'failed', cause: 'agent-close', errorCode: '64105', close: { code: 1011, reason: 'boom', initiatedBy: 'agent' } });
    expect(h.actions[0]?.params).toMatchObject({ SessionStatus: 'failed', ErrorCode: '64105', CallStatus: 'in-progress' });
  });

  it('skips the action request when <Connect> has no action', async () => {
    const h = await harness('', {}, '<Connect>');
    h.agent.send({ type: 'end' });
    expect((await h.session.done).actionCallback).toEqual({ skipped: 'no-action-url' });
    expect(h.actions).toHaveLength(0);
  });

  it('waits for the reply on the clock and names what it waited for on timeout', async () => {
    const h = await harness();
    const mark = h.session.cycleCount;
    const audio = h.session.waitForAudio({ timeoutMs: 10_000, fromCycle: mark });
    const reply = h.session.waitForReply({ timeoutMs: 10_000, fromCycle: mark });
    await h.agentSends({ type: 'text', token: 'Hi ', last: false });
    expect(await audio).toMatchObject({ index: 0, startedAt: 0 });
    await h.agentSends({ type: 'text', token: 'there', last: true });
    await h.clock.advanceAsync(532);
    let done = false;
    void reply.then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    await h.clock.advanceAsync(2);
    expect(await reply).toMatchObject({ index: 0, status: 'played', spokenText: 'Hi there' });
    const never = expect(h.session.waitForReply({ timeoutMs: 1_000 })).rejects.toMatchObject({
      code: 'SIM_ERR_WAIT_TIMEOUT',
      message: "Timed out after 1000 ms waiting for the agent's reply (text cycle 1 or later) to be spoken to the end",
    });
    await h.clock.advanceAsync(1_000);
    await never;
  });

  it('fails a pending wait at once when the session ends', async () => {
    const h = await harness();
    const waiting = h.session.waitForReply({ timeoutMs: FOREVER, until: 'received' });
    h.agent.send({ type: 'end' });
    await expect(waiting).rejects.toMatchObject({ code: 'SIM_ERR_TWILIO_SOCKET_CLOSED' });
  });

  it('reports a refused handshake as failed with 39001 to the action URL', async () => {
    const server = await startScriptedAgent({ reject: 401 });
    const parsed = parseConversationRelayTwiml(`<Response><Connect action="${ACTION}"><ConversationRelay url="${server.wssUrl()}"/></Connect></Response>`);
    if (!parsed.ok) throw new Error('bad twiml');
    const actions: string[] = [];
    const ids = createSeededIds(createSeededRandom(1));
    const session = startRelaySession({
      twiml: parsed.twiml,
      call: createInboundCall(ids),
      authToken: TOKEN,
      clock: new ManualClock(),
      ids,
      fetch: async (_url, init) => {
        actions.push(String(init?.body));
        return new Response('', { status: 204 });
      },
    });
    expect(await session.ready).toMatchObject({ status: 'failed', httpStatus: 401 });
    const record = await session.done;
    expect(record.end).toMatchObject({ status: 'failed', cause: 'connect-failed', errorCode: '39001', durationSeconds: 0 });
    expect(new URLSearchParams(actions[0]).get('ErrorMessage')).toBe('Network connection to WebSocket server failed.');
    expect(record.setup).toBeUndefined();
  });

  it('produces a JSON-serialisable record', async () => {
    const h = await harness('welcomeGreeting="Hello"');
    h.agent.send({ type: 'end' });
    const record = await h.session.done;
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });
});
