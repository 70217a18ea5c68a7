import type { Clock } from '../core/clock.ts';
import { SimErrors } from '../core/errors.ts';

/** Which fields the pre-call webhook carries (otlp-coval §4.2: older and newer Coval versions). */
export type DialPayloadShape = 'id' | 'id+from' | 'id+from+to';

/** One pre-call webhook POST, as Coval sends it just before dialing. */
export interface DialOptions {
  /** The agent's registration URL (its `pre_call_webhook_url`). */
  readonly registerUrl: string;
  readonly simulationOutputId: string;
  /** Caller id Coval dials from (`from_number`). */
  readonly fromNumber?: string;
  /** The agent's number (`to_number`). */
  readonly toNumber?: string;
  /** Payload shape (default `id+from+to` when both numbers are given, else as many as given). */
  readonly payload?: DialPayloadShape;
  /** Extra headers (Coval's `pre_call_webhook_headers`, e.g. `{"x-api-key": …}`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The network (default: the fake's `fetch` option). */
  readonly fetch?: typeof fetch;
  /** Give up after this many ms on the clock (default: the fake's `dialTimeoutMs`). */
  readonly timeoutMs?: number;
}

/** What happened to one dial. */
export interface DialRecord {
  readonly simulationOutputId: string;
  readonly url: string;
  readonly payload: Readonly<Record<string, string>>;
  readonly requestHeaders: Readonly<Record<string, string>>;
  /** Wall-clock ms on the fake's clock when the POST started. */
  readonly sentAtMs: number;
  /** Monotonic ms it took (clock time; 0 on a manual clock that did not move). */
  readonly durationMs: number;
  readonly outcome: 'response' | 'network-error' | 'timeout';
  readonly status?: number;
  readonly bodyText?: string;
  /** The body parsed as JSON when it is JSON. */
  readonly body?: unknown;
  readonly error?: string;
}

/** The webhook JSON body for `o`; throws SIM_ERR_COVAL_DIAL_INVALID when the shape needs a missing number. */
export function dialPayload(o: DialOptions): Record<string, string> {
  const shape: DialPayloadShape = o.payload ?? (o.fromNumber !== undefined ? (o.toNumber !== undefined ? 'id+from+to' : 'id+from') : 'id');
  const out: Record<string, string> = { simulation_output_id: o.simulationOutputId };
  if (shape === 'id') return out;
  if (o.fromNumber === undefined) throw new SimErrors.SIM_ERR_COVAL_DIAL_INVALID(`payload '${shape}' needs fromNumber`);
  out.from_number = o.fromNumber;
  if (shape === 'id+from') return out;
  if (shape !== 'id+from+to') throw new SimErrors.SIM_ERR_COVAL_DIAL_INVALID(`payload must be 'id', 'id+from' or 'id+from+to' (actual: ${String(shape)})`);
  if (o.toNumber === undefined) throw new SimErrors.SIM_ERR_COVAL_DIAL_INVALID(`payload '${shape}' needs toNumber`);
  out.to_number = o.toNumber;
  return out;
}

function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** POSTs the pre-call webhook and reports what the agent answered; network failures are values. */
export async function sendPreCallWebhook(o: DialOptions, clock: Clock, fetchFn: typeof fetch, timeoutMs: number): Promise<DialRecord> {
  if (!o.simulationOutputId) throw new SimErrors.SIM_ERR_COVAL_DIAL_INVALID('simulationOutputId must be a non-empty string');
  let url: URL;
  try {
    url = new URL(o.registerUrl);
  } catch {
    throw new SimErrors.SIM_ERR_COVAL_DIAL_INVALID(`registerUrl is not a URL (actual: '${o.registerUrl}')`);
  }
  const payload = dialPayload(o);
  const requestHeaders = { 'content-type': 'application/json', ...(o.headers ?? {}) };
  const base = { simulationOutputId: o.simulationOutputId, url: url.toString(), payload, requestHeaders, sentAtMs: clock.epochMs() };
  const started = clock.now();
  const controller = new AbortController();
  let timedOut = false;
  const timer = clock.setTimer(timeoutMs, () => {
    timedOut = true;
    controller.abort();
  });
  try {
    const res = await fetchFn(url, { method: 'POST', headers: requestHeaders, body: JSON.stringify(payload), signal: controller.signal });
    const bodyText = await res.text();
    const body = parseMaybeJson(bodyText);
    return { ...base, durationMs: clock.now() - started, outcome: 'response', status: res.status, bodyText, ...(body === undefined ? {} : { body }) };
  } catch (err) {
    const error = err instanceof Error ? `${err.name}: ${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err);
    return { ...base, durationMs: clock.now() - started, outcome: timedOut ? 'timeout' : 'network-error', error };
  } finally {
    timer.cancel();
  }
}
