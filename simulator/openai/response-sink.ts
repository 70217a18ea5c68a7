import type { ServerResponse } from 'node:http';

/**
 * Where the fake writes a response: a Node `ServerResponse` (Fastify, after hijack) or a web
 * `Response` (in-process `handle`). One interface keeps the protocol logic transport-free.
 */
export interface ResponseSink {
  /** Sends a complete response with a JSON body. */
  sendJson(status: number, headers: Readonly<Record<string, string>>, body: string): void;
  /** Sends the status line and headers of an event stream. */
  startStream(headers: Readonly<Record<string, string>>): void;
  /** Writes bytes of the stream. */
  write(data: string): void;
  /** Ends the stream normally. */
  end(): void;
  /** Drops the connection abruptly: the client sees a truncated body, not a clean end. */
  cut(): void;
  /** Calls `listener` once if the peer goes away before the response ended. */
  onPeerClosed(listener: () => void): void;
}

/** A sink over a Node `ServerResponse`; writes go straight to the socket, no stream wrappers. */
export function nodeResponseSink(res: ServerResponse): ResponseSink {
  let finished = false;
  return {
    sendJson(status, headers, body) {
      finished = true;
      res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    },
    startStream(headers) {
      res.writeHead(200, headers);
    },
    write(data) {
      res.write(data);
    },
    end() {
      finished = true;
      res.end();
    },
    cut() {
      finished = true;
      const socket = res.socket;
      if (!socket) return void res.destroy();
      // FIN after the queued chunks, then close: the client reads what was written and then hits a
      // truncated chunked body. A bare destroy() would RST and could discard those chunks.
      socket.once('finish', () => socket.destroy());
      socket.end();
    },
    onPeerClosed(listener) {
      res.once('close', () => {
        if (!finished) listener();
      });
    },
  };
}

/**
 * A sink that resolves a web `Response` (for msw handlers and injected `fetch`). The body is pulled:
 * chunks wait in a queue until the reader asks, so a scripted cut errors the body only after the
 * reader has taken every chunk written before it (`controller.error` would drop queued chunks).
 */
export function webResponseSink(signal: AbortSignal | undefined): { sink: ResponseSink; response: Promise<Response> } {
  const encoder = new TextEncoder();
  let resolve!: (response: Response) => void;
  const response = new Promise<Response>((r) => {
    resolve = r;
  });
  const queue: Uint8Array[] = [];
  let state: 'open' | 'ending' | 'cutting' | 'closed' = 'open';
  let wake: (() => void) | undefined;
  const peerClosed: (() => void)[] = [];
  const closedByPeer = (): void => {
    if (state !== 'open') return;
    state = 'closed';
    for (const listener of peerClosed) listener();
  };
  const deliver = (controller: ReadableStreamDefaultController<Uint8Array>): boolean => {
    const next = queue.shift();
    if (next) controller.enqueue(next);
    else if (state === 'ending') controller.close();
    else if (state === 'cutting') controller.error(new TypeError('terminated'));
    else return false;
    return true;
  };
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (deliver(controller)) return undefined;
        return new Promise<void>((done) => {
          wake = () => {
            wake = undefined;
            deliver(controller);
            done();
          };
        });
      },
      cancel: closedByPeer,
    },
    { highWaterMark: 0 },
  );
  signal?.addEventListener('abort', closedByPeer, { once: true });
  const finish = (next: 'ending' | 'cutting'): void => {
    if (state !== 'open') return;
    state = next;
    wake?.();
  };
  const sink: ResponseSink = {
    sendJson(status, headers, text) {
      state = 'closed';
      resolve(new Response(text, { status, headers: { ...headers, 'content-type': 'application/json' } }));
    },
    startStream(headers) {
      resolve(new Response(body, { status: 200, headers }));
    },
    write(data) {
      if (state !== 'open') return;
      queue.push(encoder.encode(data));
      wake?.();
    },
    end() {
      finish('ending');
    },
    cut() {
      finish('cutting');
      resolve(Response.error());
    },
    onPeerClosed(listener) {
      peerClosed.push(listener);
    },
  };
  return { sink, response };
}
