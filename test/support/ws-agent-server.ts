import type { IncomingHttpHeaders } from 'node:http';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { onTestFinished } from 'vitest';

/** One accepted socket of the scripted agent, with what it received. */
export interface AgentConnection {
  readonly socket: WebSocket;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly received: string[];
  /** Resolves with the n-th (0-based) received text message. */
  message(n: number): Promise<string>;
  send(value: unknown): void;
}

/** A tiny `ws` server on 127.0.0.1:0 standing in for an agent; closed when the test finishes. */
export interface ScriptedAgentServer {
  readonly port: number;
  /** `wss://127.0.0.1:<port><path>`: the URL a TwiML document would carry. */
  wssUrl(path?: string): string;
  /** Resolves with the n-th (0-based) accepted connection. */
  connection(n?: number): Promise<AgentConnection>;
}

/** Starts the scripted agent; `reject` answers the upgrade with that HTTP status instead. */
export async function startScriptedAgent(options: { reject?: number } = {}): Promise<ScriptedAgentServer> {
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    verifyClient: (_info, done) => (options.reject ? done(false, options.reject) : done(true)),
  });
  const connections: AgentConnection[] = [];
  const waiting: { n: number; resolve: (c: AgentConnection) => void }[] = [];
  server.on('connection', (socket, request) => {
    const received: string[] = [];
    const messageWaiters: { n: number; resolve: (m: string) => void }[] = [];
    socket.on('message', (data, isBinary) => {
      received.push(isBinary ? `<binary>` : data.toString());
      for (const w of messageWaiters.filter((w) => w.n < received.length)) w.resolve(received[w.n] ?? '');
    });
    const connection: AgentConnection = {
      socket,
      url: request.url ?? '',
      headers: request.headers,
      received,
      message: (n) => (n < received.length ? Promise.resolve(received[n] ?? '') : new Promise((resolve) => messageWaiters.push({ n, resolve }))),
      send: (value) => socket.send(typeof value === 'string' ? value : JSON.stringify(value)),
    };
    connections.push(connection);
    for (const w of waiting.filter((w) => w.n < connections.length)) w.resolve(connections[w.n] as AgentConnection);
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    wssUrl: (path = '/relay') => `wss://127.0.0.1:${port}${path}`,
    connection: (n = 0) =>
      n < connections.length ? Promise.resolve(connections[n] as AgentConnection) : new Promise((resolve) => waiting.push({ n, resolve })),
  };
}
