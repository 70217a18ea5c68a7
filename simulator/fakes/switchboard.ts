import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { SimErrors } from '../core/errors.ts';

/** A request that reached the switchboard while no run was active, kept for diagnosis. */
export interface StrayRequest {
  readonly method: string;
  readonly url: string;
  readonly simulationId: string | null;
}

/**
 * One listening HTTP server whose requests go to whichever Fastify app is plugged in now. An agent
 * is started once with this server's URL and then serves many runs; each run plugs in its own
 * fresh fake (fresh history, ids and script), so nothing leaks from one run into the next and the
 * agent never needs restarting. Fastify's `routing(req, res)` handles the request as if the app
 * listened itself: streaming, hijacked replies and connection resets behave exactly the same.
 */
export class Switchboard {
  readonly #server: Server;
  readonly #strays: StrayRequest[] = [];
  #current: FastifyInstance | undefined;
  #url: string | undefined;

  constructor() {
    this.#server = createServer((req, res) => this.#route(req, res));
    // Agents keep connections alive between runs; keep-alive must not outlive a run's fake silently.
    this.#server.keepAliveTimeout = 5_000;
  }

  /** Listens on `host:port` (port 0 picks one); resolves with `http://host:port`. */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const address = this.#server.address() as AddressInfo;
    this.#url = `http://${host}:${address.port}`;
    return this.#url;
  }

  /** The base URL once listening. */
  get url(): string {
    if (this.#url === undefined) throw new SimErrors.SIM_ERR_RUNNER_OPTIONS_INVALID('Switchboard.url was read before listen() resolved');
    return this.#url;
  }

  /** Routes every following request to `app` (which must be ready). */
  plug(app: FastifyInstance): void {
    this.#current = app;
  }

  /** Stops routing; later requests are answered 503 and kept as strays. */
  unplug(): void {
    this.#current = undefined;
  }

  /** Requests that arrived with nothing plugged in. */
  strays(): readonly StrayRequest[] {
    return [...this.#strays];
  }

  /** Closes the server and every connection it holds. */
  async close(): Promise<void> {
    this.#current = undefined;
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  #route(req: IncomingMessage, res: ServerResponse): void {
    const app = this.#current;
    if (app !== undefined) {
      app.routing(req, res);
      return;
    }
    const id = req.headers['x-simulation-id'];
    this.#strays.push({ method: req.method ?? '', url: req.url ?? '', simulationId: typeof id === 'string' ? id : null });
    req.resume();
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
    res.end(JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'relaysim: no scenario run is active on this fake right now' } }));
  }
}
