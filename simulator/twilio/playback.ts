import type { Clock } from '../core/clock.ts';
import { SimErrors } from '../core/errors.ts';
import type { InputKind } from './twiml.ts';

/**
 * The fake Twilio's TTS playback model (conversationrelay.md §1.7, architecture §3): audio items
 * play one after another, each starting when it has arrived and the previous one has finished;
 * text is "spoken" at a fixed rate in characters per second on the simulator clock. A character
 * counts as spoken once its whole time slot has passed. Pure apart from reading the clock.
 */

/** One `text` token as the agent sent it. */
export interface PlaybackToken {
  readonly token: string;
  readonly at: number;
  readonly last: boolean;
  readonly lang?: string;
  readonly interruptible?: boolean;
  readonly preemptible?: boolean;
}

/** What became of a talk cycle, as of the time asked about. */
export type CycleStatus =
  | 'queued'
  | 'playing'
  | 'waiting-for-tokens'
  | 'played'
  | 'interrupted'
  | 'preempted'
  | 'cleared'
  | 'cut-by-session-end';

/** Why audio was stopped. */
export type CutReason = 'interrupted' | 'preempted' | 'session-ended';

/** A talk cycle as plain JSON: the greeting, a `play`, or `text` tokens up to `last:true`. */
export interface TalkCycleRecord {
  readonly index: number;
  readonly kind: 'greeting' | 'text' | 'play';
  readonly tokens: readonly PlaybackToken[];
  /** Everything received for the cycle (tokens joined; the greeting text; '' for a play). */
  readonly text: string;
  readonly source?: string;
  /** A `last:true` token arrived (always true for greeting and play). */
  readonly lastReceived: boolean;
  readonly status: CycleStatus;
  /** The prefix of `text` spoken so far (or when it was cut). */
  readonly spokenText: string;
  /** Milliseconds of this cycle's audio played so far (or until it was cut). */
  readonly playedMs: number;
  readonly startedAt?: number;
  /** When its audio finished or was cut; absent while it may still play. */
  readonly endedAt?: number;
  readonly cut?: { readonly reason: CutReason; readonly at: number };
  /** Set on a text cycle that began after an interrupt cut an earlier cycle before its `last:true`. */
  readonly afterInterruptOf?: number;
}

/** What an interrupt stopped: the cycle that was audible and what of it had been heard. */
export interface InterruptResult {
  readonly cycle: number;
  readonly utteranceUntilInterrupt: string;
  readonly durationUntilInterruptMs: number;
}

/** Inputs of {@link PlaybackModel}. */
export interface PlaybackOptions {
  readonly clock: Clock;
  /** Simulated TTS speed (architecture appendix: `speechRate`). */
  readonly charsPerSecond: number;
  /** Length of one loop of a `play` (media length is unknown to the fake); default 1000 ms. */
  readonly playLoopMs?: number;
  /** TwiML `interruptible` (the default for text and play). */
  readonly interruptible: InputKind;
  /** TwiML `preemptible` (the default for text and play). */
  readonly preemptible: boolean;
  /** Keep each cycle's tokens for {@link TalkCycleRecord.tokens} (default true; load runs need none). */
  readonly keepTokens?: boolean;
}

interface Item {
  readonly cycle: number;
  /** What the item says; its length in characters (code points) is `charCount`. */
  readonly text: string;
  readonly charCount: number;
  readonly durationMs: number;
  /** Characters per second of this item; differs from the session rate when a duration was imposed. */
  readonly cps: number;
  readonly arrivalAt: number;
  /** Cuts before this item force it to start no earlier than the cut. */
  notBefore: number;
  readonly interruptible: InputKind;
  readonly preemptible: boolean;
  cutAt?: number;
}

interface Cycle {
  readonly index: number;
  readonly kind: 'greeting' | 'text' | 'play';
  readonly tokens: PlaybackToken[];
  text: string;
  readonly source?: string;
  lastReceived: boolean;
  cut?: { reason: CutReason; at: number };
  afterInterruptOf?: number;
}

interface Slot {
  readonly item: Item;
  readonly start: number;
  /** Natural end, or the cut time when cut after starting. */
  readonly end: number;
  /** Dropped before it started: it occupies no time and plays nothing. */
  readonly dropped: boolean;
}

const EPSILON = 1e-6;

