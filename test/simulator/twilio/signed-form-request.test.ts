import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../simulator/core/manual-clock.ts';
import { sendSignedForm } from '../../../simulator/twilio/signed-form-request.ts';
import { computeTwilioSignature } from '../../../simulator/twilio/signature.ts';

describe('sendSignedForm', () => {
  it('appends GET params to an existing query and signs that URL alone', async () => {
    const seen: { url?: string; signature?: string | null; body?: unknown } = {};
    const exchange = await sendSignedForm({
      url: 'https://a.test/cb?x=1',
      method: 'GET',
      params: [
        ['From', '+15555550100'],
        ['Note', 'a b&c'],
      ],
      authToken: 'tok',
      clock: new ManualClock({ startMs: 50 }),
      timeoutMs: 1_000,
      fetch: async (url, init) => {
        seen.url = String(url);
        seen.signature = new Headers(init?.headers).get('x-twilio-signature');
        seen.body = init?.body;
        return new Response('ok', { status: 200, headers: { 'x-extra': 'y' } });
      },
    });
    expect(seen.url).toBe('https://a.test/cb?x=1&From=%2B15555550100&Note=a+b%26c');
    expect(seen.signature).toBe(computeTwilioSignature('tok', seen.url ?? ''));
    expect(seen.body).toBeUndefined();
    expect(exchange).toMatchObject({ at: 50, method: 'GET', url: seen.url, response: { status: 200, body: 'ok', headers: { 'x-extra': 'y' } }, durationMs: 0 });
    expect(exchange).not.toHaveProperty('body');
  });

  it('form-encodes POST params and signs the decoded values', async () => {
    const seen: { body?: string; signature?: string | null } = {};
    const params: [string, string][] = [
      ['From', '+15555550100'],
      ['HandoffData', '{"a":"b c"}'],
    ];
    const exchange = await sendSignedForm({
      url: 'https://a.test/cb',
      method: 'POST',
      params,
      authToken: 'tok',
      clock: new ManualClock(),
      timeoutMs: 1_000,
      fetch: async (_url, init) => {
        seen.body = String(init?.body);
        seen.signature = new Headers(init?.headers).get('x-twilio-signature');
        return new Response('');
      },
    });
    expect(Object.fromEntries(new URLSearchParams(seen.body))).toEqual({ From: '+15555550100', HandoffData: '{"a":"b c"}' });
    expect(seen.signature).toBe(computeTwilioSignature('tok', 'https://a.test/cb', params));
    expect(exchange.requestHeaders['Content-Type']).toBe('application/x-www-form-urlencoded');
  });
});
