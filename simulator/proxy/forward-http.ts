import { request } from 'node:http';
import type { Agent, IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { forwardRequestHeaders, forwardResponseHeaders } from './hop-headers.ts';
import type { ProxyLogger, ProxyTarget } from './proxy-options.ts';
import type { RouteLog, RouteRecord } from './route-log.ts';

/** What the forwarders share with the proxy that owns them. */
export interface ForwardContext {
  readonly log: RouteLog;
  readonly logger: ProxyLogger;
  readonly agent: Agent;
  /** True once `close()` started, so cut routes are recorded as `proxy-closed`. */
  closing(): boolean;
}

/** Answers a request the proxy could not forward; `Connection: close` because the body may be unread. */
export function answerDirectly(response: ServerResponse, status: number, text: string): void {
  if (response.headersSent || response.destroyed) {
    response.destroy();
    return;
  }
  const body = Buffer.from(`${text}\n`);
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length, connection: 'close' });
  response.end(body);
}

/** Forwards one HTTP exchange to `target`, streaming both bodies; never throws. */
export function forwardHttp(
  context: ForwardContext,
  record: RouteRecord,
  target: ProxyTarget,
  clientRequest: IncomingMessage,
  clientResponse: ServerResponse,
): void {
  const { log, logger } = context;
  const upstream = request({
    hostname: target.hostname,
    port: target.port,
    method: clientRequest.method,
    path: clientRequest.url,
    headers: forwardRequestHeaders(clientRequest, { upgrade: false }),
    agent: context.agent,
  });

  let clientGone = false;
  // Set before pipeline() reacts, so the response it destroys is not mistaken for a client leaving.
  let targetBroke = false;
  clientRequest.on('error', () => {
    clientGone = true;
  });
  clientResponse.on('close', () => {
    if (clientResponse.writableFinished || targetBroke) return;
    clientGone = true;
    upstream.destroy();
    const outcome = context.closing() ? 'proxy-closed' : 'client-aborted';
    if (record.outcome === undefined) logger.info({ seq: record.seq, target: record.target, path: record.path }, `proxy: client left before the response ended (${outcome})`);
    log.end(record, outcome);
  });

  upstream.on('response', (targetResponse) => {
    const status = targetResponse.statusCode ?? 502;
    clientResponse.writeHead(status, targetResponse.statusMessage, forwardResponseHeaders(targetResponse.headers));
    // Streamed responses (SSE) must reach the client before the first body chunk exists.
    clientResponse.flushHeaders();
    log.respond(record, status);
    targetResponse.once('error', () => {
      targetBroke = !clientGone;
    });
    pipeline(targetResponse, clientResponse, (error) => {
      if (!error) {
        log.end(record, 'completed');
        return;
      }
      if (clientGone || context.closing()) return;
      logger.warn({ seq: record.seq, target: record.target, err: error.message }, 'proxy: replica broke off the response body');
      log.end(record, 'target-failed', `response body: ${error.message}`);
    });
  });

  upstream.on('error', (error) => {
    if (clientGone || context.closing()) return;
    const reason = `replica ${record.target} (${target.url}) failed: ${(error as NodeJS.ErrnoException).code ?? error.message}`;
    logger.warn({ seq: record.seq, target: record.target, path: record.path, err: error.message }, `proxy: ${reason}`);
    if (!clientResponse.headersSent) log.respond(record, 502);
    answerDirectly(clientResponse, 502, `Bad gateway: ${reason}`);
    log.end(record, 'target-failed', reason);
  });

  clientRequest.pipe(upstream);
}
