import { Agent, createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { SimErrors } from '../core/errors.ts';
import { answerDirectly, forwardHttp } from './forward-http.ts';
import type { ForwardContext } from './forward-http.ts';
import { forwardUpgrade, refuseUpgrade } from './forward-upgrade.ts';
import type { UpgradeContext } from './forward-upgrade.ts';
import { parseProxyTargets, silentProxyLogger } from './proxy-options.ts';
import type { RoundRobinProxyOptions, RouteKind } from './proxy-options.ts';
import { RouteLog } from './route-log.ts';
import type { RouteRecord } from './route-log.ts';

/** A round-robin reverse proxy in front of agent replicas; the caller listens on `server`. */
export interface RoundRobinProxy {
  /** Not listening yet: `server.listen(0, '127.0.0.1')`. */
  readonly server: Server;
  /** Every routed request in arrival order; records fill in as exchanges progress. */
  readonly routes: readonly RouteRecord[];
  /** Resolves with route `seq` once it has ended (it may not have arrived yet). */
  settled(seq: number): Promise<RouteRecord>;
  /** Stops accepting, cuts open exchanges and upgraded sockets, and resolves when the server is closed. */
  close(): Promise<void>;
}

/**
 * Builds a reverse proxy that sends each HTTP request and each WebSocket upgrade to the next
 * replica in turn, independently and without affinity, the way a plain load balancer would.
 */
export function buildRoundRobinProxy(options: RoundRobinProxyOptions): RoundRobinProxy {
  const targets = parseProxyTargets(options);
  const logger = options.logger ?? silentProxyLogger;
  const choose = options.choose ?? ((choice) => choice.seq % choice.targetCount);
  const log = new RouteLog(options.clock);
  // No upstream keep-alive: a pooled socket the replica is closing would turn a good request into a 502.
  const agent = new Agent({ keepAlive: false });
  const sockets = new Set<Duplex>();
  let closing = false;
  let closed: Promise<void> | undefined;

  const context: ForwardContext & UpgradeContext = {
    log,
    logger,
    agent,
    closing: () => closing,
    track(socket) {
      if (closing) {
        socket.destroy();
        return;
      }
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    },
  };

  /** Opens the route record and picks its target; a misbehaving hook yields the error text instead. */
  function route(kind: RouteKind, request: IncomingMessage): { record: RouteRecord; error?: string } {
    const record = log.open(kind, request.method ?? 'GET', request.url ?? '/');
    let index: unknown;
    try {
      index = choose({ seq: record.seq, kind, method: record.method, path: record.path, targetCount: targets.length });
    } catch (error) {
      index = `a thrown error (${error instanceof Error ? error.message : String(error)})`;
    }
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= targets.length) {
      const error = new SimErrors.SIM_ERR_PROXY_CHOICE_INVALID(typeof index === 'string' ? index : String(index), record.seq, targets.length - 1);
      logger.error({ seq: record.seq, code: error.code, path: record.path }, error.message);
      return { record, error: `${error.code}: ${error.message}` };
    }
    record.target = index;
    return { record };
  }

  const server = createServer((request, response) => {
    const { record, error } = route('http', request);
    const target = targets[record.target];
    if (error !== undefined || target === undefined) {
      log.respond(record, 500);
      answerDirectly(response, 500, error ?? 'no target');
      log.end(record, 'proxy-error', error);
      return;
    }
    forwardHttp(context, record, target, request, response);
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    if (closing) {
      socket.destroy();
      return;
    }
    const { record, error } = route('ws', request);
    const target = targets[record.target];
    if (error !== undefined || target === undefined) {
      log.respond(record, 500);
      refuseUpgrade(socket, 500, 'Internal Server Error', error ?? 'no target');
      log.end(record, 'proxy-error', error);
      return;
    }
    forwardUpgrade(context, record, target, request, socket, head);
  });

  return {
    server,
    routes: log.records,
    settled: (seq) => log.settled(seq),
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
        agent.destroy();
        for (const record of log.records) log.end(record, 'proxy-closed');
      });
      return closed;
    },
  };
}
