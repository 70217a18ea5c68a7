import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { forwardRequestHeaders, forwardResponseHeaders, rawResponseHead } from '../../../simulator/proxy/hop-headers.ts';

function incoming(headers: Record<string, string>, socket: { remoteAddress?: string } = { remoteAddress: '10.0.0.5' }): IncomingMessage {
  return { headers, socket } as unknown as IncomingMessage;
}

describe('forwardRequestHeaders', () => {
  it('drops hop-by-hop headers and those the Connection header names, keeping Host', () => {
    const out = forwardRequestHeaders(
      incoming({ host: 'a.example', connection: 'keep-alive, X-Secret-Hop', 'keep-alive': 'timeout=5', 'x-secret-hop': '1', te: 'trailers', 'proxy-authorization': 'x', expect: '100-continue', 'x-twilio-signature': 's' }),
      { upgrade: false },
    );
    expect(out).toEqual({ host: 'a.example', 'x-twilio-signature': 's', 'x-forwarded-for': '10.0.0.5' });
  });

  it('appends the client to an existing X-Forwarded-For and keeps the forwarded proto and host', () => {
    const out = forwardRequestHeaders(incoming({ 'x-forwarded-for': '1.1.1.1, 2.2.2.2', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'p.example' }), { upgrade: false });
    expect(out).toMatchObject({ 'x-forwarded-for': '1.1.1.1, 2.2.2.2, 10.0.0.5', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'p.example' });
  });

  it('leaves X-Forwarded-For alone when the client address is unknown', () => {
    expect(forwardRequestHeaders(incoming({}, {}), { upgrade: false })).toEqual({});
  });

  it('asks for re-chunking only when the body was chunked without a length', () => {
    expect(forwardRequestHeaders(incoming({ 'transfer-encoding': 'chunked' }), { upgrade: false })['transfer-encoding']).toBe('chunked');
    expect(forwardRequestHeaders(incoming({ 'content-length': '3' }), { upgrade: false })['transfer-encoding']).toBeUndefined();
  });

  it('keeps the upgrade negotiation for upgrades', () => {
    const out = forwardRequestHeaders(incoming({ connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k', 'sec-websocket-version': '13' }), { upgrade: true });
    expect(out).toMatchObject({ connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k', 'sec-websocket-version': '13' });
  });
});

describe('forwardResponseHeaders', () => {
  it('drops framing and connection headers but keeps repeated ones', () => {
    expect(forwardResponseHeaders({ 'transfer-encoding': 'chunked', connection: 'close', 'set-cookie': ['a=1', 'b=2'], 'content-type': 'text/plain' })).toEqual({
      'set-cookie': ['a=1', 'b=2'],
      'content-type': 'text/plain',
    });
  });
});

describe('rawResponseHead', () => {
  it('writes the headers verbatim for a 101', () => {
    expect(rawResponseHead(101, 'Switching Protocols', ['Upgrade', 'websocket', 'Connection', 'Upgrade'], { close: false })).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    );
  });

  it('replaces framing with Connection: close for a relayed refusal', () => {
    expect(rawResponseHead(403, 'Forbidden', ['Content-Length', '2', 'Transfer-Encoding', 'chunked', 'X-A', '1', 'Connection', 'keep-alive'], { close: true })).toBe(
      'HTTP/1.1 403 Forbidden\r\nX-A: 1\r\nConnection: close\r\n\r\n',
    );
  });
});
