import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../simulator/core/manual-clock.ts';
import { actionCallbackParams, postActionCallback } from '../../../simulator/twilio/action-callback.ts';
import type { InboundCall } from '../../../simulator/twilio/call-params.ts';
import { computeTwilioSignature } from '../../../simulator/twilio/signature.ts';

const sid = (prefix: string): string => `${prefix}${'0'.repeat(31)}1`;
const geo = { city: '', state: '', zip: '', country: 'US' };
const call: InboundCall = { callSid: sid('CA'), accountSid: sid('AC'), from: '+15555550100', to: '+15555550199', apiVersion: '2010-04-01', fromGeo: geo, toGeo: geo };

describe('actionCallbackParams', () => {
  it('maps the session end onto CallStatus and the Session* params', () => {
    const ended = Object.fromEntries(actionCallbackParams(call, { sessionId: sid('VX'), sessionStatus: 'ended', durationSeconds: 25, handoffData: '{"reason":"agent"}' }));
    expect(ended).toMatchObject({ CallStatus: 'in-progress', SessionStatus: 'ended', SessionDuration: '25', HandoffData: '{"reason":"agent"}', SessionId: sid('VX') });
    const hungUp = Object.fromEntries(actionCallbackParams(call, { sessionId: sid('VX'), sessionStatus: 'completed', durationSeconds: 3 }));
    expect(hungUp).toMatchObject({ CallStatus: 'completed', SessionStatus: 'completed' });
    expect(hungUp).not.toHaveProperty('HandoffData');
    const failed = Object.fromEntries(
      actionCallbackParams(call, { sessionId: sid('VX'), sessionStatus: 'failed', durationSeconds: 0, errorCode: '39001', errorMessage: 'Network connection to WebSocket server failed.' }),
    );
    expect(failed).toMatchObject({ CallStatus: 'in-progress', ErrorCode: '39001', ErrorMessage: 'Network connection to WebSocket server failed.' });
  });

  it('signs the §3.4 worked example when given exactly its params', async () => {
    const seen: { signature?: string | null } = {};
    const params: [string, string][] = [
      ['AccountSid', sid('AC')],
      ['CallSid', sid('CA')],
      ['CallStatus', 'in-progress'],
      ['Direction', 'inbound'],
      ['From', '+15555550100'],
      ['HandoffData', '{"reason":"agent"}'],
      ['SessionDuration', '25'],
      ['SessionId', sid('VX')],
      ['SessionStatus', 'ended'],
      ['To', '+15555550199'],
    ];
    const record = await postActionCallback({
      action: 'https://example.com/connect-action',
      method: 'POST',
      params,
      authToken: 'test_auth_token',
      clock: new ManualClock(),
      fetch: async (_url, init) => {
        seen.signature = new Headers(init?.headers).get('x-twilio-signature');
        return new Response('<Response><Dial>+15555550111</Dial></Response>', { headers: { 'content-type': 'text/xml' } });
      },
    });
    expect(seen.signature).toBe('jIEzrg4vQx1PZQWSNOFOx4ocxdI=');
    expect(seen.signature).toBe(computeTwilioSignature('test_auth_token', 'https://example.com/connect-action', params));
    expect(record.verbs).toEqual(['Dial']);
  });

  it('records an unreadable answer and does not read non-2xx bodies', async () => {
    const base = { action: 'https://a.test/x', method: 'POST' as const, params: [], authToken: 't', clock: new ManualClock() };
    const bad = await postActionCallback({ ...base, fetch: async () => new Response('OK', { status: 200 }) });
    expect(bad.twimlError?.message).toMatch(/^malformed XML/);
    const notFound = await postActionCallback({ ...base, fetch: async () => new Response('<Response/>', { status: 404 }) });
    expect(notFound).toEqual({ exchange: expect.objectContaining({ response: expect.objectContaining({ status: 404 }) }) });
  });
});