/** Characters as TTS counts them: code points, so a surrogate pair is one. */
function codePointCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** Maps a per-message boolean override onto the input-kind scale (true = any, false = none). */
function overrideKind(value: boolean | undefined, fallback: InputKind): InputKind {
  return value === undefined ? fallback : value ? 'any' : 'none';
}

/** True when `kind` lets caller input of `input` type through. */
export function allows(kind: InputKind, input: 'speech' | 'dtmf'): boolean {
  return kind === 'any' || kind === input;
}

/** The TTS playback model of one session. */
export class PlaybackModel {
  readonly #clock: Clock;
  readonly #cps: number;
  readonly #playLoopMs: number;
  readonly #interruptible: InputKind;
  readonly #preemptible: boolean;
  readonly #keepTokens: boolean;
  readonly #items: Item[] = [];
  readonly #cycles: Cycle[] = [];
  #openText: Cycle | undefined;
  #interruptedOpen: number | undefined;

  constructor(options: PlaybackOptions) {
    if (!(options.charsPerSecond > 0) || !Number.isFinite(options.charsPerSecond)) {
      throw new SimErrors.SIM_ERR_TWILIO_OPTIONS_INVALID(`charsPerSecond must be a positive number (actual: ${options.charsPerSecond})`);
    }
    const playLoopMs = options.playLoopMs ?? 1_000;
    if (!(playLoopMs >= 0)) throw new SimErrors.SIM_ERR_TWILIO_OPTIONS_INVALID(`playLoopMs must be >= 0 (actual: ${playLoopMs})`);
    this.#clock = options.clock;
    this.#cps = options.charsPerSecond;
    this.#playLoopMs = playLoopMs;
    this.#interruptible = options.interruptible;
    this.#preemptible = options.preemptible;
    this.#keepTokens = options.keepTokens ?? true;
  }

  /**
   * Queues the welcome greeting as its own cycle, interruptible per `welcomeGreetingInterruptible`.
   * `durationMs`, when given, is how long it plays instead of its length at the speech rate; its
   * characters are then spread evenly over that time.
   */
  greeting(text: string, interruptible: InputKind, durationMs?: number): number {
    if (durationMs !== undefined && !(Number.isFinite(durationMs) && durationMs >= 0)) {
      throw new SimErrors.SIM_ERR_TWILIO_OPTIONS_INVALID(`the greeting duration must be a finite number of ms >= 0 (actual: ${durationMs})`);
    }
    const cycle = this.#newCycle('greeting', text);
    cycle.lastReceived = true;
    this.#push(cycle, text, interruptible, this.#preemptible, durationMs);
    return cycle.index;
  }

