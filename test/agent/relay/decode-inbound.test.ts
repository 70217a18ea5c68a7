import { describe, expect, it } from 'vitest';
import { decodeInbound } from '../../../agent/relay/decode-inbound.ts';

const SETUP = {
  type: 'setup',
  sessionId: 'VX00000000000000000000000000000000',
  accountSid: 'AC00000000000000000000000000000000',
  parentCallSid: '',
  callSid: 'CA00000000000000000000000000000001',
  from: '+15555550100',
  to: '+15555550199',
  forwardedFrom: '',
  callType: 'PSTN',
  callerName: '',
  direction: 'inbound',
  callStatus: 'RINGING',
  customParameters: { tenant: 'acme' },
};

const decode = (value: unknown) => decodeInbound(JSON.stringify(value), false);

describe('decodeInbound', () => {
  it('decodes the documented setup example and lower-cases callStatus', () => {
    const result = decode(SETUP);
    expect(result).toEqual({
      ok: true,
      frame: { ...SETUP, callStatus: 'ringing' },
    });
  });

  it('accepts any casing of callStatus', () => {
    for (const status of ['ringing', 'Ringing', 'IN-PROGRESS']) {
      const result = decode({ ...SETUP, callStatus: status });
      expect(result.ok && result.frame.type === 'setup' && result.frame.callStatus).toBe(status.toLowerCase());
    }
  });

  it('ignores unknown fields', () => {
    const result = decode({ ...SETUP, applicationSid: null, somethingNew: { deep: [1] } });
    expect(result.ok).toBe(true);
    expect(result.ok && 'somethingNew' in result.frame).toBe(false);
  });

  it('requires a non-empty callSid on setup', () => {
    expect(decode({ ...SETUP, callSid: undefined })).toMatchObject({ ok: false, problem: 'invalid-field', frameType: 'setup', field: 'callSid' });
    expect(decode({ ...SETUP, callSid: '' })).toMatchObject({ ok: false, problem: 'invalid-field', field: 'callSid' });
    expect(decode({ ...SETUP, from: 42 })).toMatchObject({ ok: false, problem: 'invalid-field', field: 'from' });
    expect(decode({ ...SETUP, customParameters: { a: { b: 1 } } })).toMatchObject({ ok: false, field: 'customParameters.a' });
  });

  it('decodes final and partial prompts; last defaults to true', () => {
    expect(decode({ type: 'prompt', voicePrompt: 'Hi there', lang: 'en-US', last: true })).toEqual({
      ok: true,
      frame: { type: 'prompt', voicePrompt: 'Hi there', lang: 'en-US', last: true },
    });
    expect(decode({ type: 'prompt', voicePrompt: 'Hi', last: false })).toMatchObject({ ok: true, frame: { last: false } });
    expect(decode({ type: 'prompt', voicePrompt: 'Hi' })).toMatchObject({ ok: true, frame: { last: true } });
    expect(decode({ type: 'prompt', voicePrompt: 7, last: true })).toMatchObject({ ok: false, problem: 'invalid-field', field: 'voicePrompt' });
    expect(decode({ type: 'prompt', voicePrompt: 'x', last: 'yes' })).toMatchObject({ ok: false, problem: 'invalid-field', field: 'last' });
  });

  it('parses durationUntilInterruptMs from a number or a numeric string', () => {
    expect(decode({ type: 'interrupt', utteranceUntilInterrupt: 'Sure, ', durationUntilInterruptMs: 460 })).toEqual({
      ok: true,
      frame: { type: 'interrupt', utteranceUntilInterrupt: 'Sure, ', durationUntilInterruptMs: 460 },
    });
    expect(decode({ type: 'interrupt', utteranceUntilInterrupt: 'a', durationUntilInterruptMs: '460.5' })).toMatchObject({
      frame: { durationUntilInterruptMs: 460.5 },
    });
    const garbled = decode({ type: 'interrupt', utteranceUntilInterrupt: 5, durationUntilInterruptMs: 'soon' });
    expect(garbled).toEqual({ ok: true, frame: { type: 'interrupt', utteranceUntilInterrupt: '' } });
  });

  it('decodes dtmf, error and info frames', () => {
    expect(decode({ type: 'dtmf', digit: '1' })).toEqual({ ok: true, frame: { type: 'dtmf', digit: '1' } });
    expect(decode({ type: 'dtmf', digit: '' })).toMatchObject({ ok: false, problem: 'invalid-field', field: 'digit' });
    expect(decode({ type: 'error', description: 'Invalid message received' })).toEqual({
      ok: true,
      frame: { type: 'error', description: 'Invalid message received' },
    });
    expect(decode({ type: 'info', name: 'agentSpeaking', value: 'on', ts: 1 })).toEqual({
      ok: true,
      frame: { type: 'info', name: 'agentSpeaking', value: 'on' },
    });
  });

  it('reports non-JSON, non-object, untyped and unknown frames as problems', () => {
    expect(decodeInbound('{nope', false)).toMatchObject({ ok: false, problem: 'non-json' });
    expect(decodeInbound('[1,2]', false)).toMatchObject({ ok: false, problem: 'invalid-field', field: '$' });
    expect(decodeInbound('{"voicePrompt":"x"}', false)).toMatchObject({ ok: false, problem: 'invalid-field', field: 'type' });
    expect(decodeInbound('{"type":"connected"}', false)).toEqual({ ok: false, problem: 'unknown-type', frameType: 'connected' });
    expect(decodeInbound('{"type":"toString"}', false)).toEqual({ ok: false, problem: 'unknown-type', frameType: 'toString' });
  });

  it('refuses binary frames unread and oversized frames before parsing', () => {
    expect(decodeInbound(Buffer.from('{"type":"prompt"}'), true)).toEqual({ ok: false, problem: 'binary', bytes: 17 });
    expect(decodeInbound('x'.repeat(101), false, 100)).toEqual({ ok: false, problem: 'too-large', bytes: 101, limit: 100 });
    expect(decodeInbound(Buffer.alloc(200), true, 100)).toMatchObject({ problem: 'too-large' });
  });

  it('decodes text frames delivered as Buffer, ArrayBuffer or fragments', () => {
    const json = JSON.stringify({ type: 'dtmf', digit: '#' });
    const buf = Buffer.from(json);
    const arrayBuffer = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    for (const raw of [buf, arrayBuffer, [buf.subarray(0, 5), buf.subarray(5)]]) {
      expect(decodeInbound(raw, false)).toEqual({ ok: true, frame: { type: 'dtmf', digit: '#' } });
    }
  });
});
