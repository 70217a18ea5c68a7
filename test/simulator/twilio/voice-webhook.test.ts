import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import twilio from 'twilio';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createSeededIds } from '../../../simulator/core/ids.ts';
import { ManualClock } from '../../../simulator/core/manual-clock.ts';
import { createSeededRandom } from '../../../simulator/core/random.ts';
import { createInboundCall } from '../../../simulator/twilio/call-params.ts';
import { verifyTwilioSignature } from '../../../simulator/twilio/signature.ts';
import { postVoiceWebhook, voiceWebhookParams } from '../../../simulator/twilio/voice-webhook.ts';

const TOKEN = 'test_auth_token';
const TWIML = '<Response><Connect action="/after"><ConversationRelay url="wss://agent.test/relay"><Parameter name="t" value="1"/></ConversationRelay></Connect></Response>';

interface Seen {
  method: string;
  signature: string | undefined;
  contentType: string | undefined;
  userAgent: string | undefined;
  body: Record<string, string>;
  query: Record<string, string>;
}

async function agent(reply: { status?: number; type?: string; body?: string } = {}): Promise<{ url: string; seen: Seen[] }> {
  const app = Fastify();
  onTestFinished(() => app.close());
  await app.register(formbody);
  const seen: Seen[] = [];
  app.route({
    method: ['GET', 'POST'],
    url: '/voice',
    handler: async (req, res) => {
      seen.push({
        method: req.method,
        signature: req.headers['x-twilio-signature'] as string | undefined,
        contentType: req.headers['content-type'],
        userAgent: req.headers['user-agent'],
        body: (req.body ?? {}) as Record<string, string>,
        query: req.query as Record<string, string>,
      });
      return res
        .status(reply.status ?? 200)
        .type(reply.type ?? 'text/xml')
        .send(reply.body ?? TWIML);
    },
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: `${address}/voice`, seen };
}

function call() {
  return createInboundCall(createSeededIds(createSeededRandom(7)), { from: '+15555550100', to: '+15555550199' });
}

describe('postVoiceWebhook', () => {
  it('POSTs the inbound-call params form-encoded and signed, and returns the parsed TwiML', async () => {
    const { url, seen } = await agent();
    const inbound = call();
    const result = await postVoiceWebhook({ url, authToken: TOKEN, call: inbound, fetch, clock: new ManualClock() });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.twiml.connect.action).toBe(new URL('/after', url).toString());
    expect(result.twiml.parameters).toEqual([{ name: 't', value: '1' }]);
    const [request] = seen;
    expect(request?.method).toBe('POST');
    expect(request?.contentType).toBe('application/x-www-form-urlencoded');
    expect(request?.userAgent).toBe('TwilioProxy/1.1');
    expect(request?.body).toMatchObject({
      CallSid: inbound.callSid,
      AccountSid: inbound.accountSid,
      From: '+15555550100',
      To: '+15555550199',
      Caller: '+15555550100',
      Called: '+15555550199',
      CallStatus: 'ringing',
      ApiVersion: '2010-04-01',
      Direction: 'inbound',
      FromCountry: 'US',
      ToCountry: 'US',
    });
    expect(Object.keys(request?.body ?? {}).sort()).toEqual(voiceWebhookParams(inbound).map(([k]) => k).sort());
    expect(verifyTwilioSignature(TOKEN, request?.signature, url, request?.body)).toBe(true);
    // The twilio helper (an independent implementation) accepts it too.
    expect(twilio.validateRequest(TOKEN, request?.signature ?? '', url, request?.body ?? {})).toBe(true);
    expect(result.exchange.response?.status).toBe(200);
    expect(result.exchange.requestHeaders['X-Twilio-Signature']).toBe(request?.signature);
  });

  it('signs a GET over the URL with the params in the query string', async () => {
    const { url, seen } = await agent();
    const result = await postVoiceWebhook({ url, method: 'GET', authToken: TOKEN, call: call(), fetch, clock: new ManualClock() });
    expect(result.ok).toBe(true);
    expect(seen[0]?.query.CallStatus).toBe('ringing');
    expect(verifyTwilioSignature(TOKEN, seen[0]?.signature, result.exchange.url)).toBe(true);
  });

  it('can omit or corrupt the signature for security probes', async () => {
    const { url, seen } = await agent();
    await postVoiceWebhook({ url, authToken: TOKEN, call: call(), fetch, clock: new ManualClock(), signing: 'missing' });
    await postVoiceWebhook({ url, authToken: TOKEN, call: call(), fetch, clock: new ManualClock(), signing: 'wrong' });
    expect(seen[0]?.signature).toBeUndefined();
    expect(seen[1]?.signature).toBeDefined();
    expect(verifyTwilioSignature(TOKEN, seen[1]?.signature, url, seen[1]?.body)).toBe(false);
  });

  it('returns http-status for a non-2xx answer', async () => {
    const { url } = await agent({ status: 403, body: 'forbidden', type: 'text/plain' });
    const result = await postVoiceWebhook({ url, authToken: TOKEN, call: call(), fetch, clock: new ManualClock() });
    expect(result).toMatchObject({ ok: false, failure: { kind: 'http-status', status: 403 } });
    expect(result.exchange.response?.body).toBe('forbidden');
  });

  it('returns content-type for TwiML served as JSON', async () => {
    const { url } = await agent({ type: 'application/json' });
    const result = await postVoiceWebhook({ url, authToken: TOKEN, call: call(), fetch, clock: new ManualClock() });
    expect(result).toMatchObject({ ok: false, failure: { kind: 'content-type', contentType: 'application/json; charset=utf-8' } });
  });

  it('accepts application/xml with a charset', async () => {
    const { url } = await agent({ type: 'application/xml; charset=utf-8' });
    expect((await postVoiceWebhook({ url, authToken: TOKEN, call: call(), fetch, clock: new ManualClock() })).ok).toBe(true);
  });

  it('returns invalid-twiml with the parser errors', async () => {
    const { url } = await agent({ body: '<Response><Say>no relay</Say></Response>' });
    const result = await postVoiceWebhook({ url, authToken: TOKEN, call: call(), fetch, clock: new ManualClock() });
    expect(result).toMatchObject({ ok: false, failure: { kind: 'invalid-twiml', errors: [{ message: '<Response> has no <Connect> verb (found <Say>)' }] } });
  });

  it('returns network when the agent is unreachable', async () => {
    const failing: typeof fetch = () => Promise.reject(new TypeError('fetch failed'));
    const result = await postVoiceWebhook({ url: 'http://127.0.0.1:9/voice', authToken: TOKEN, call: call(), fetch: failing, clock: new ManualClock() });
    expect(result).toMatchObject({ ok: false, failure: { kind: 'network', message: 'fetch failed' } });
  });

  it('gives up after the 15 s read timeout on the simulator clock', async () => {
    const clock = new ManualClock();
    const hanging: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    const pending = postVoiceWebhook({ url: 'http://agent.test/voice', authToken: TOKEN, call: call(), fetch: hanging, clock });
    clock.advance(14_999);
    let settled = false;
    void pending.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    clock.advance(1);
    const result = await pending;
    expect(result).toMatchObject({ ok: false, failure: { kind: 'timeout', timeoutMs: 15_000 } });
    expect(result.exchange.durationMs).toBe(15_000);
  });
});
