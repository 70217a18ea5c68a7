import type { Clock } from '../core/clock.ts';
import type { FormParams } from './call-params.ts';
import { computeTwilioSignature } from './signature.ts';

/** How to sign a request: correctly, not at all, or with a wrong signature (for security probes). */
export type SigningMode = 'valid' | 'missing' | 'wrong';

/** One HTTP request the fake Twilio made and what came back, as plain JSON. */
export interface HttpExchange {
  /** Simulator-clock ms when the request was sent. */
  readonly at: number;
  readonly method: 'GET' | 'POST';
  /** The URL requested (for GET it carries the params) — also the URL that was signed. */
  readonly url: string;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly params: FormParams;
  readonly body?: string;
  readonly response?: { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string };
  /** Set when no response arrived: the network error or the timeout. */
  readonly error?: { readonly kind: 'network' | 'timeout'; readonly message: string };
  /** Simulator-clock ms from send to the end of the response body (or the failure). */
  readonly durationMs: number;
}

/** Inputs of {@link sendSignedForm}. */
export interface SignedFormRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly params: FormParams;
  readonly authToken: string;
  readonly fetch: typeof globalThis.fetch;
  readonly clock: Clock;
  /** Abort when the whole exchange takes longer than this on the clock (Twilio: 15 s). */
  readonly timeoutMs: number;
  readonly signing?: SigningMode;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Flips one base64 character so the signature is well-formed but wrong. */
function corrupt(signature: string): string {
  return (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
}

/**
 * Sends a Twilio-style form request signed per conversationrelay.md §5.3: POST puts the params in
 * an `application/x-www-form-urlencoded` body and signs URL + params; GET appends them to the URL
 * and signs that URL alone. Never throws for network trouble: the exchange records it.
 */
export async function sendSignedForm(request: SignedFormRequest): Promise<HttpExchange> {
  const { clock, method, params } = request;
  const encoded = new URLSearchParams(params.map(([k, v]): [string, string] => [k, v])).toString();
  const url = method === 'GET' && encoded !== '' ? `${request.url}${request.url.includes('?') ? '&' : '?'}${encoded}` : request.url;
  const signature = method === 'GET' ? computeTwilioSignature(request.authToken, url) : computeTwilioSignature(request.authToken, url, params);
  const headers: Record<string, string> = { 'User-Agent': 'TwilioProxy/1.1', ...request.headers };
  if (method === 'POST') headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const signing = request.signing ?? 'valid';
  if (signing !== 'missing') headers['X-Twilio-Signature'] = signing === 'valid' ? signature : corrupt(signature);

  const at = clock.now();
  const base = { at, method, url, requestHeaders: headers, params, ...(method === 'POST' ? { body: encoded } : {}) };
  const controller = new AbortController();
  let timedOut = false;
  const timer = clock.setTimer(request.timeoutMs, () => {
    timedOut = true;
    controller.abort(new Error(`no complete response within ${request.timeoutMs} ms`));
  });
  try {
    const response = await request.fetch(url, {
      method,
      headers,
      ...(method === 'POST' ? { body: encoded } : {}),
      signal: controller.signal,
      redirect: 'manual',
    });
    const body = await response.text();
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      responseHeaders[name] = value;
    });
    return { ...base, response: { status: response.status, headers: responseHeaders, body }, durationMs: clock.now() - at };
  } catch (error) {
    const message = timedOut ? `no complete response within ${request.timeoutMs} ms` : error instanceof Error ? error.message : String(error);
    return { ...base, error: { kind: timedOut ? 'timeout' : 'network', message }, durationMs: clock.now() - at };
  } finally {
    timer.cancel();
  }
}
