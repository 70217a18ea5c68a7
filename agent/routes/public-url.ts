import type { IncomingHttpHeaders } from 'node:http';

/** The externally visible base URL of the agent, in its http and WebSocket forms (no trailing slash). */
export interface PublicBase {
  /** `https://host[:port][/prefix]` (or `http://` behind a plain-http front). */
  readonly http: string;
  /** The same with `wss://` (or `ws://`). */
  readonly ws: string;
}

// A host name, IPv4, or bracketed IPv6 literal, with an optional port; nothing that could add a path.
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

function firstValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const first = value?.split(',')[0]?.trim();
  return first === '' ? undefined : first;
}

function fromHttpBase(http: string): PublicBase {
  return { http, ws: http.replace(/^http/, 'ws') };
}

/**
 * Works out the public base URL Twilio used to reach this request: `PUBLIC_URL` when configured,
 * else the first `X-Forwarded-Proto`/`X-Forwarded-Host` (set by TLS-terminating proxies and
 * tunnels), else the `Host` header and the connection's own scheme. Returns undefined when the
 * headers do not name a usable host.
 */
export function publicBaseOf(
  request: { readonly headers: IncomingHttpHeaders; readonly protocol: string | undefined },
  publicUrl: string | undefined,
): PublicBase | undefined {
  if (publicUrl !== undefined) return fromHttpBase(publicUrl);
  const forwardedProto = firstValue(request.headers['x-forwarded-proto'])?.toLowerCase();
  const proto = forwardedProto === 'https' || forwardedProto === 'http' ? forwardedProto : request.protocol === 'https' ? 'https' : 'http';
  const host = firstValue(request.headers['x-forwarded-host']) ?? firstValue(request.headers.host);
  if (host === undefined || !HOST.test(host)) return undefined;
  return fromHttpBase(`${proto}://${host}`);
}
