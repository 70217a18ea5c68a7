import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../simulator/core/manual-clock.ts';
import { PlaybackModel, allows } from '../../../simulator/twilio/playback.ts';
import type { PlaybackOptions } from '../../../simulator/twilio/playback.ts';
import { fcOptions } from '../../support/fc-config.ts';

function model(options: Partial<PlaybackOptions> = {}): { clock: ManualClock; playback: PlaybackModel } {
  const clock = options.clock instanceof ManualClock ? options.clock : new ManualClock();
  const playback = new PlaybackModel({ charsPerSecond: 15, interruptible: 'any', preemptible: false, ...options, clock });
  return { clock, playback };
}

describe('PlaybackModel', () => {
  it('interrupts a single token after 1000 ms at 15 chars/s with exactly 15 characters heard', () => {
    const { clock, playback } = model();
    playback.text({ token: 'Hello there, how are you today?', last: true });
    clock.advance(1_000);
    expect(playback.audible()).toEqual({ cycle: 0, interruptible: 'any' });
    expect(playback.interrupt()).toEqual({ cycle: 0, utteranceUntilInterrupt: 'Hello there, ho', durationUntilInterruptMs: 1_000 });
    expect(playback.cycle(0)).toMatchObject({ status: 'interrupted', spokenText: 'Hello there, ho', playedMs: 1_000, endedAt: 1_000, cut: { reason: 'interrupted', at: 1_000 } });
    expect(playback.audible()).toBeUndefined();
  });

  it('counts characters as code points: an emoji is one character, never cut in half', () => {
    const { clock, playback } = model({ charsPerSecond: 10 });
    playback.text({ token: 'Hi 😀 there', last: true }); // 10 code points, 11 UTF-16 units: 0..1000
    clock.advance(450); // 4.5 characters: "Hi 😀"
    expect(playback.interrupt()).toEqual({ cycle: 0, utteranceUntilInterrupt: 'Hi 😀', durationUntilInterruptMs: 450 });
    const other = model({ charsPerSecond: 10 });
    other.playback.text({ token: '😀😀', last: true });
    expect(other.playback.drainsAt()).toBe(200);
  });

  it('without keepTokens the cycles keep no tokens but play and cut the same', () => {
    const kept = model();
    const lean = model({ keepTokens: false });
    for (const { clock, playback } of [kept, lean]) {
      playback.text({ token: 'Sure, ', last: false });
      clock.advance(100);
      playback.text({ token: 'we open at nine.', last: true });
      clock.advance(900);
    }
    expect(lean.playback.cycle(0)?.tokens).toEqual([]);
    expect(kept.playback.cycle(0)?.tokens).toHaveLength(2);
    expect(lean.playback.interrupt()).toEqual(kept.playback.interrupt());
    const { tokens: _kt, ...keptRest } = kept.playback.cycle(0) ?? { tokens: [] };
    const { tokens: _lt, ...leanRest } = lean.playback.cycle(0) ?? { tokens: [] };
    expect(leanRest).toEqual(keptRest);
  });

  it('queues tokens that arrive while speaking, resumes after an underrun, and cuts mid-token', () => {
    const { clock, playback } = model();
    playback.text({ token: 'Sure, ', last: false }); // 6 chars: 0..400
    clock.advance(100);
    playback.text({ token: 'we open ', last: false }); // 8 chars: 400..933.3
    clock.advance(1_100); // t = 1200: all received text spoken, waiting for more
    expect(playback.audible()).toBeUndefined();
    expect(playback.cycle(0)).toMatchObject({ status: 'waiting-for-tokens', spokenText: 'Sure, we open ' });
    expect(playback.interrupt()).toBeUndefined();
    clock.advance(300); // t = 1500
    playback.text({ token: 'at nine.', last: true }); // 1500..2033.3
    clock.advance(300); // t = 1800: 4.5 chars of the last token
    expect(playback.interrupt()).toEqual({ cycle: 0, utteranceUntilInterrupt: 'Sure, we open at n', durationUntilInterruptMs: 1_233 });
    expect(playback.cycle(0)?.tokens.map((t) => t.at)).toEqual([0, 100, 1_500]);
  });

  it('counts a character as spoken exactly when its slot ends', () => {
    const { clock, playback } = model();
    playback.text({ token: 'Sure, thing', last: true });
    clock.advance(399);
    expect(playback.cycle(0)?.spokenText).toBe('Sure,');
    clock.advance(1);
    expect(playback.cycle(0)?.spokenText).toBe('Sure, ');
    clock.advance(10_000);
    expect(playback.cycle(0)).toMatchObject({ status: 'played', spokenText: 'Sure, thing', startedAt: 0 });
    expect(playback.cycle(0)?.endedAt).toBeCloseTo(733.333, 2);
  });

  it('queues a new cycle behind a non-preemptible one', () => {
    const { clock, playback } = model();
    playback.text({ token: 'a'.repeat(15), last: true });
    clock.advance(500);
    playback.text({ token: 'bbb', last: true });
    clock.advance(600); // t = 1100
    const [a, b] = playback.cycles();
    expect(a).toMatchObject({ status: 'played', spokenText: 'a'.repeat(15), endedAt: 1_000 });
    expect(b).toMatchObject({ status: 'playing', startedAt: 1_000, spokenText: 'b' });
  });

  it('stops a preemptible cycle when the next one arrives (TwiML preemptible)', () => {
    const { clock, playback } = model({ preemptible: true });
    playback.text({ token: 'a'.repeat(15), last: true });
    clock.advance(500);
    playback.text({ token: 'bbb', last: true });
    const [a, b] = playback.cycles();
    expect(a).toMatchObject({ status: 'preempted', spokenText: 'aaaaaaa', playedMs: 500, endedAt: 500 });
    expect(b).toMatchObject({ status: 'playing', startedAt: 500 });
  });

  it('honours a per-message preemptible override in both directions', () => {
    const on = model();
    on.playback.text({ token: 'a'.repeat(15), last: true, preemptible: true });
    on.clock.advance(200);
    on.playback.play('https://x/hold.mp3');
    expect(on.playback.cycles().map((c) => c.status)).toEqual(['preempted', 'playing']);

    const off = model({ preemptible: true });
    off.playback.text({ token: 'a'.repeat(15), last: true, preemptible: false });
    off.clock.advance(200);
    off.playback.text({ token: 'b', last: true });
    expect(off.playback.cycles().map((c) => c.status)).toEqual(['playing', 'queued']);
  });

  it('clears queued cycles on an interrupt and keeps later cycles from starting before it', () => {
    const { clock, playback } = model();
    playback.text({ token: 'a'.repeat(15), last: true });
    playback.text({ token: 'b'.repeat(15), last: true });
    clock.advance(300);
    expect(playback.interrupt()?.utteranceUntilInterrupt).toBe('aaaa');
    expect(playback.cycles().map((c) => c.status)).toEqual(['interrupted', 'cleared']);
    playback.text({ token: 'c', last: true });
    expect(playback.cycle(2)).toMatchObject({ startedAt: 300, status: 'playing' });
    expect(playback.cycle(2)?.afterInterruptOf).toBeUndefined();
  });

  it('marks tokens that follow an interrupt of an unfinished cycle as a new cycle', () => {
    const { clock, playback } = model();
    playback.text({ token: 'one two ', last: false });
    clock.advance(200);
    playback.interrupt();
    playback.text({ token: 'three', last: true });
    expect(playback.cycle(1)).toMatchObject({ kind: 'text', afterInterruptOf: 0, text: 'three' });
  });

  it('applies per-message interruptible over TwiML, as any/none', () => {
    const { playback } = model({ interruptible: 'speech' });
    playback.text({ token: 'abc', last: false, interruptible: false });
    expect(playback.audible()?.interruptible).toBe('none');
    const other = model({ interruptible: 'none' });
    other.playback.text({ token: 'abc', last: false, interruptible: true });
    expect(other.playback.audible()?.interruptible).toBe('any');
    expect(other.playback.openTextCycle).toBe(0);
  });

  it('plays the greeting with its own interruptibility', () => {
    const { clock, playback } = model();
    playback.greeting('Hi! How can I help?', 'none');
    clock.advance(200);
    expect(playback.audible()).toEqual({ cycle: 0, interruptible: 'none' });
    expect(playback.cycle(0)).toMatchObject({ kind: 'greeting', lastReceived: true, spokenText: 'Hi!' });
  });

  it('a given greeting duration overrides the speech rate: a barge-in at T hears the proportional prefix', () => {
    const text = 'Thanks for calling Acme Dental, how can I help?'; // 47 chars: 3133 ms at 15 chars/s
    const { clock, playback } = model();
    playback.greeting(text, 'any', 10_000);
    expect(playback.drainsAt()).toBe(10_000);
    clock.advance(5_000);
    expect(playback.audible()).toEqual({ cycle: 0, interruptible: 'any' });
    const heard = text.slice(0, Math.floor((text.length * 5_000) / 10_000));
    expect(playback.interrupt()).toEqual({ cycle: 0, utteranceUntilInterrupt: heard, durationUntilInterruptMs: 5_000 });
    expect(heard).toBe('Thanks for calling Acme');
    expect(playback.cycle(0)).toMatchObject({ kind: 'greeting', status: 'interrupted', spokenText: heard, playedMs: 5_000 });
  });

  it('a barge-in at any instant of an imposed greeting duration hears floor(T / duration × length) characters', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 20_000 }), fc.double({ min: 0.001, max: 0.999, noNaN: true }), (text, durationMs, fraction) => {
        const { clock, playback } = model({ charsPerSecond: 60 });
        playback.greeting(text, 'any', durationMs);
        const at = Math.max(1, Math.floor(durationMs * fraction));
        if (at >= durationMs) return;
        clock.advance(at);
        const chars = Array.from(text);
        const result = playback.interrupt();
        expect(result).toEqual({ cycle: 0, utteranceUntilInterrupt: chars.slice(0, Math.floor((chars.length * at) / durationMs + 1e-6)).join(''), durationUntilInterruptMs: at });
      }),
      fcOptions({ numRuns: 200 }),
    );
  });

  it('a greeting given 0 ms is heard whole at once and takes no time; a bad duration is refused', () => {
    const { clock, playback } = model();
    playback.greeting('Hello!', 'any', 0);
    expect(playback.drainsAt()).toBe(0);
    expect(playback.audible()).toBeUndefined();
    expect(playback.cycle(0)).toMatchObject({ status: 'played', spokenText: 'Hello!', playedMs: 0 });
    playback.text({ token: 'abc', last: true });
    clock.advance(100);
    expect(playback.cycle(1)?.spokenText).toBe('a');
    expect(() => model().playback.greeting('Hi', 'any', -1)).toThrow(/greeting duration must be a finite number/);
    expect(() => model().playback.greeting('Hi', 'any', Number.NaN)).toThrow(/greeting duration/);
  });

  it('plays media for loop × the loop length, 0 meaning 1,000 loops', () => {
    const { clock, playback } = model({ playLoopMs: 1_000 });
    playback.play('https://x/a.mp3', { loop: 2 });
    expect(playback.drainsAt()).toBe(2_000);
    clock.advance(1_999);
    expect(playback.audible()?.cycle).toBe(0);
    clock.advance(1);
    expect(playback.audible()).toBeUndefined();
    playback.play('https://x/b.mp3', { loop: 0 });
    expect(playback.drainsAt()).toBe(2_000 + 1_000_000);
    expect(playback.cycle(1)).toMatchObject({ kind: 'play', source: 'https://x/b.mp3', text: '' });
  });

  it('counts code points, not UTF-16 units', () => {
    const { clock, playback } = model({ charsPerSecond: 10 });
    playback.text({ token: 'h👋é!', last: true });
    clock.advance(200);
    expect(playback.cycle(0)?.spokenText).toBe('h👋');
  });

  it('cuts everything at session end', () => {
    const { clock, playback } = model();
    playback.text({ token: 'abcdefghijklmnop', last: false });
    clock.advance(100);
    playback.stop();
    expect(playback.cycle(0)).toMatchObject({ status: 'cut-by-session-end', spokenText: 'a', endedAt: 100 });
    expect(playback.openTextCycle).toBeUndefined();
  });

  it('refuses a non-positive speech rate', () => {
    expect(() => model({ charsPerSecond: 0 })).toThrow(expect.objectContaining({ code: 'SIM_ERR_TWILIO_OPTIONS_INVALID' }));
  });

  it('maps input kinds to what they let through', () => {
    expect([allows('any', 'speech'), allows('speech', 'speech'), allows('dtmf', 'speech'), allows('none', 'dtmf'), allows('dtmf', 'dtmf')]).toEqual([
      true,
      true,
      false,
      false,
      true,
    ]);
  });

  it('property: what is heard is a growing prefix of the text, and an interrupt reports exactly it', () => {
    const tokenArb = fc.record({ text: fc.string({ minLength: 0, maxLength: 12 }), gapMs: fc.integer({ min: 0, max: 900 }) });
    fc.assert(
      fc.property(
        fc.array(tokenArb, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 8_000 }),
        (tokens, cps, bargeAt) => {
          const { clock, playback } = model({ charsPerSecond: cps });
          const events: { at: number; token: string; last: boolean }[] = [];
          let t = 0;
          tokens.forEach((tok, i) => {
            t += i === 0 ? 0 : tok.gapMs;
            events.push({ at: t, token: tok.text, last: i === tokens.length - 1 });
          });
          let previous = '';
          for (let now = 0; now <= bargeAt; now += 50) {
            clock.advance(now - clock.now());
            for (const e of events.filter((e) => e.at <= now && e.at > now - 50)) playback.text({ token: e.token, last: e.last });
            const spoken = playback.cycle(0)?.spokenText ?? '';
            expect(playback.cycle(0)?.text.startsWith(spoken) ?? true).toBe(true);
            expect(spoken.startsWith(previous)).toBe(true);
            previous = spoken;
          }
          const before = playback.cycle(0);
          const audible = playback.audible();
          const result = playback.interrupt();
          if (audible === undefined) expect(result).toBeUndefined();
          else {
            expect(result?.utteranceUntilInterrupt).toBe(before?.spokenText);
            expect(result?.durationUntilInterruptMs).toBe(Math.round(before?.playedMs ?? -1));
          }
        },
      ),
      fcOptions({ numRuns: 200 }, 'playback prefix'),
    );
  });
});
