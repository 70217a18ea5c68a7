import { describe, expect, it } from 'vitest';
import { publicUrlFetch } from '../../../simulator/agent-target/public-url-fetch.ts';

function recorder() {
  const calls: { url: string; headers: Headers }[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    calls.push({ url: String(input), headers: new Headers(init?.headers) });
    return new Response('ok');
  };
  return { calls, fetch };
}

describe('publicUrlFetch', () => {
  it('sends requests for the public https URL to the local base, as a TLS-terminating proxy would', async () => {
    const { calls, fetch } = recorder();
    const wrapped = publicUrlFetch(fetch, 'https://agent.example.com', 'http://127.0.0.1:4000');
    await wrapped('https://agent.example.com/webhook?x=1', { method: 'POST', headers: { 'X-Twilio-Signature': 'sig' } });
    await wrapped('https://agent.example.com', {});
    expect(calls[0]?.url).toBe('http://127.0.0.1:4000/webhook?x=1');
    expect(calls[0]?.headers.get('x-forwarded-proto')).toBe('https');
    expect(calls[0]?.headers.get('x-forwarded-host')).toBe('agent.example.com');
    expect(calls[0]?.headers.get('x-twilio-signature')).toBe('sig');
    expect(calls[1]?.url).toBe('http://127.0.0.1:4000');
  });

  it('passes other URLs through untouched, including look-alike hosts', async () => {
    const { calls, fetch } = recorder();
    const wrapped = publicUrlFetch(fetch, 'https://127.0.0.1:4000', 'http://127.0.0.1:4000');
    await wrapped('https://127.0.0.1:40001/webhook', {});
    await wrapped('http://elsewhere.test/x', {});
    expect(calls.map((c) => c.url)).toEqual(['https://127.0.0.1:40001/webhook', 'http://elsewhere.test/x']);
    expect(calls[0]?.headers.get('x-forwarded-proto')).toBeNull();
  });
});
