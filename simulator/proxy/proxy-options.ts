import type { Clock } from '../core/clock.ts';
import { SimErrors } from '../core/errors.ts';

/** What a routed request was: a plain HTTP exchange or a WebSocket upgrade. */
export type RouteKind = 'http' | 'ws';

/** What the `choose` hook sees about the request being routed. */
export interface RouteChoice {
  /** 0-based arrival order over every request the proxy routes, HTTP and WebSocket alike. */
  readonly seq: number;
  readonly kind: RouteKind;
  readonly method: string;
  readonly path: string;
  /** How many targets there are; the hook returns an index below this. */
  readonly targetCount: number;
}

/** Pino-compatible logging; the proxy logs failures and what it gave up on, each with the route seq. */
export interface ProxyLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Options of {@link buildRoundRobinProxy}. */
export interface RoundRobinProxyOptions {
  /** Base URLs of the replicas, e.g. `http://127.0.0.1:4001`; plain http, no path. */
  readonly targets: readonly string[];
  /** Timestamps of the route records. */
  readonly clock: Clock;
  readonly logger?: ProxyLogger;
  /** Overrides round-robin (tests force a target sequence); default `seq % targetCount`. */
  readonly choose?: (choice: RouteChoice) => number;
}

/** A validated replica address. */
export interface ProxyTarget {
  readonly url: string;
  readonly hostname: string;
  readonly port: number;
}

/** A logger that drops everything, for callers that pass none. */
export const silentProxyLogger: ProxyLogger = { info() {}, warn() {}, error() {} };

function invalid(reason: string): Error {
  return new SimErrors.SIM_ERR_PROXY_OPTIONS_INVALID(reason);
}

function parseTarget(raw: unknown, index: number): ProxyTarget {
  if (typeof raw !== 'string') throw invalid(`targets[${index}] must be a URL string (actual: ${typeof raw})`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`targets[${index}] '${raw}' is not a URL; use http://host:port`);
  }
  if (url.protocol !== 'http:') throw invalid(`targets[${index}] '${raw}' must use http: (the proxy speaks plain HTTP to replicas)`);
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw invalid(`targets[${index}] '${raw}' must be a bare base URL (no path, query, fragment or credentials)`);
  }
  // URL keeps IPv6 brackets in hostname; node:http wants the bare literal.
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { url: url.origin, hostname, port: url.port === '' ? 80 : Number(url.port) };
}

/** Validates the options at the edge; throws SIM_ERR_PROXY_OPTIONS_INVALID naming the bad field. */
export function parseProxyTargets(options: RoundRobinProxyOptions): ProxyTarget[] {
  if (typeof options !== 'object' || options === null) throw invalid('options must be an object');
  if (!Array.isArray(options.targets) || options.targets.length === 0) {
    throw invalid('targets must be a non-empty array of replica base URLs');
  }
  const clock: unknown = options.clock;
  if (typeof clock !== 'object' || clock === null || typeof (clock as { now?: unknown }).now !== 'function') {
    throw invalid('clock is required (pass systemClock or a ManualClock)');
  }
  if (options.choose !== undefined && typeof options.choose !== 'function') throw invalid('choose must be a function');
  return options.targets.map(parseTarget);
}
