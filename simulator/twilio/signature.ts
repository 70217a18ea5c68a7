import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Request parameters to sign: a record (a value may be a list for a repeated name) or the ordered
 * name/value pairs of a form body. Values are the decoded form values (conversationrelay.md §5.3).
 */
export type SignatureParams =
  | Readonly<Record<string, string | readonly string[]>>
  | Iterable<readonly [string, string]>;

function groupParams(params: SignatureParams | undefined): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  if (params === undefined) return grouped;
  const add = (name: string, value: string): void => {
    const values = grouped.get(name);
    if (values) values.push(value);
    else grouped.set(name, [value]);
  };
  if (Symbol.iterator in params) {
    for (const [name, value] of params as Iterable<readonly [string, string]>) add(name, value);
  } else {
    for (const [name, value] of Object.entries(params as Record<string, string | readonly string[]>)) {
      if (typeof value === 'string') add(name, value);
      else for (const v of value) add(name, v);
    }
  }
  return grouped;
}

/** Code-unit order, the order of JS `Array.prototype.sort()` on strings (upper-case first). */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The exact string Twilio feeds to HMAC-SHA1: the URL verbatim, then for each parameter name in
 * code-unit order `name + value` (a repeated name contributes each distinct value, sorted).
 */
export function signatureBaseString(url: string, params?: SignatureParams): string {
  const grouped = groupParams(params);
  let data = url;
  for (const name of [...grouped.keys()].sort(byCodeUnit)) {
    const values = [...new Set(grouped.get(name))].sort(byCodeUnit);
    for (const value of values) data += name + value;
  }
  return data;
}

/**
 * `X-Twilio-Signature` for a request (conversationrelay.md §5.3): base64 HMAC-SHA1 keyed with the
 * auth token. For the ConversationRelay handshake pass the `wss://` URL and no params (§3.2).
 */
export function computeTwilioSignature(authToken: string, url: string, params?: SignatureParams): string {
  return createHmac('sha1', Buffer.from(authToken, 'utf8'))
    .update(Buffer.from(signatureBaseString(url, params), 'utf8'))
    .digest('base64');
}

/** Checks a received `X-Twilio-Signature` in constant time; the URL is taken verbatim (no leniency). */
export function verifyTwilioSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params?: SignatureParams,
): boolean {
  const expected = Buffer.from(computeTwilioSignature(authToken, url, params), 'utf8');
  const actual = Buffer.from(signature ?? '', 'utf8');
  // timingSafeEqual needs equal lengths; compare against itself so a wrong length costs the same.
  const same = actual.length === expected.length;
  return timingSafeEqual(same ? actual : expected, expected) && same;
}

/** Lower-case hex SHA-256 of a raw body, the `bodySHA256` query value of JSON-body requests (§5.2). */
export function bodySha256(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * Signs a JSON-body request the way Twilio does (§5.2): appends `bodySHA256=<hash>` to the URL and
 * signs that URL with no params. Returns the URL to request and its signature.
 */
export function signJsonBodyRequest(authToken: string, url: string, body: string): { url: string; signature: string } {
  const signedUrl = `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${bodySha256(body)}`;
  return { url: signedUrl, signature: computeTwilioSignature(authToken, signedUrl) };
}
