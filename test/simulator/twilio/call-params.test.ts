import { describe, expect, it } from 'vitest';
import { createSeededIds } from '../../../simulator/core/ids.ts';
import { createSeededRandom } from '../../../simulator/core/random.ts';
import { callParams, createInboundCall } from '../../../simulator/twilio/call-params.ts';

describe('createInboundCall', () => {
  it('draws CallSid, AccountSid and both numbers from the seed, the same way whatever is overridden', () => {
    const a = createInboundCall(createSeededIds(createSeededRandom(3)));
    const b = createInboundCall(createSeededIds(createSeededRandom(3)), { from: '+15555550100' });
    expect(a.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(a.accountSid).toMatch(/^AC[0-9a-f]{32}$/);
    expect(b).toEqual({ ...a, from: '+15555550100' });
    expect(createInboundCall(createSeededIds(createSeededRandom(4))).callSid).not.toBe(a.callSid);
  });
});

describe('callParams', () => {
  it('lists the standard params, optional ones only when set, and geo params with their legacy twins', () => {
    const call = createInboundCall(createSeededIds(createSeededRandom(3)), {
      from: '+15555550100',
      to: '+15555550199',
      callerName: 'ALICE',
      fromGeo: { city: 'OAKLAND', state: 'CA', zip: '94612', country: 'US' },
    });
    const params = Object.fromEntries(callParams(call, 'ringing'));
    expect(params).toMatchObject({
      CallStatus: 'ringing',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
      From: '+15555550100',
      Caller: '+15555550100',
      To: '+15555550199',
      Called: '+15555550199',
      CallerName: 'ALICE',
      FromCity: 'OAKLAND',
      CallerCity: 'OAKLAND',
      FromZip: '94612',
      ToCountry: 'US',
      CalledCountry: 'US',
    });
    expect(params).not.toHaveProperty('ParentCallSid');
    expect(params).not.toHaveProperty('ForwardedFrom');
  });
});
