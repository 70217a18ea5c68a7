import { describe, expect, it } from 'vitest';
import { checkAgentFrame, invalidMessageDescription } from '../../../simulator/twilio/relay-messages.ts';

const check = (value: unknown) => checkAgentFrame({ raw: typeof value === 'string' ? value : JSON.stringify(value) });

describe('checkAgentFrame', () => {
  it.each([
    [{ type: 'text', token: 'Hi ', last: false }, { type: 'text', token: 'Hi ', last: false }],
    [{ type: 'text', token: '' }, { type: 'text', token: '', last: false }],
    [
      { type: 'text', token: 'Hej', last: true, lang: 'sv-SE', interruptible: false, preemptible: true },
      { type: 'text', token: 'Hej', last: true, lang: 'sv-SE', interruptible: false, preemptible: true },
    ],
    [{ type: 'play', source: 'https://x.test/a.mp3' }, { type: 'play', source: 'https://x.test/a.mp3', loop: 1 }],
    [{ type: 'play', source: 'https://x.test/a.mp3', loop: 0, preemptible: true }, { type: 'play', source: 'https://x.test/a.mp3', loop: 0, preemptible: true }],
    [{ type: 'sendDigits', digits: '9www4085551212#*' }, { type: 'sendDigits', digits: '9www4085551212#*' }],
    [{ type: 'language', ttsLanguage: 'sv-SE' }, { type: 'language', ttsLanguage: 'sv-SE' }],
    [{ type: 'language', transcriptionLanguage: 'multi' }, { type: 'language', transcriptionLanguage: 'multi' }],
    [{ type: 'end' }, { type: 'end' }],
    [{ type: 'end', handoffData: '{"reason":"agent"}' }, { type: 'end', handoffData: '{"reason":"agent"}' }],
  ])('accepts %j', (input, expected) => {
    expect(check(input)).toEqual({ ok: true, frame: expected, notes: [] });
  });

  it('accepts unknown fields but notes them', () => {
    expect(check({ type: 'text', token: 'a', extra: 1 })).toEqual({
      ok: true,
      frame: { type: 'text', token: 'a', last: false },
      notes: ['unknown field "extra" in a text message was ignored'],
    });
  });

  it.each([
    ['not json', 'the frame is not valid JSON'],
    [[1], 'a message must be a JSON object (found an array)'],
    [null, 'a message must be a JSON object (found null)'],
    ['"text"', 'a message must be a JSON object (found the string "text")'],
    [{ token: 'a' }, 'the message has no string "type" field (found nothing)'],
    [{ type: 'prompt', voicePrompt: 'x' }, 'unknown message type "prompt" (expected text, play, sendDigits, language or end)'],
    [{ type: 'error', description: 'x' }, 'unknown message type "error" (expected text, play, sendDigits, language or end)'],
    [{ type: 'config' }, 'unknown message type "config" (expected text, play, sendDigits, language or end)'],
    [{ type: 'text' }, 'text.token is required and must be a string (found nothing)'],
    [{ type: 'text', token: null }, 'text.token is required and must be a string (found null)'],
    [{ type: 'text', token: 'a', last: 'true' }, 'text.last must be a boolean when present (found the string "true")'],
    [{ type: 'text', token: 'a', lang: 'english' }, 'text.lang must be a supported language tag such as en-US or multi (found the string "english")'],
    [{ type: 'text', token: 'a', interruptible: 1 }, 'text.interruptible must be a boolean when present (found number 1)'],
    [{ type: 'text', token: 'a', preemptible: 'no' }, 'text.preemptible must be a boolean when present (found the string "no")'],
    [{ type: 'play' }, 'play.source is required and must be a URL string (found nothing)'],
    [{ type: 'play', source: 'a.mp3' }, 'play.source must be a valid URL (found "a.mp3")'],
    [{ type: 'play', source: 'ftp://x/a.mp3' }, 'play.source must be an http(s) URL (found ftp:)'],
    [{ type: 'play', source: 'https://x/a.mp3', loop: -1 }, 'play.loop must be an integer from 0 to 1000 (found number -1)'],
    [{ type: 'play', source: 'https://x/a.mp3', loop: 1.5 }, 'play.loop must be an integer from 0 to 1000 (found number 1.5)'],
    [{ type: 'sendDigits', digits: '' }, 'sendDigits.digits must be a non-empty string of 0-9, w, # and * (found the string "")'],
    [{ type: 'sendDigits', digits: '12a' }, 'sendDigits.digits must be a non-empty string of 0-9, w, # and * (found the string "12a")'],
    [{ type: 'sendDigits', digits: 12 }, 'sendDigits.digits must be a non-empty string of 0-9, w, # and * (found number 12)'],
    [{ type: 'language' }, 'language needs ttsLanguage, transcriptionLanguage or both'],
    [{ type: 'language', ttsLanguage: 5 }, 'language.ttsLanguage must be a supported language tag such as en-US or multi (found number 5)'],
    [{ type: 'end', handoffData: { reason: 'x' } }, 'end.handoffData must be a string: JSON.stringify objects yourself (found object {"reason":"x"})'],
  ])('rejects %j: %s', (input, reason) => {
    expect(check(input)).toEqual({ ok: false, reason });
  });

  it('rejects binary frames', () => {
    expect(checkAgentFrame({ raw: 'AQID', binary: true })).toEqual({ ok: false, reason: 'binary frames are not accepted; send JSON text frames' });
  });

  it("builds Twilio's error description from the raw frame", () => {
    expect(invalidMessageDescription({ raw: '{ "foo" : "bar" }' })).toBe('Invalid message received: { "foo" : "bar" }');
    expect(invalidMessageDescription({ raw: 'AQID', binary: true })).toBe('Invalid message received: <binary frame, 3 bytes>');
  });
});
