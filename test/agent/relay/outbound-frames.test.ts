import { describe, expect, it } from 'vitest';
import { encodeOutbound, endFrame, textFrame } from '../../../agent/relay/outbound-frames.ts';
import { outboundViolation } from './outbound-spec.ts';

describe('encodeOutbound', () => {
  it('keeps tokens byte for byte, spaces included', () => {
    const encoded = encodeOutbound(textFrame('  Sure, \n', false));
    expect(JSON.parse(encoded)).toEqual({ type: 'text', token: '  Sure, \n', last: false });
    expect(outboundViolation(encoded)).toBeUndefined();
  });

  it('encodes end with handoffData as a string', () => {
    const encoded = encodeOutbound(endFrame({ reasonCode: 'x', reason: 'bye' }));
    const parsed = JSON.parse(encoded) as { type: string; handoffData: unknown };
    expect(parsed.type).toBe('end');
    expect(typeof parsed.handoffData).toBe('string');
    expect(JSON.parse(parsed.handoffData as string)).toEqual({ reasonCode: 'x', reason: 'bye' });
    expect(outboundViolation(encoded)).toBeUndefined();
  });

  it('leaves undefined optional fields out and encodes the other frame types', () => {
    expect(encodeOutbound({ type: 'text', token: 'a', last: true, lang: undefined })).toBe('{"type":"text","token":"a","last":true}');
    for (const frame of [
      { type: 'play', source: 'https://example.com/a.mp3', loop: 2 },
      { type: 'sendDigits', digits: '9www1#' },
      { type: 'language', ttsLanguage: 'sv-SE' },
    ] as const) {
      expect(outboundViolation(encodeOutbound(frame))).toBeUndefined();
    }
  });

  it('the spec checker rejects what Twilio would refuse', () => {
    expect(outboundViolation('{"type":"text","token":null}')).toMatch(/token/);
    expect(outboundViolation('{"type":"end","handoffData":{"a":1}}')).toMatch(/handoffData/);
    expect(outboundViolation('{"type":"error","description":"x"}')).toMatch(/unknown type/);
  });
});
