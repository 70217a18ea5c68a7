import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../simulator/core/manual-clock.ts';
import { deadTargetUrl, openClient, refusedUpgrade, send, startProxy, startReplica } from '../../support/proxy-replicas.ts';

async function replicas(count: number) {
  return Promise.all(Array.from({ length: count }, (_, i) => startReplica(i)));
}

describe('buildRoundRobinProxy over HTTP', () => {
  it('sends successive requests to successive replicas and records each route', async () => {
    const clock = new ManualClock();
    const targets = await replicas(3);
    const { proxy, port } = await startProxy({ targets: targets.map((t) => t.url), clock });
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await send(port, { path: `/whoami?i=${i}` });
      expect(response.status).toBe(200);
      seen.push((JSON.parse(response.body) as { index: number }).index);
      clock.advance(10);
    }
    expect(seen).toEqual([0, 1, 2, 0, 1, 2]);
    await proxy.settled(5);
    expect(proxy.routes.map((r) => [r.seq, r.kind, r.method, r.path, r.target, r.status, r.outcome])).toEqual(
      Array.from({ length: 6 }, (_, i) => [i, 'http', 'GET', `/whoami?i=${i}`, i % 3, 200, 'completed']),
    );
    expect(proxy.routes.map((r) => r.startedAt)).toEqual([0, 10, 20, 30, 40, 50]);
  });

  it('passes the body and the Host, signature and forwarded headers through unchanged', async () => {
    const [replica] = await replicas(1);
    const { port } = await startProxy({ targets: [replica!.url], clock: new ManualClock() });
    const body = 'CallSid=CA123&From=%2B15550001111&To=%2B15550002222';
    const response = await send(port, {
      method: 'POST',
      path: '/echo?x=1',
      headers: {
        host: 'agent.example.com',
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(Buffer.byteLength(body)),
        'x-twilio-signature': 'abc+/=',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'public.example.com',
        'x-forwarded-for': '203.0.113.9',
      },
      body,
    });
    expect(response.status).toBe(200);
    const seen = await replica!.requests.nth(0);
    expect(seen.url).toBe('/echo?x=1');
    expect(seen.body).toBe(body);
    expect(seen.headers.host).toBe('agent.example.com');
    expect(seen.headers['x-twilio-signature']).toBe('abc+/=');
    expect(seen.headers['x-forwarded-proto']).toBe('https');
    expect(seen.headers['x-forwarded-host']).toBe('public.example.com');
    expect(seen.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(seen.headers['content-length']).toBe(String(body.length));
  });

  it('adds X-Forwarded-For without inventing X-Forwarded-Proto or X-Forwarded-Host', async () => {
    const [replica] = await replicas(1);
    const { port } = await startProxy({ targets: [replica!.url], clock: new ManualClock() });
    await send(port, { method: 'POST', path: '/echo', headers: { 'content-type': 'text/plain' }, body: 'x' });
    const seen = await replica!.requests.nth(0);
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBeUndefined();
    expect(seen.headers['x-forwarded-host']).toBeUndefined();
    expect(seen.headers.host).toBe(`127.0.0.1:${port}`);
  });

  it('re-chunks a chunked request body', async () => {
    const [replica] = await replicas(1);
    const { port } = await startProxy({ targets: [replica!.url], clock: new ManualClock() });
    const response = await send(port, { method: 'POST', path: '/echo', headers: { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' }, body: ['first,', 'second'] });
    expect(response.status).toBe(200);
    const seen = await replica!.requests.nth(0);
    expect(seen.body).toBe('first,second');
    expect(seen.headers['transfer-encoding']).toBe('chunked');
  });

  it('streams a large body to the replica and back byte for byte', async () => {
    const [replica] = await replicas(1);
    const { proxy, httpUrl } = await startProxy({ targets: [replica!.url], clock: new ManualClock() });
    const payload = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + (i >> 11)) & 0xff;
    const response = await fetch(`${httpUrl}/stream-echo`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: payload });
    const echoed = Buffer.from(await response.arrayBuffer());
    expect(response.status).toBe(200);
    expect(echoed.length).toBe(payload.length);
    expect(echoed.equals(payload)).toBe(true);
    expect((await proxy.settled(0)).outcome).toBe('completed');
  });

  it('streams server-sent events as they are written', async () => {
    const clock = new ManualClock();
    const [replica] = await replicas(1);
    const { proxy, httpUrl } = await startProxy({ targets: [replica!.url], clock });
    const response = await fetch(`${httpUrl}/sse`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('x-replica')).toBe('0');
    const stream = await replica!.streams.nth(0);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    stream.send('one');
    // The second event is only written after the first arrived, so arrival proves nothing was buffered.
    expect(decoder.decode((await reader.read()).value)).toBe('data: one\n\n');
    stream.send('two');
    expect(decoder.decode((await reader.read()).value)).toBe('data: two\n\n');
    clock.advance(7);
    stream.end();
    expect((await reader.read()).done).toBe(true);
    const route = await proxy.settled(0);
    expect(route).toMatchObject({ status: 200, outcome: 'completed', startedAt: 0, respondedAt: 0, endedAt: 7 });
  });

  it('releases the replica when the client aborts a streamed response', async () => {
    const [replica] = await replicas(1);
    const { proxy, httpUrl } = await startProxy({ targets: [replica!.url], clock: new ManualClock() });
    const controller = new AbortController();
    const response = await fetch(`${httpUrl}/sse`, { signal: controller.signal });
    const stream = await replica!.streams.nth(0);
    stream.send('one');
    await response.body!.getReader().read();
    controller.abort();
    await stream.gone;
    expect((await proxy.settled(0)).outcome).toBe('client-aborted');
  });

  it('records a client that abandons its upload and keeps serving', async () => {
    const [replica] = await replicas(1);
    const { proxy, port } = await startProxy({ targets: [replica!.url], clock: new ManualClock() });
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nonly ten b');
    // The route exists once the proxy has parsed the head; then the client vanishes mid-body.
    const pending = proxy.settled(0);
    await new Promise<void>((resolve) => proxy.server.once('request', () => resolve()));
    socket.destroy();
    expect(await pending).toMatchObject({ target: 0, outcome: 'client-aborted' });
    expect((await send(port, { path: '/whoami' })).status).toBe(200);
  });

  it('answers 502 for a dead replica and keeps serving the others', async () => {
    const dead = await deadTargetUrl();
    const [live] = await replicas(1);
    const { proxy, port } = await startProxy({ targets: [dead, live!.url], clock: new ManualClock() });
    const failed = await send(port, { method: 'POST', path: '/echo', headers: { 'content-type': 'text/plain' }, body: 'lost' });
    expect(failed.status).toBe(502);
    expect(failed.body).toContain(`replica 0 (${dead})`);
    expect(failed.body).toContain('ECONNREFUSED');
    const served = await send(port, { path: '/whoami' });
    expect(JSON.parse(served.body)).toMatchObject({ index: 0 });
    expect(served.status).toBe(200);
    expect(proxy.routes[0]).toMatchObject({ target: 0, status: 502, outcome: 'target-failed' });
    expect(proxy.routes[0]!.error).toContain('ECONNREFUSED');
    expect(proxy.routes[1]).toMatchObject({ target: 1, status: 200, outcome: 'completed' });
  });

  it('cuts the client connection when a replica breaks off mid-body', async () => {
    const warnings: string[] = [];
    const logger = { info() {}, error() {}, warn: (_: unknown, message: string) => warnings.push(message) };
    const [replica] = await replicas(1);
    const { proxy, port } = await startProxy({ targets: [replica!.url], clock: new ManualClock(), logger });
    await expect(send(port, { path: '/half' })).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
    expect(await proxy.settled(0)).toMatchObject({ status: 200, outcome: 'target-failed' });
    expect(warnings).toEqual(['proxy: replica broke off the response body']);
    expect((await send(port, { path: '/whoami' })).status).toBe(200);
  });

  it('follows the choose hook and answers 500 with a code when it returns no valid index', async () => {
    const targets = await replicas(2);
    const forced = [1, 1, 0, 7];
    const errors: string[] = [];
    const logger = { info() {}, warn() {}, error: (_: unknown, message: string) => errors.push(message) };
    const { proxy, port } = await startProxy({ targets: targets.map((t) => t.url), clock: new ManualClock(), logger, choose: ({ seq }) => forced[seq] ?? 0 });
    const indexes = [];
    for (let i = 0; i < 3; i++) indexes.push((JSON.parse((await send(port, { path: '/whoami' })).body) as { index: number }).index);
    expect(indexes).toEqual([1, 1, 0]);
    const bad = await send(port, { path: '/whoami' });
    expect(bad.status).toBe(500);
    expect(bad.body).toContain('SIM_ERR_PROXY_CHOICE_INVALID');
    expect(proxy.routes[3]).toMatchObject({ target: -1, status: 500, outcome: 'proxy-error' });
    expect(errors).toHaveLength(1);
    expect((await send(port, { path: '/whoami' })).status).toBe(200);
  });
});

describe('buildRoundRobinProxy over WebSocket', () => {
  it('routes registrations and calls independently, so they can land on different replicas', async () => {
    const targets = await replicas(2);
    const { proxy, port, wsUrl } = await startProxy({ targets: targets.map((t) => t.url), clock: new ManualClock() });
    const registered = await send(port, { method: 'POST', path: '/echo', headers: { 'content-type': 'application/json' }, body: '{"simulation_output_id":"sim-1"}' });
    expect(JSON.parse(registered.body)).toMatchObject({ index: 0 });
    const call = await openClient(`${wsUrl}/ws`);
    expect(await call.messages.nth(0)).toBe('hello:1');
    expect(proxy.routes.map((r) => [r.kind, r.target])).toEqual([
      ['http', 0],
      ['ws', 1],
    ]);
  });

  it('carries text and binary frames both ways and the client close code to the replica', async () => {
    const [replica] = await replicas(1);
    const { proxy, wsUrl } = await startProxy({ targets: [replica!.url], clock: new ManualClock() });
    const client = await openClient(`${wsUrl}/ws?call=1`, { host: 'agent.example.com', 'x-twilio-signature': 'sig' });
    const seen = await replica!.sockets.nth(0);
    expect(seen.url).toBe('/ws?call=1');
    expect(seen.headers.host).toBe('agent.example.com');
    expect(seen.headers['x-twilio-signature']).toBe('sig');
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(await client.messages.nth(0)).toBe('hello:0');
    client.ws.send('ping');
    expect(await seen.messages.nth(0)).toBe('ping');
    expect(await client.messages.nth(1)).toBe('0:ping');
    const big = 'x'.repeat(200_000);
    client.ws.send(big);
    expect(await client.messages.nth(2)).toBe(`0:${big}`);
    client.ws.send(Buffer.from([0, 1, 2, 255]));
    expect(await client.messages.nth(3)).toBe('<binary 000102ff>');
    client.ws.close(1000, 'bye');
    expect(await seen.closed).toBe(1000);
    expect(await client.closed).toBe(1000);
    expect(await proxy.settled(0)).toMatchObject({ kind: 'ws', status: 101, closeCode: 1000, closedBy: 'client', outcome: 'completed' });
  });

  it('carries the replica close code to the client', async () => {
    const [replica] = await replicas(1);
    const { proxy, wsUrl } = await startProxy({ targets: [replica!.url], clock: new ManualClock() });
    const client = await openClient(`${wsUrl}/ws`);
    client.ws.send('close:1007');
    expect(await client.closed).toBe(1007);
    expect(await proxy.settled(0)).toMatchObject({ closeCode: 1007, closedBy: 'target', outcome: 'completed' });
  });

  it('records a replica that drops the connection without a close frame', async () => {
    const [replica] = await replicas(1);
    const { proxy, wsUrl } = await startProxy({ targets: [replica!.url], clock: new ManualClock() });
    const client = await openClient(`${wsUrl}/ws`);
    client.ws.send('vanish');
    expect(await client.closed).toBe(1006);
    const route = await proxy.settled(0);
    expect(route).toMatchObject({ status: 101, outcome: 'target-failed' });
    expect(route.closeCode).toBeUndefined();
  });

  it('relays a replica refusing the upgrade', async () => {
    const [replica] = await replicas(1);
    const { proxy, wsUrl } = await startProxy({ targets: [replica!.url], clock: new ManualClock() });
    const refused = await refusedUpgrade(`${wsUrl}/refuse-ws`);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toEqual({ refused: 0 });
    expect(await proxy.settled(0)).toMatchObject({ kind: 'ws', status: 403, outcome: 'completed' });
  });

  it('refuses the upgrade with 502 for a dead replica and keeps serving', async () => {
    const dead = await deadTargetUrl();
    const [live] = await replicas(1);
    const { proxy, wsUrl } = await startProxy({ targets: [dead, live!.url], clock: new ManualClock() });
    const refused = await refusedUpgrade(`${wsUrl}/ws`);
    expect(refused.status).toBe(502);
    expect(refused.body).toContain('ECONNREFUSED');
    expect(await proxy.settled(0)).toMatchObject({ target: 0, status: 502, outcome: 'target-failed' });
    const client = await openClient(`${wsUrl}/ws`);
    expect(await client.messages.nth(0)).toBe('hello:0');
  });

  it('closes open sockets on both sides when the proxy closes', async () => {
    const targets = await replicas(2);
    const { proxy, wsUrl } = await startProxy({ targets: targets.map((t) => t.url), clock: new ManualClock() });
    const clients = await Promise.all([0, 1, 2].map(() => openClient(`${wsUrl}/ws`)));
    await Promise.all(clients.map((c) => c.messages.nth(0)));
    await proxy.close();
    expect(await Promise.all(clients.map((c) => c.closed))).toEqual([1006, 1006, 1006]);
    const seen = await Promise.all([targets[0]!.sockets.nth(0), targets[1]!.sockets.nth(0), targets[0]!.sockets.nth(1)]);
    const replicaSide = await Promise.all(seen.map((s) => s.closed));
    expect(replicaSide).toEqual([1006, 1006, 1006]);
    expect(proxy.routes.map((r) => r.outcome)).toEqual(['proxy-closed', 'proxy-closed', 'proxy-closed']);
    expect(proxy.server.listening).toBe(false);
  });

  it('serves 200 concurrent WebSockets, spread evenly', async () => {
    const targets = await replicas(4);
    const { proxy, wsUrl } = await startProxy({ targets: targets.map((t) => t.url), clock: new ManualClock() });
    const clients = await Promise.all(Array.from({ length: 200 }, () => openClient(`${wsUrl}/ws`)));
    const hellos = await Promise.all(clients.map((c) => c.messages.nth(0)));
    for (const [i, client] of clients.entries()) client.ws.send(`m${i}`);
    const echoes = await Promise.all(clients.map((c) => c.messages.nth(1)));
    echoes.forEach((echo, i) => expect(echo).toBe(`${hellos[i]!.slice('hello:'.length)}:m${i}`));
    const perReplica = [0, 1, 2, 3].map((r) => hellos.filter((h) => h === `hello:${r}`).length);
    expect(perReplica).toEqual([50, 50, 50, 50]);
    for (const client of clients) client.ws.close(1000);
    expect(new Set(await Promise.all(clients.map((c) => c.closed)))).toEqual(new Set([1000]));
    const routes = await Promise.all(clients.map((_, i) => proxy.settled(i)));
    expect(routes.every((r) => r.outcome === 'completed' && r.closeCode === 1000)).toBe(true);
  });
});
