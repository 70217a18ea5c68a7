import { describe, expect, it, onTestFinished } from 'vitest';
import type { WebSocket } from 'ws';
import { buildTestAgent, connectSocket, eventually, probeSocket, TEST_AUTH_TOKEN, TEST_COVAL_KEY, TEST_PUBLIC_URL, twilioSignature, within } from '../../support/agent-fakes.ts';

const WSS_URL = `${TEST_PUBLIC_URL.replace('https', 'wss')}/ws`;
const SETUP = { type: 'setup', sessionId: 'VX1', callSid: 'CA1', from: '+15550100001', to: '+15550100999' };

// Real loopback sockets: the server-side 'close' event (which finalises the call) needs a real
// TCP close, which injectWS's in-memory streams never deliver.
async function agent(env: Record<string, string | undefined> = {}) {
  const built = buildTestAgent(env);
  onTestFinished(() => built.app.close());
  const origin = (await built.app.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws');
  const open = async (path: string, headers: Record<string, string> = {}): Promise<WebSocket> => {
    const ws = await connectSocket(`${origin}${path}`, headers);
    return ws;
  };
  return { ...built, open };
}

function signed(url = WSS_URL, token = TEST_AUTH_TOKEN): Record<string, string> {
  return { 'x-twilio-signature': twilioSignature(token, url) };
}

describe('GET /ws', () => {
  it('runs a call: frames reach the session, its frames reach Twilio, end closes 1000, the log is exported', async () => {
    const { app, open, sessions, exporter, lines } = await agent();
    await app.inject({ method: 'POST', url: '/register-simulation', headers: { 'x-api-key': TEST_COVAL_KEY }, payload: { simulation_output_id: 'sim-1', from_number: SETUP.from } });
    const ws = await open('/ws', signed());
    const probe = probeSocket(ws);
    expect(app.agent.openCalls).toBe(1);

    ws.send(JSON.stringify(SETUP));
    ws.send(JSON.stringify({ type: 'prompt', voicePrompt: 'hello', last: true }));
    expect(JSON.parse(await probe.nth(1))).toEqual({ type: 'text', token: 'You said: hello', last: true });
    ws.send(JSON.stringify({ type: 'prompt', voicePrompt: 'bye', last: true }));
    expect(JSON.parse(await probe.nth(3, 'the end frame'))).toEqual({ type: 'end' });
    expect(await within(probe.closed, 5_000, 'the agent to close the socket')).toEqual({ code: 1000, reason: 'session ended' });

    await eventually('the call log to be exported', () => exporter.exported.length === 1);
    expect(exporter.exported[0]).toMatchObject({ callSid: 'CA1', simulationOutputId: 'sim-1' });
    expect(sessions[0]?.frames.map((f) => JSON.parse(f.text).type)).toEqual(['setup', 'prompt', 'prompt']);
    expect(app.agent.openCalls).toBe(0);
    expect(lines.find((l) => l.msg === 'call ended')?.fields).toMatchObject({ callSid: 'CA1', simulationOutputId: 'sim-1', code: 1000 });
  });

  it('closes the session and exports when Twilio closes the socket first', async () => {
    const { open, sessions, exporter } = await agent();
    const ws = await open('/ws', signed());
    ws.send(JSON.stringify(SETUP));
    await eventually('the setup frame', () => sessions[0]?.frames.length === 1);
    ws.close(1000);
    await eventually('the call log to be exported', () => exporter.exported.length === 1);
    expect(sessions[0]?.closed).toBe(true);
    expect(exporter.exported[0]?.simulationOutputId).toBeUndefined();
  });

  it('refuses an unsigned handshake with 403 and creates no session', async () => {
    const { open, sessions, lines } = await agent();
    await expect(open('/ws')).rejects.toThrow('Unexpected server response: 403');
    expect(sessions).toHaveLength(0);
    expect(lines.some((l) => l.fields.signature === 'missing' && l.fields.url === WSS_URL)).toBe(true);
  });

  it('refuses a handshake signed over the https:// form of the URL', async () => {
    // conversationrelay.md §3.2: the handshake is signed over the wss:// URL; https:// must fail.
    const { open, sessions } = await agent();
    await expect(open('/ws', signed(`${TEST_PUBLIC_URL}/ws`))).rejects.toThrow('Unexpected server response: 403');
    expect(sessions).toHaveLength(0);
  });

  it('refuses a handshake signed with another token', async () => {
    const { open } = await agent();
    await expect(open('/ws', signed(WSS_URL, 'other'))).rejects.toThrow('Unexpected server response: 403');
  });

  it('validates the signature over the query string as received', async () => {
    const { open, sessions } = await agent();
    await open('/ws?tenant=acme', signed(`${WSS_URL}?tenant=acme`));
    expect(sessions).toHaveLength(1);
    await expect(open('/ws?tenant=other', signed(`${WSS_URL}?tenant=acme`))).rejects.toThrow('403');
  });

  it('matches the worked handshake signature of the protocol reference', async () => {
    // conversationrelay.md §3.2: token 12345, wss://example.com/relay?tenant=acme.
    expect(twilioSignature('12345', 'wss://example.com/relay?tenant=acme')).toBe('B+YuLSOJLByIr13cLLqP1RG7fok=');
  });

  it('accepts an unsigned handshake when no auth token is configured', async () => {
    const { open, sessions } = await agent({ TWILIO_AUTH_TOKEN: undefined });
    await open('/ws');
    expect(sessions).toHaveLength(1);
  });

  it('refuses new calls with 503 after stopAccepting', async () => {
    const { app, open, sessions } = await agent();
    app.agent.stopAccepting();
    await expect(open('/ws', signed())).rejects.toThrow('Unexpected server response: 503');
    expect(sessions).toHaveLength(0);
  });

  it('closes with 1009 on a message over 1 MiB, logs it, and keeps serving other calls', async () => {
    const { app, open, exporter, lines } = await agent();
    const ws = await open('/ws', signed());
    const probe = probeSocket(ws);
    ws.send('x'.repeat(1024 * 1024 + 1));
    expect((await within(probe.closed, 5_000, 'the oversized-frame close')).code).toBe(1009);
    await eventually('the call log to be exported', () => exporter.exported.length === 1);
    expect(lines.some((l) => l.msg === 'relay socket error' && l.fields.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')).toBe(true);
    await open('/ws', signed());
    expect(app.agent.openCalls).toBe(1);
  });

  it('keeps the call when the session throws on a frame, logging the failure', async () => {
    const { open, sessions, lines } = await agent();
    const ws = await open('/ws', signed());
    const probe = probeSocket(ws);
    ws.send(JSON.stringify(SETUP));
    ws.send('not json'); // the fake session's JSON.parse throws
    ws.send(JSON.stringify({ type: 'prompt', voicePrompt: 'still there?', last: true }));
    expect(JSON.parse(await probe.nth(1))).toMatchObject({ token: 'You said: still there?' });
    expect(lines.find((l) => l.level === 'error' && l.msg === 'relay session failed on a frame')?.fields.callSid).toBe('CA1');
    expect(sessions).toHaveLength(1);
  });

  it('cutOpenCalls closes every open call with 1001 and each still exports', async () => {
    const { app, open, exporter } = await agent();
    const a = probeSocket(await open('/ws', signed()));
    const b = probeSocket(await open('/ws', signed()));
    expect(app.agent.cutOpenCalls('agent shutting down')).toBe(2);
    expect((await within(a.closed, 5_000, 'call a to be cut')).code).toBe(1001);
    expect((await within(b.closed, 5_000, 'call b to be cut')).code).toBe(1001);
    expect(await app.agent.whenIdle(1_000)).toBe(true);
    expect(exporter.exported).toHaveLength(2);
  });
});