  /** Adds an agent `text` token: to the open cycle, or starting a new one (which may preempt). */
  text(token: Omit<PlaybackToken, 'at'>): number {
    const at = this.#clock.now();
    let cycle = this.#openText;
    if (cycle === undefined) {
      cycle = this.#newCycle('text', '');
      if (this.#interruptedOpen !== undefined) cycle.afterInterruptOf = this.#interruptedOpen;
      this.#interruptedOpen = undefined;
      this.#openText = cycle;
      this.#preemptOthers(cycle.index, at);
    }
    if (this.#keepTokens) cycle.tokens.push({ ...token, at });
    cycle.text += token.token;
    this.#push(cycle, token.token, overrideKind(token.interruptible, this.#interruptible), token.preemptible ?? this.#preemptible);
    if (token.last) {
      cycle.lastReceived = true;
      this.#openText = undefined;
    }
    return cycle.index;
  }

  /** Adds an agent `play` as its own cycle lasting `loop` × the loop length (0 means 1,000 loops). */
  play(source: string, options: { loop?: number; interruptible?: boolean; preemptible?: boolean } = {}): number {
    const at = this.#clock.now();
    const cycle = this.#newCycle('play', '', source);
    cycle.lastReceived = true;
    this.#preemptOthers(cycle.index, at);
    const loops = options.loop === undefined ? 1 : options.loop === 0 ? 1_000 : options.loop;
    const item: Item = {
      cycle: cycle.index,
      text: '',
      charCount: 0,
      durationMs: loops * this.#playLoopMs,
      cps: this.#cps,
      arrivalAt: at,
      notBefore: at,
      interruptible: overrideKind(options.interruptible, this.#interruptible),
      preemptible: options.preemptible ?? this.#preemptible,
    };
    this.#items.push(item);
    return cycle.index;
  }

  /** The cycle whose audio is playing now, with its effective `interruptible`; undefined when silent. */
  audible(at = this.#clock.now()): { cycle: number; interruptible: InputKind } | undefined {
    const slot = this.#slots().find((s) => !s.dropped && s.start <= at && at < s.end);
    return slot ? { cycle: slot.item.cycle, interruptible: slot.item.interruptible } : undefined;
  }

  /**
   * The caller barged in now: stops all audio (the audible cycle is `interrupted`, queued ones are
   * `cleared`) and returns what had been heard of the audible cycle; undefined if nothing played.
   */
  interrupt(): InterruptResult | undefined {
    const at = this.#clock.now();
    const audible = this.audible(at);
    if (audible === undefined) return undefined;
    const heard = this.#heard(audible.cycle, at);
    // Queued cycles are cut too; a cycle cut before it started reports as `cleared`.
    for (const cycle of this.#cycles) if (this.#hasPendingAudio(cycle.index, at)) cycle.cut = { reason: 'interrupted', at };
    this.#cutItems(at, () => true);
    if (this.#openText) {
      this.#interruptedOpen = this.#openText.index;
      this.#openText.cut ??= { reason: 'interrupted', at };
      this.#openText = undefined;
    }
    return { cycle: audible.cycle, utteranceUntilInterrupt: heard.text, durationUntilInterruptMs: Math.round(heard.ms) };
  }

  /** Stops everything at the end of the session (hang-up, `end`, close). */
  stop(): void {
    const at = this.#clock.now();
    for (const cycle of this.#cycles) if (!cycle.cut && this.#hasPendingAudio(cycle.index, at)) cycle.cut = { reason: 'session-ended', at };
    this.#cutItems(at, () => true);
    // A cycle still waiting for `last:true` will never get it now.
    if (this.#openText && !this.#openText.cut) this.#openText.cut = { reason: 'session-ended', at };
    this.#openText = undefined;
  }

  /** When all audio queued so far will have finished (now or earlier when already silent). */
  drainsAt(): number {
    const now = this.#clock.now();
    return this.#slots().reduce((latest, s) => (s.dropped ? latest : Math.max(latest, s.end)), now);
  }

  /** The next time after now when audio starts or stops (so waiters can re-check); undefined if none. */
  nextChangeAt(): number | undefined {
    const now = this.#clock.now();
    let next: number | undefined;
    for (const slot of this.#slots()) {
      if (slot.dropped) continue;
      for (const t of [slot.start, slot.end]) if (t > now && (next === undefined || t < next)) next = t;
    }
    return next;
  }

  /** The index of the text cycle still waiting for `last:true`, if any. */
  get openTextCycle(): number | undefined {
    return this.#openText?.index;
  }

  /** The first text cycle from `from` on that got `last:true`, without building any record (cheap per frame). */
  firstReceivedTextCycle(from: number): number | undefined {
    for (let i = Math.max(0, from); i < this.#cycles.length; i++) {
      const c = this.#cycles[i] as Cycle;
      if (c.kind === 'text' && c.lastReceived) return i;
    }
    return undefined;
  }

  /** Every cycle so far, as of now (or `at`). */
  cycles(at = this.#clock.now()): TalkCycleRecord[] {
    return this.#cycles.map((c) => this.#record(c, at));
  }

  /** One cycle as of now (or `at`). */
  cycle(index: number, at = this.#clock.now()): TalkCycleRecord | undefined {
    const cycle = this.#cycles[index];
    return cycle ? this.#record(cycle, at) : undefined;
  }

  #newCycle(kind: Cycle['kind'], text: string, source?: string): Cycle {
    const cycle: Cycle = { index: this.#cycles.length, kind, tokens: [], text, lastReceived: false, ...(source === undefined ? {} : { source }) };
    this.#cycles.push(cycle);
    return cycle;
  }

  #push(cycle: Cycle, text: string, interruptible: InputKind, preemptible: boolean, durationMs?: number): void {
    // Code points, as TTS would speak them; the per-character array is built only to cut a partial item.
    const charCount = codePointCount(text);
    const at = this.#clock.now();
    this.#items.push({
      cycle: cycle.index,
      text,
      charCount,
      durationMs: durationMs ?? (charCount * 1000) / this.#cps,
      cps: durationMs === undefined ? this.#cps : durationMs === 0 ? Infinity : (charCount * 1000) / durationMs,
      arrivalAt: at,
      notBefore: at,
      interruptible,
      preemptible,
    });
  }

  /** A later cycle's audio stops every preemptible item of the other cycles (§1.7). */
  #preemptOthers(newCycle: number, at: number): void {
    const victims = new Set<number>();
    for (const slot of this.#slots()) {
      if (slot.dropped || slot.item.cycle === newCycle || !slot.item.preemptible || slot.end <= at) continue;
      victims.add(slot.item.cycle);
    }
    if (victims.size === 0) return;
    for (const index of victims) {
      const cycle = this.#cycles[index];
      if (cycle && !cycle.cut) cycle.cut = { reason: 'preempted', at };
      if (this.#openText?.index === index) this.#openText = undefined;
    }
    this.#cutItems(at, (item) => victims.has(item.cycle) && item.preemptible);
  }

  #cutItems(at: number, which: (item: Item) => boolean): void {
    let cutSomething = false;
    for (const slot of this.#slots()) {
      const item = slot.item;
      if (cutSomething && !which(item)) item.notBefore = Math.max(item.notBefore, at);
      if (slot.dropped || slot.end <= at || !which(item)) continue;
      item.cutAt = at;
      cutSomething = true;
    }
  }

  /** The timeline: each item starts when it arrived and the previous audible item finished. */
  #slots(): Slot[] {
    const slots: Slot[] = [];
    let previousEnd = -Infinity;
    for (const item of this.#items) {
      const start = Math.max(item.arrivalAt, item.notBefore, previousEnd);
      const naturalEnd = start + item.durationMs;
      if (item.cutAt !== undefined && item.cutAt <= start) {
        slots.push({ item, start, end: start, dropped: true });
        continue;
      }
      const end = item.cutAt === undefined ? naturalEnd : Math.min(naturalEnd, item.cutAt);
      slots.push({ item, start, end, dropped: false });
      previousEnd = end;
    }
    return slots;
  }

  #hasPendingAudio(cycle: number, at: number): boolean {
    return this.#slots().some((s) => s.item.cycle === cycle && !s.dropped && s.end > at);
  }

