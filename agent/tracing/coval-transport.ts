import type { Clock } from '../platform/clock.ts';
import type { ExportRequest, TraceTransport } from './export-result.ts';
import { parseRetryAfterMs } from './retry-after.ts';

/** The slice of `fetch` the transport needs; the global `fetch` satisfies it. */
export type FetchLike = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<Response>;

/** Settings for {@link createCovalTransport}. */
export interface CovalTransportOptions {
  readonly fetch: FetchLike;
  readonly clock: Clock;
  /** Coval's traces endpoint, e.g. `https://api.coval.dev/v1/traces`. */
  readonly url: string;
  readonly apiKey: string;
}

/** OTLP says only these statuses may be retried (otlp-coval.md §1.2). */
export const RETRYABLE_HTTP_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

const MAX_ERROR_SNIPPET = 300;

class AttemptTimeout extends Error {}
class AttemptAborted extends Error {}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_ERROR_SNIPPET ? `${flat.slice(0, MAX_ERROR_SNIPPET)}…` : flat;
}

/** Reads an OTLP partial success out of a 2xx body; Coval's `{"status":"ok"}` has none. */
function partialSuccessWarning(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined; // An undecodable success body is still a success (as in the OTel exporter).
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const partial = (parsed as { partialSuccess?: { rejectedSpans?: unknown; errorMessage?: unknown } }).partialSuccess;
  if (typeof partial !== 'object' || partial === null) return undefined;
  const rejected = Number(partial.rejectedSpans ?? 0);
  const message = typeof partial.errorMessage === 'string' ? partial.errorMessage : '';
  if (!(rejected > 0) && message === '') return undefined;
  return `the receiver rejected ${Number.isFinite(rejected) ? rejected : String(partial.rejectedSpans)} span(s)${message ? `: ${message}` : ''}`;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
  const detail = typeof cause?.message === 'string' && cause.message !== error.message ? `: ${cause.message}` : '';
  return `${error.message}${detail}${code}`;
}

/**
 * A {@link TraceTransport} that POSTs one OTLP/JSON body to Coval's `/v1/traces` with `x-api-key`
 * and `X-Simulation-Id`, times out on the injected clock, and maps the response per OTLP: 2xx
 * success; 429/502/503/504 and network errors or timeouts retryable (with Retry-After); the rest failure.
 */
export function createCovalTransport(options: CovalTransportOptions): TraceTransport {
  const { fetch, clock, url, apiKey } = options;

  async function post(request: ExportRequest, signal: AbortSignal): Promise<{ status: number; retryAfter: string | null; body: string }> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey, 'X-Simulation-Id': request.simulationOutputId },
      body: request.body,
      signal,
    });
    // Reading the body releases the connection and gives error details; it counts against the timeout.
    const body = await response.text();
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
  }

  return {
    async send(request) {
      if (request.signal?.aborted) return { status: 'failure', error: 'the export was aborted before it was sent' };
      if (!(request.timeoutMs > 0)) return { status: 'retryable', error: `no time left to send (timeout ${request.timeoutMs} ms)` };
      const controller = new AbortController();
      let stop: (reason: Error) => void = () => {};
      // A fetch that ignores its signal must still not hang the export, so the wait races a guard.
      const guard = new Promise<never>((_, reject) => {
        stop = reject;
      });
      const timer = clock.setTimer(request.timeoutMs, () => {
        const reason = new AttemptTimeout(`no response within ${request.timeoutMs} ms`);
        controller.abort(reason);
        stop(reason);
      });
      const onAbort = (): void => {
        const reason = new AttemptAborted('the export was aborted while in flight');
        controller.abort(reason);
        stop(reason);
      };
      request.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const { status, retryAfter, body } = await Promise.race([post(request, controller.signal), guard]);
        if (status >= 200 && status < 300) {
          const warning = partialSuccessWarning(body);
          return { status: 'success', httpStatus: status, ...(warning === undefined ? {} : { warning }) };
        }
        const error = `HTTP ${status}${body ? `: ${snippet(body)}` : ''}`;
        if (RETRYABLE_HTTP_STATUSES.has(status)) {
          const retryInMs = parseRetryAfterMs(retryAfter, clock.epochMs());
          return { status: 'retryable', error, httpStatus: status, ...(retryInMs === undefined ? {} : { retryInMs }) };
        }
        return { status: 'failure', error, httpStatus: status };
      } catch (error) {
        if (controller.signal.aborted && controller.signal.reason instanceof AttemptAborted) {
          return { status: 'failure', error: controller.signal.reason.message };
        }
        if (controller.signal.aborted && controller.signal.reason instanceof AttemptTimeout) {
          return { status: 'retryable', error: `timed out: ${controller.signal.reason.message}` };
        }
        return { status: 'retryable', error: `network error: ${describe(error)}` };
      } finally {
        timer.cancel();
        request.signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}
