/**
 * A `fetch` that reaches an agent's public URL (`https://…`, what Twilio signs and the TwiML names)
 * at its local base URL (`http://127.0.0.1:<port>`), adding `X-Forwarded-Proto` and
 * `X-Forwarded-Host` as a TLS-terminating proxy in front of the agent would. Other URLs pass through.
 */
export function publicUrlFetch(fetch: typeof globalThis.fetch, publicUrl: string, baseUrl: string): typeof globalThis.fetch {
  const publicBase = publicUrl.replace(/\/+$/, '');
  const local = baseUrl.replace(/\/+$/, '');
  if (publicBase === local) return fetch;
  const parsed = new URL(publicBase);
  const proto = parsed.protocol.replace(/:$/, '');
  return (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const rest = url.startsWith(publicBase) ? url.slice(publicBase.length) : undefined;
    if (rest === undefined || !(rest === '' || rest.startsWith('/') || rest.startsWith('?'))) return fetch(input, init);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set('x-forwarded-proto', proto);
    headers.set('x-forwarded-host', parsed.host);
    return fetch(`${local}${rest}`, { ...init, headers });
  };
}
