import { describe, expect, it } from 'vitest';
import {
  bodySha256,
  computeTwilioSignature,
  signJsonBodyRequest,
  signatureBaseString,
  verifyTwilioSignature,
} from '../../../simulator/twilio/signature.ts';

const sid = (prefix: string): string => `${prefix}${'0'.repeat(31)}1`;

describe('signature', () => {
  it('matches the twilio-node test vector and its documented base string (§5.3)', () => {
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const params = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+14158675309',
      Digits: '1234',
      From: '+14158675309',
      To: '+18005551212',
    };
    expect(signatureBaseString(url, params)).toBe(
      'https://mycompany.com/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+14158675309Digits1234From+14158675309To+18005551212',
    );
    expect(computeTwilioSignature('12345', url, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it('signs the incoming-call vector (§5.3) independent of parameter order', () => {
    const pairs: [string, string][] = [
      ['To', '+15555550199'],
      ['From', '+15555550100'],
      ['Direction', 'inbound'],
      ['CallStatus', 'ringing'],
      ['CallSid', sid('CA')],
      ['ApiVersion', '2010-04-01'],
      ['AccountSid', sid('AC')],
    ];
    expect(computeTwilioSignature('test_auth_token', 'https://example.com/voice', pairs)).toBe('2jSZGSvWTnx/MmkfFZ9uDbK8io4=');
  });

  it('signs the handshake over the wss URL with no params (§3.2), not the https form', () => {
    expect(computeTwilioSignature('12345', 'wss://example.com/relay?tenant=acme')).toBe('B+YuLSOJLByIr13cLLqP1RG7fok=');
    expect(computeTwilioSignature('12345', 'https://example.com/relay?tenant=acme')).toBe('gGimoNtwVwHZYveEHaIczGX+j7c=');
  });

  it('signs the connect-action callback vector (§3.4)', () => {
    const params = {
      AccountSid: sid('AC'),
      CallSid: sid('CA'),
      CallStatus: 'in-progress',
      Direction: 'inbound',
      From: '+15555550100',
      HandoffData: '{"reason":"agent"}',
      SessionDuration: '25',
      SessionId: sid('VX'),
      SessionStatus: 'ended',
      To: '+15555550199',
    };
    expect(computeTwilioSignature('test_auth_token', 'https://example.com/connect-action', params)).toBe(
      'jIEzrg4vQx1PZQWSNOFOx4ocxdI=',
    );
  });

  it('hashes a JSON body and signs the bodySHA256 URL (§5.2 vector)', () => {
    const body = '{"property": "value", "boolean": true}';
    expect(bodySha256(body)).toBe('0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620');
    const signed = signJsonBodyRequest('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', body);
    expect(signed.url).toBe(
      'https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620',
    );
    expect(signed.signature).toBe('a9nBmqA0ju/hNViExpshrM61xv4=');
  });

  it('appends a repeated name once per distinct value, values sorted, names case-sensitive', () => {
    const base = signatureBaseString('u', [
      ['b', '2'],
      ['a', 'z'],
      ['B', 'x'],
      ['a', 'y'],
      ['a', 'z'],
    ]);
    expect(base).toBe('uBxa' + 'y' + 'a' + 'z' + 'b2');
    expect(signatureBaseString('u', { a: ['z', 'y', 'z'], B: 'x', b: '2' })).toBe(base);
  });

  it('verifies a good signature and rejects a wrong, truncated, missing or other-URL one', () => {
    const url = 'wss://example.com/relay?tenant=acme';
    expect(verifyTwilioSignature('12345', 'B+YuLSOJLByIr13cLLqP1RG7fok=', url)).toBe(true);
    expect(verifyTwilioSignature('12345', 'B+YuLSOJLByIr13cLLqP1RG7fok', url)).toBe(false);
    expect(verifyTwilioSignature('12345', 'C+YuLSOJLByIr13cLLqP1RG7fok=', url)).toBe(false);
    expect(verifyTwilioSignature('12345', undefined, url)).toBe(false);
    expect(verifyTwilioSignature('12345', 'B+YuLSOJLByIr13cLLqP1RG7fok=', 'https://example.com/relay?tenant=acme')).toBe(false);
    expect(verifyTwilioSignature('54321', 'B+YuLSOJLByIr13cLLqP1RG7fok=', url)).toBe(false);
  });

  it('keeps a literal + of a decoded phone number (values are not re-encoded)', () => {
    expect(signatureBaseString('https://x/v', { From: '+15555550100' })).toBe('https://x/vFrom+15555550100');
  });
});
