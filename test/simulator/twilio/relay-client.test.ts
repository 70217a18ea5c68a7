import { describe, expect, it, onTestFinished } from 'vitest';
import { ManualClock } from '../../../simulator/core/manual-clock.ts';
import { connectRelayClient, isLoopbackHost } from '../../../simulator/twilio/relay-client.ts';
import type { RelayClient } from '../../../simulator/twilio/relay-client.ts';
import { computeTwilioSignature, verifyTwilioSignature } from '../../../simulator/twilio/signature.ts';
import { startScriptedAgent } from '../../support/ws-agent-server.ts';

const TOKEN = 'test_auth_token';

function open(url: string, clock = new ManualClock(), extra: Partial<Parameters<typeof connectRelayClient>[0]> = {}): RelayClient {
  const client = connectRelayClient({ url, authToken: TOKEN, clock, ...extra });
  onTestFinished(() => client.terminate());
  return client;
}

describe('RelayClient', () => {
  it('signs the handshake over the exact wss URL and dials ws:// for a loopback host', async () => {
    const agent = await startScriptedAgent();
    const url = `${agent.wssUrl('/relay')}?tenant=acme&x=%20y`;
    const client = open(url);
    expect(await client.connected).toMatchObject({ status: 'open' });
    const conn = await agent.connection();
    expect(conn.url).toBe('/relay?tenant=acme&x=%20y');
    expect(conn.headers['x-twilio-signature']).toBe(computeTwilioSignature(TOKEN, url));
    expect(verifyTwilioSignature(TOKEN, conn.headers['x-twilio-signature'] as string, url)).toBe(true);
    expect(verifyTwilioSignature(TOKEN, conn.headers['x-twilio-signature'] as string, url.replace('wss:', 'ws:'))).toBe(false);
    expect(conn.headers['user-agent']).toBe('Twilio.TmeWs/1.0');
    expect(conn.headers['x-forwarded-proto']).toBe('https');
    expect(conn.headers['sec-websocket-protocol']).toBeUndefined();
    expect(conn.headers.origin).toBeUndefined();
    expect(conn.headers['sec-websocket-extensions']).toBeUndefined();
    expect(client.handshake).toMatchObject({ signedUrl: url, connectUrl: url.replace('wss:', 'ws:'), downgraded: true });
    expect(client.handshake.requestHeaders).toMatchObject({ 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': new URL(url).host });
    expect(client.handshakeRecord.status).toBe(101);
  });

  it('keeps wss:// when TLS is configured or the host is not loopback', () => {
    const withTls = open('wss://127.0.0.1:1/relay', new ManualClock(), { tls: { rejectUnauthorized: false } });
    expect(withTls.handshake).toMatchObject({ connectUrl: 'wss://127.0.0.1:1/relay', downgraded: false });
    expect(withTls.handshake.requestHeaders['X-Forwarded-Proto']).toBeUndefined();
    const remote = open('wss://agent.invalid/relay');
    expect(remote.handshake).toMatchObject({ connectUrl: 'wss://agent.invalid/relay', downgraded: false });
  });

  it('recognises loopback hosts', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '[::1]', '::1']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['128.0.0.1', '10.0.0.1', 'example.com', '[::2]', '127.0.0.1.example.com']) expect(isLoopbackHost(host)).toBe(false);
  });

  it('records every frame both ways with simulator-clock times, JSON parsed, binary as base64', async () => {
    const clock = new ManualClock({ startMs: 1_000 });
    const agent = await startScriptedAgent();
    const client = open(agent.wssUrl(), clock);
    await client.connected;
    const conn = await agent.connection();
    expect(client.send({ type: 'setup' })).toBe(true);
    await conn.message(0);
    clock.advance(250);
    conn.send({ type: 'text', token: 'Hi', last: true });
    conn.send('not json');
    conn.socket.send(Buffer.from([1, 2, 3]));
    await client.waitFor((f) => f.binary === true, { timeoutMs: 1000, description: 'the binary frame' });
    expect(client.frames).toEqual([
      { index: 0, dir: 'out', at: 1_000, raw: '{"type":"setup"}', parsed: { type: 'setup' } },
      { index: 1, dir: 'in', at: 1_250, raw: '{"type":"text","token":"Hi","last":true}', parsed: { type: 'text', token: 'Hi', last: true } },
      { index: 2, dir: 'in', at: 1_250, raw: 'not json' },
      { index: 3, dir: 'in', at: 1_250, raw: 'AQID', binary: true },
    ]);
  });

  it('nextFrame walks the received frames in order, skipping other types, and misses nothing', async () => {
    const agent = await startScriptedAgent();
    const client = open(agent.wssUrl());
    await client.connected;
    const conn = await agent.connection();
    conn.send({ type: 'text', token: 'a' });
    conn.send({ type: 'play', source: 'https://x/a.mp3' });
    conn.send({ type: 'text', token: 'b' });
    expect((await client.nextFrame({ type: 'play', timeoutMs: 1000 })).parsed).toMatchObject({ type: 'play' });
    expect((await client.nextFrame({ timeoutMs: 1000 })).parsed).toMatchObject({ token: 'b' });
    const later = client.nextFrame({ type: 'end', timeoutMs: 1000 });
    conn.send({ type: 'end' });
    expect((await later).index).toBe(3);
  });

  it('times out on the simulator clock with an error naming what and how long', async () => {
    const clock = new ManualClock();
    const agent = await startScriptedAgent();
    const client = open(agent.wssUrl(), clock);
    await client.connected;
    const waiting = client.nextFrame({ type: 'text', timeoutMs: 2_000 });
    const custom = client.waitFor(() => false, { timeoutMs: 500, description: 'the agent to say goodbye' });
    clock.advance(500);
    await expect(custom).rejects.toMatchObject({ code: 'SIM_ERR_WAIT_TIMEOUT', message: 'Timed out after 500 ms waiting for the agent to say goodbye' });
    clock.advance(1_499);
    let settled = false;
    void waiting.catch(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    clock.advance(1);
    await expect(waiting).rejects.toMatchObject({ code: 'SIM_ERR_WAIT_TIMEOUT', message: "Timed out after 2000 ms waiting for the next agent frame of type 'text'" });
  });

  it('reports an agent close with its code and reason and fails pending waits at once', async () => {
    const agent = await startScriptedAgent();
    const client = open(agent.wssUrl());
    await client.connected;
    const conn = await agent.connection();
    const waiting = client.nextFrame({ type: 'text', timeoutMs: 60_000 });
    conn.socket.close(4001, 'bye');
    expect(await client.closed).toMatchObject({ code: 4001, reason: 'bye', initiatedBy: 'agent', wasOpen: true });
    await expect(waiting).rejects.toMatchObject({ code: 'SIM_ERR_TWILIO_SOCKET_CLOSED' });
    await expect(client.nextFrame({ timeoutMs: 1 })).rejects.toMatchObject({ code: 'SIM_ERR_TWILIO_SOCKET_CLOSED' });
    expect(client.send({ type: 'prompt' })).toBe(false);
    expect(client.frames.at(-1)).toMatchObject({ dir: 'out', unsent: true });
  });

  it('reports its own close as initiated by the simulator', async () => {
    const agent = await startScriptedAgent();
    const client = open(agent.wssUrl());
    await client.connected;
    client.close(1000);
    expect(await client.closed).toMatchObject({ code: 1000, initiatedBy: 'simulator' });
  });

  it('returns a failed outcome with the HTTP status when the agent refuses the upgrade', async () => {
    const agent = await startScriptedAgent({ reject: 403 });
    const client = open(agent.wssUrl());
    expect(await client.connected).toMatchObject({ status: 'failed', httpStatus: 403, reason: 'the server answered the upgrade with HTTP 403 instead of 101' });
    expect(await client.closed).toMatchObject({ wasOpen: false });
  });

  it('can send a missing or wrong handshake signature for security probes', async () => {
    const agent = await startScriptedAgent();
    const missing = open(agent.wssUrl(), new ManualClock(), { signing: 'missing' });
    await missing.connected;
    const wrong = open(agent.wssUrl(), new ManualClock(), { signing: 'wrong' });
    await wrong.connected;
    expect((await agent.connection(0)).headers['x-twilio-signature']).toBeUndefined();
    const sig = (await agent.connection(1)).headers['x-twilio-signature'] as string;
    expect(sig).toHaveLength(28);
    expect(verifyTwilioSignature(TOKEN, sig, agent.wssUrl())).toBe(false);
  });
});
