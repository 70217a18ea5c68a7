import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseFrameSniffer } from './close-frame-sniffer.ts';
import type { ForwardContext } from './forward-http.ts';
import { forwardRequestHeaders, rawResponseHead } from './hop-headers.ts';
import type { ProxyTarget } from './proxy-options.ts';
import type { RouteRecord } from './route-log.ts';

/** What the upgrade forwarder needs beyond {@link ForwardContext}: socket tracking for `close()`. */
export interface UpgradeContext extends ForwardContext {
  /** Registers a socket `close()` must destroy; it unregisters itself on close. */
  track(socket: Duplex): void;
}

/** Refuses an upgrade on the raw client socket with a plain HTTP response, then drops the socket. */
export function refuseUpgrade(socket: Duplex, status: number, message: string, text: string): void {
  if (socket.destroyed) return;
  const head = rawResponseHead(status, message, ['Content-Type', 'text/plain; charset=utf-8'], { close: true });
  socket.end(`${head}${text}\n`, () => socket.destroy());
}

type Side = 'client' | 'target';

/**
 * Forwards one upgrade to `target`: the request head goes through `http.request`, and after the
 * replica's 101 the two sockets are piped byte for byte, so frames, masks, extensions and close
 * codes pass unchanged. A replica that answers with anything else has that answer relayed.
 */
export function forwardUpgrade(context: UpgradeContext, record: RouteRecord, target: ProxyTarget, clientRequest: IncomingMessage, client: Duplex, head: Buffer): void {
  const { log, logger } = context;
  context.track(client);
  let upgraded = false;
  let firstGone: Side | undefined;
  const isWebSocket = (clientRequest.headers.upgrade ?? '').toLowerCase() === 'websocket';

  const upstream = request({
    hostname: target.hostname,
    port: target.port,
    method: clientRequest.method,
    path: clientRequest.url,
    headers: forwardRequestHeaders(clientRequest, { upgrade: true }),
    agent: context.agent,
  });

  client.on('error', (error) => {
    firstGone ??= 'client';
    if (!upgraded) logger.info({ seq: record.seq, err: error.message }, 'proxy: client socket failed during the upgrade');
  });
  let answered = false;
  client.on('close', () => {
    if (upgraded) return;
    upstream.destroy();
    // A relayed refusal is a finished route even when the client drops the socket before its body.
    log.end(record, answered ? 'completed' : context.closing() ? 'proxy-closed' : 'client-aborted');
  });

  upstream.on('upgrade', (targetResponse, targetSocket, targetHead) => {
    upgraded = true;
    context.track(targetSocket);
    if (client.destroyed) {
      targetSocket.destroy();
      log.end(record, context.closing() ? 'proxy-closed' : 'client-aborted');
      return;
    }
    const sniffers = isWebSocket ? { client: new CloseFrameSniffer(), target: new CloseFrameSniffer() } : undefined;
    const sniff = (side: Side, chunk: Buffer): void => {
      if (!sniffers || record.closeCode !== undefined) return;
      const code = sniffers[side].push(chunk);
      if (code === undefined) return;
      record.closeCode = code;
      record.closedBy = side;
    };
    client.write(rawResponseHead(targetResponse.statusCode ?? 101, targetResponse.statusMessage ?? 'Switching Protocols', targetResponse.rawHeaders, { close: false }));
    log.respond(record, targetResponse.statusCode ?? 101);
    if (targetHead.length > 0) {
      sniff('target', targetHead);
      client.write(targetHead);
    }
    if (head.length > 0) {
      sniff('client', head);
      targetSocket.write(head);
    }
    if (sniffers) {
      client.on('data', (chunk: Buffer) => sniff('client', chunk));
      targetSocket.on('data', (chunk: Buffer) => sniff('target', chunk));
    }
    client.pipe(targetSocket);
    targetSocket.pipe(client);

    let open = 2;
    const settle = (): void => {
      if (--open > 0) return;
      if (context.closing()) log.end(record, 'proxy-closed');
      else if (record.closeCode !== undefined) log.end(record, 'completed');
      else if (firstGone === 'client') log.end(record, 'client-aborted');
      else log.end(record, 'target-failed', 'the replica closed the WebSocket without a close frame');
    };
    const wire = (socket: Duplex, side: Side, other: Duplex): void => {
      socket.on('error', (error) => {
        firstGone ??= side;
        // After a close frame a reset is just a rough goodbye; before it the other side must learn at once.
        if (record.closeCode === undefined && !context.closing()) logger.warn({ seq: record.seq, side, err: error.message }, 'proxy: WebSocket socket failed');
        other.destroy();
      });
      socket.on('end', () => {
        firstGone ??= side;
      });
      socket.on('close', () => {
        firstGone ??= side;
        // pipe() only ends the other side on a clean end; a destroyed socket must end it too.
        if (!other.destroyed) other.end();
        settle();
      });
    };
    wire(client, 'client', targetSocket);
    wire(targetSocket, 'target', client);
  });

  upstream.on('response', (targetResponse) => {
    const status = targetResponse.statusCode ?? 502;
    answered = true;
    log.respond(record, status);
    client.write(rawResponseHead(status, targetResponse.statusMessage ?? '', targetResponse.rawHeaders, { close: true }));
    targetResponse.pipe(client);
    targetResponse.on('end', () => log.end(record, 'completed'));
    targetResponse.on('error', () => client.destroy());
  });

  upstream.on('error', (error) => {
    if (upgraded || record.outcome !== undefined || context.closing()) return;
    const reason = `replica ${record.target} (${target.url}) failed: ${(error as NodeJS.ErrnoException).code ?? error.message}`;
    logger.warn({ seq: record.seq, target: record.target, path: record.path, err: error.message }, `proxy: upgrade refused, ${reason}`);
    log.respond(record, 502);
    refuseUpgrade(client, 502, 'Bad Gateway', `Bad gateway: ${reason}`);
    log.end(record, 'target-failed', reason);
  });

  upstream.end();
}