  #heard(cycle: number, at: number): { text: string; ms: number } {
    let text = '';
    let ms = 0;
    for (const slot of this.#slots()) {
      if (slot.item.cycle !== cycle || slot.dropped || slot.start > at) continue;
      const until = Math.min(at, slot.end);
      const played = until - slot.start;
      ms += played;
      // An item of no duration (a greeting given 0 ms) is heard whole as soon as it starts.
      const item = slot.item;
      const spoken = item.durationMs <= 0 ? item.charCount : Math.min(item.charCount, Math.floor((played * item.cps) / 1000 + EPSILON));
      text += spoken === item.charCount ? item.text : Array.from(item.text).slice(0, spoken).join('');
    }
    return { text, ms };
  }

  #record(cycle: Cycle, at: number): TalkCycleRecord {
    const slots = this.#slots().filter((s) => s.item.cycle === cycle.index && !s.dropped);
    const started = slots.filter((s) => s.start <= at);
    const heard = this.#heard(cycle.index, at);
    const lastEnd = slots.reduce((m, s) => Math.max(m, s.end), -Infinity);
    const allPlayed = slots.every((s) => s.end <= at);
    let status: CycleStatus;
    if (cycle.cut && cycle.cut.at <= at) {
      status = started.length === 0 ? 'cleared' : cycle.cut.reason === 'session-ended' ? 'cut-by-session-end' : cycle.cut.reason;
    } else if (started.length === 0) status = 'queued';
    else if (!allPlayed) status = 'playing';
    else status = cycle.lastReceived ? 'played' : 'waiting-for-tokens';
    const finished = status !== 'queued' && status !== 'playing' && status !== 'waiting-for-tokens';
    const endedAt = cycle.cut && cycle.cut.at <= at ? Math.min(cycle.cut.at, lastEnd) : finished ? lastEnd : undefined;
    return {
      index: cycle.index,
      kind: cycle.kind,
      tokens: [...cycle.tokens],
      text: cycle.text,
      ...(cycle.source === undefined ? {} : { source: cycle.source }),
      lastReceived: cycle.lastReceived,
      status,
      spokenText: heard.text,
      playedMs: heard.ms,
      ...(started[0] ? { startedAt: started[0].start } : {}),
      ...(endedAt === undefined || !Number.isFinite(endedAt) ? {} : { endedAt }),
      ...(cycle.cut ? { cut: { ...cycle.cut } } : {}),
      ...(cycle.afterInterruptOf === undefined ? {} : { afterInterruptOf: cycle.afterInterruptOf }),
    };
  }
}
