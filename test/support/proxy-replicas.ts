import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import websocket from '@fastify/websocket';
import Fastify from 'fastify';
import { onTestFinished } from 'vitest';
import { WebSocket } from 'ws';
import { buildRoundRobinProxy } from '../../simulator/proxy/round-robin-proxy.ts';
import type { RoundRobinProxy } from '../../simulator/proxy/round-robin-proxy.ts';
import type { RoundRobinProxyOptions } from '../../simulator/proxy/proxy-options.ts';

/** A queue of values with a promise for the n-th one, so tests await events instead of sleeping. */
export class Arrivals<T> {
  readonly items: T[] = [];
  #waiters: { n: number; resolve: (value: T) => void }[] = [];

  push(value: T): void {
    this.items.push(value);
    const ready = this.#waiters.filter((w) => w.n < this.items.length);
    this.#waiters = this.#waiters.filter((w) => w.n >= this.items.length);
    for (const w of ready) w.resolve(this.items[w.n] as T);
  }

  /** Resolves with the n-th (0-based) item. */
  nth(n: number): Promise<T> {
    return n < this.items.length ? Promise.resolve(this.items[n] as T) : new Promise((resolve) => this.#waiters.push({ n, resolve }));
  }
}

/** What a replica saw of one HTTP request. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** An open streamed (SSE) response the test writes to event by event. */
export interface OpenStream {
  readonly raw: ServerResponse;
  /** Resolves when the client side of this response went away. */
  readonly gone: Promise<void>;
  send(data: string): void;
  end(): void;
}

/** What a replica saw of one WebSocket. */
export interface SeenSocket {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly messages: Arrivals<string>;
  /** Resolves with the close code the replica received. */
  readonly closed: Promise<number>;
}

/** A Fastify + @fastify/websocket app standing in for agent replica `index`, on 127.0.0.1:0. */
export interface TestReplica {
  readonly index: number;
  readonly url: string;
  readonly requests: Arrivals<SeenRequest>;
  readonly streams: Arrivals<OpenStream>;
  readonly sockets: Arrivals<SeenSocket>;
}

/**
 * Starts replica `index`. Routes: GET /whoami (JSON with the index), POST /echo (records the body,
 * answers JSON), POST /stream-echo (pipes an octet-stream body straight back), GET /sse (held open
 * for the test to write), GET /half (promises 100 bytes, sends a few, drops the connection),
 * GET /ws (WebSocket: greets `hello:<index>`, echoes `<index>:<text>`, closes with `close:<code>`,
 * drops the TCP connection on `vanish`, echoes binary frames unchanged), GET /refuse-ws (403 to upgrades).
 */
export async function startReplica(index: number): Promise<TestReplica> {
  const app = Fastify({ logger: false });
  const requests = new Arrivals<SeenRequest>();
  const streams = new Arrivals<OpenStream>();
  const sockets = new Arrivals<SeenSocket>();
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  await app.register(websocket);
  app.get('/whoami', async (request) => ({ index, host: request.headers.host }));
  app.post('/echo', async (request) => {
    const seen = { method: request.method, url: request.url, headers: request.headers, body: String(request.body ?? '') };
    requests.push(seen);
    return { index, ...seen };
  });
  app.post('/stream-echo', (request, reply) => reply.type('application/octet-stream').send(request.body));
  app.get('/sse', (request, reply) => {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream', 'x-replica': String(index) });
    raw.flushHeaders();
    const gone = new Promise<void>((resolve) => request.raw.socket.once('close', () => resolve()));
    streams.push({ raw, gone, send: (data) => raw.write(`data: ${data}\n\n`), end: () => raw.end() });
  });
  app.get('/half', (request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
    reply.raw.write('only part of it', () => request.raw.socket.destroy());
  });
  app.get('/ws', { websocket: true }, (socket, request) => {
    const messages = new Arrivals<string>();
    const closed = new Promise<number>((resolve) => socket.once('close', (code: number) => resolve(code)));
    sockets.push({ url: request.url, headers: request.headers, messages, closed });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        socket.send(data, { binary: true });
        return;
      }
      const text = data.toString();
      messages.push(text);
      const close = /^close:(\d+)$/.exec(text);
      if (close) socket.close(Number(close[1]), 'asked to');
      else if (text === 'vanish') socket.terminate();
      else socket.send(`${index}:${text}`);
    });
    socket.send(`hello:${index}`);
  });
  app.get('/refuse-ws', { websocket: true }, () => {});
  app.addHook('onRequest', async (request, reply) => {
    if (request.url === '/refuse-ws') await reply.code(403).send({ refused: index });
  });
  onTestFinished(() => app.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { index, url: `http://127.0.0.1:${port}`, requests, streams, sockets };
}

/** A URL nothing listens on: a server bound and closed again, so connecting is refused. */
export async function deadTargetUrl(): Promise<string> {
  const app = Fastify({ logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  await app.close();
  return `http://127.0.0.1:${port}`;
}

/** A listening proxy for the test, closed when it finishes. */
export interface ListeningProxy {
  readonly proxy: RoundRobinProxy;
  readonly port: number;
  readonly httpUrl: string;
  readonly wsUrl: string;
}

/** Builds the proxy, listens on 127.0.0.1:0 and closes it when the test finishes. */
export async function startProxy(options: RoundRobinProxyOptions): Promise<ListeningProxy> {
  const proxy = buildRoundRobinProxy(options);
  onTestFinished(() => proxy.close());
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = proxy.server.address() as AddressInfo;
  return { proxy, port, httpUrl: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}` };
}

/** A buffered HTTP response. */
export interface SimpleResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One HTTP/1.1 request over node:http (unlike fetch it can set Host); `body` parts are written in turn. */
export function send(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | readonly string[] },
): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const parts = options.body === undefined ? [] : typeof options.body === 'string' ? [options.body] : options.body;
    for (const part of parts) req.write(part);
    req.end();
  });
}

/** A client WebSocket through the proxy, with its messages and its close code as awaitables. */
export interface TestClient {
  readonly ws: WebSocket;
  readonly messages: Arrivals<string>;
  readonly closed: Promise<number>;
}

/** Opens a WebSocket and resolves once it is open; closed (terminated) when the test finishes. */
export function openClient(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
  const ws = new WebSocket(url, { headers });
  // Errors after the handshake show up as the close code the tests assert on.
  ws.on('error', () => {});
  const messages = new Arrivals<string>();
  ws.on('message', (data: Buffer, isBinary: boolean) => messages.push(isBinary ? `<binary ${data.toString('hex')}>` : data.toString()));
  const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
  onTestFinished(() => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, messages, closed }));
    ws.once('error', reject);
  });
}

/** Attempts an upgrade expected to be refused; resolves with the HTTP status and body the client got. */
export function refusedUpgrade(url: string): Promise<{ status: number; body: string }> {
  const ws = new WebSocket(url);
  ws.on('error', () => {});
  onTestFinished(() => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once('open', () => reject(new Error(`upgrade to ${url} was accepted`)));
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() });
        ws.terminate();
      });
    });
    ws.once('error', (error) => reject(error));
  });
}
