import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1), so a proxy never forwards them. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function connectionTokens(headers: IncomingHttpHeaders): Set<string> {
  const raw = headers.connection ?? '';
  return new Set(
    raw
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter((token) => token !== ''),
  );
}

function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = connectionTokens(headers);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * The headers to send a replica: the client's end-to-end headers with Host unchanged (the agent
 * rebuilds its public URL from it for signature checks), the client's X-Forwarded-Proto/Host kept,
 * and the client address appended to X-Forwarded-For.
 */
export function forwardRequestHeaders(request: IncomingMessage, options: { upgrade: boolean }): OutgoingHttpHeaders {
  const out = withoutHopByHop(request.headers);
  // Node answers `Expect: 100-continue` itself before the body is read; the replica must not wait for it again.
  delete out.expect;
  const client = request.socket.remoteAddress;
  if (client !== undefined) {
    const prior = request.headers['x-forwarded-for'];
    out['x-forwarded-for'] = prior ? `${prior}, ${client}` : client;
  }
  if (options.upgrade) {
    out.connection = 'Upgrade';
    out.upgrade = request.headers.upgrade ?? 'websocket';
  } else if (request.headers['transfer-encoding'] !== undefined && request.headers['content-length'] === undefined) {
    // Node de-chunks the incoming body; saying so explicitly makes it re-chunk for every method.
    out['transfer-encoding'] = 'chunked';
  }
  return out;
}

/** The replica's response headers minus hop-by-hop ones; Node re-frames the body for the client. */
export function forwardResponseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  return withoutHopByHop(headers);
}

/**
 * A raw HTTP/1.1 response head for a socket that left the HTTP server (an upgrade). With `close`,
 * framing headers are replaced by `Connection: close` so the body simply runs to the end of the socket.
 */
export function rawResponseHead(status: number, message: string, rawHeaders: readonly string[], options: { close: boolean }): string {
  const lines = [`HTTP/1.1 ${status} ${message}`];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    const lower = name.toLowerCase();
    if (options.close && (HOP_BY_HOP.has(lower) || lower === 'content-length')) continue;
    lines.push(`${name}: ${rawHeaders[i + 1] ?? ''}`);
  }
  if (options.close) lines.push('Connection: close');
  return `${lines.join('\r\n')}\r\n\r\n`;
}
