import type { Clock, TimerHandle } from '../core/clock.ts';
import { sleep } from '../core/clock.ts';
import { SimErrors } from '../core/errors.ts';
import { actionCallbackParams, postActionCallback } from './action-callback.ts';
import { PlaybackModel, allows } from './playback.ts';
import type { InterruptResult, TalkCycleRecord } from './playback.ts';
import { connectRelayClient } from './relay-client.ts';
import type { RelayClient, RelayConnectOutcome, RelayFrame } from './relay-client.ts';
import { cumulativePartials } from './partial-prompts.ts';
import { checkAgentFrame, invalidMessageDescription } from './relay-messages.ts';
import type { AgentFrame } from './relay-messages.ts';
import { CONNECT_FAILED_ERROR, SOCKET_ENDED_ERROR } from './relay-session-record.ts';
import type {
  CallerActionRecord,
  CallerOutcome,
  ProtocolErrorRecord,
  RelaySessionOptions,
  RelaySessionRecord,
  SayOptions,
  SessionEndRecord,
  SessionWaitOptions,
} from './relay-session-record.ts';
import { customParametersOf } from './twiml.ts';
import type { InputKind } from './twiml.ts';

interface MutableAction {
  kind: CallerActionRecord['kind'];
  at: number;
  text?: string;
  digit?: string;
  audible?: { cycle: number; interruptible: InputKind };
  outcome: CallerOutcome;
  interrupt?: InterruptResult;
  frames: number[];
}

interface SessionWaiter {
  readonly check: () => boolean;
  readonly description: string;
  readonly reject: (error: Error) => void;
  readonly timeout: TimerHandle;
  /** False when only frames can change the answer (then no playback timer re-checks it). */
  readonly timed: boolean;
  recheck?: TimerHandle;
}

const FINAL_STATUSES = new Set(['played', 'interrupted', 'preempted', 'cleared', 'cut-by-session-end']);

/**
 * The fake Twilio side of one ConversationRelay call (conversationrelay.md §1.7, §10): signed
 * socket, `setup`, welcome greeting, TTS playback model, the caller's speech, barge-ins and key
 * presses, validation of every agent frame, and the `<Connect action>` request at the end.
 */
export class RelaySession {
  readonly sessionId: string;
  readonly client: RelayClient;
  /** Resolves once the socket is open and `setup` was sent, or the connection failed. */
  readonly ready: Promise<RelayConnectOutcome>;
  /** Resolves with the full record once the socket closed and the action request finished. */
  readonly done: Promise<RelaySessionRecord>;

  readonly #o: RelaySessionOptions;
  readonly #clock: Clock;
  readonly #playback: PlaybackModel;
  readonly #actions: MutableAction[] = [];
  readonly #errors: ProtocolErrorRecord[] = [];
  readonly #notes: { frameIndex: number; note: string }[] = [];
  readonly #digits: { frameIndex: number; at: number; digits: string }[] = [];
  readonly #languages: { frameIndex: number; at: number; ttsLanguage?: string; transcriptionLanguage?: string }[] = [];
  #waiters: SessionWaiter[] = [];
  #connect: RelayConnectOutcome | undefined;
  #setup: Record<string, unknown> | undefined;
  #openedAt: number | undefined;
  #consecutiveInvalid = 0;
  #sttLanguage: string;
  #end: SessionEndRecord | undefined;
  #actionCallback: RelaySessionRecord['actionCallback'];
  #resolveDone: (record: RelaySessionRecord) => void = () => undefined;

  constructor(options: RelaySessionOptions) {
    const max = options.maxConsecutiveInvalid ?? 10;
    if (!Number.isInteger(max) || max < 1) throw new SimErrors.SIM_ERR_TWILIO_OPTIONS_INVALID(`maxConsecutiveInvalid must be a positive integer (actual: ${max})`);
    const greetingMs = options.greetingDurationMs;
    if (greetingMs !== undefined && !(Number.isFinite(greetingMs) && greetingMs >= 0)) {
      throw new SimErrors.SIM_ERR_TWILIO_OPTIONS_INVALID(`greetingDurationMs must be a finite number of ms >= 0 (actual: ${greetingMs})`);
    }
    this.#o = options;
    this.#clock = options.clock;
    const relay = options.twiml.relay;
    this.#playback = new PlaybackModel({
      clock: options.clock,
      charsPerSecond: options.charsPerSecond ?? 15,
      ...(options.keepFrames === undefined ? {} : { keepTokens: options.keepFrames }),
      ...(options.playLoopMs === undefined ? {} : { playLoopMs: options.playLoopMs }),
      interruptible: relay.interruptible,
      preemptible: relay.preemptible,
    });
    this.#sttLanguage = relay.transcriptionLanguage ?? relay.language;
    this.sessionId = options.ids.sid('VX');
    this.done = new Promise((resolve) => (this.#resolveDone = resolve));
    this.client = connectRelayClient({
      url: relay.url,
      authToken: options.authToken,
      clock: options.clock,
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.handshakeSigning ? { signing: options.handshakeSigning } : {}),
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
      ...(options.keepFrames === undefined ? {} : { keepFrames: options.keepFrames }),
    });
    this.client.onFrame((frame) => this.#onAgentFrame(frame));
    this.ready = this.client.connected.then((outcome) => {
      this.#connect = outcome;
      if (outcome.status === 'open') this.#start();
      else void this.#finish({ status: 'failed', cause: 'connect-failed', errorCode: CONNECT_FAILED_ERROR.code, errorMessage: CONNECT_FAILED_ERROR.message });
      return outcome;
    });
    void this.client.closed.then((close) => {
      if (!this.#end) void this.#finish({ status: 'failed', cause: 'agent-close', errorCode: SOCKET_ENDED_ERROR.code, errorMessage: SOCKET_ENDED_ERROR.message });
      return close;
    });
  }

  /** True between `setup` and the end of the session. */
  get active(): boolean {
    return this.#openedAt !== undefined && this.#end === undefined;
  }

  /** The `setup` frame sent, once sent. */
  get setup(): Readonly<Record<string, unknown>> | undefined {
    return this.#setup;
  }

  /** Number of talk cycles so far (greeting included). */
  get cycleCount(): number {
    return this.#playback.cycles().length;
  }

  /** The agent audio playing now, if any. */
  audible(): { cycle: number; interruptible: InputKind } | undefined {
    return this.#end ? undefined : this.#playback.audible();
  }

  /** The talk cycles as of now. */
  talkCycles(): TalkCycleRecord[] {
    return this.#playback.cycles();
  }

  /** The caller speaks now (§1.7): partials then the final prompt, an interrupt first if it barges in. */
  say(text: string, options: SayOptions = {}): Promise<CallerActionRecord> {
    return this.#speak('say', text, options);
  }

  /** Like {@link say}, named for a caller who talks over the agent on purpose. */
  bargeIn(text: string, options: SayOptions = {}): Promise<CallerActionRecord> {
    return this.#speak('bargeIn', text, options);
  }

  /** The caller presses a key: `dtmf` only with `dtmfDetection`, subject to the speech rules (§1.3, §1.7). */
  pressDigit(digit: string): CallerActionRecord {
    if (!/^[0-9*#A-D]$/.test(digit)) {
      throw new SimErrors.SIM_ERR_TWILIO_CALLER_ACTION_INVALID(`pressDigit needs one of 0-9 * # A-D (actual: ${JSON.stringify(digit)})`);
    }
    const action = this.#action('pressDigit', { digit });
    if (action.outcome === 'session-not-active') return { ...action };
    if (!this.#o.twiml.relay.dtmfDetection) {
      action.outcome = 'dtmf-detection-off';
      return { ...action };
    }
    if (this.#gate(action, 'dtmf', this.#o.dtmfInterruptFrame ?? true)) this.#sendFor(action, { type: 'dtmf', digit });
    return { ...action, frames: [...action.frames] };
  }

  /** The caller hangs up: close 1000, then the action request with `SessionStatus=completed`. */
  async hangUp(): Promise<RelaySessionRecord> {
    const action = this.#action('hangUp', {});
    if (action.outcome !== 'session-not-active' && !this.#end) {
      await this.#finish({ status: 'completed', cause: 'caller-hangup' }, { code: 1000, reason: '' });
    } else if (!this.#end && this.#connect === undefined) {
      this.client.close(1000);
    }
    return this.done;
  }

  /** Sends arbitrary data to the agent (robustness probes); recorded as a caller action. */
  sendRaw(data: string | Uint8Array): CallerActionRecord {
    const action = this.#action('sendRaw', {});
    if (action.outcome === 'session-not-active') return { ...action };
    const index = this.client.frameCount;
    this.client.sendRaw(data);
    action.frames.push(index);
    return { ...action, frames: [...action.frames] };
  }

  /** Waits until a text cycle (from `fromCycle`) got `last:true` (`until: 'received'`) or finished playing. */
  waitForReply(options: SessionWaitOptions & { readonly until?: 'received' | 'played' }): Promise<TalkCycleRecord> {
    const from = this.#defaultFrom(options.fromCycle);
    const until = options.until ?? 'played';
    let found: TalkCycleRecord | undefined;
    return this.#waitUntil(
      () => {
        if (until === 'received') {
          // Checked on every agent frame: building every cycle's record here made long replies quadratic.
          const index = this.#playback.firstReceivedTextCycle(from);
          found = index === undefined ? undefined : this.#playback.cycle(index);
          return found !== undefined;
        }
        found = this.#playback
          .cycles()
          .find((c) => c.index >= from && c.kind === 'text' && c.lastReceived && FINAL_STATUSES.has(c.status));
        return found !== undefined;
      },
      {
        timeoutMs: options.timeoutMs,
        description: `the agent's reply (text cycle ${from} or later) to be ${until === 'received' ? 'complete (last:true)' : 'spoken to the end'}`,
        timed: until !== 'received',
      },
    ).then(() => found as TalkCycleRecord);
  }

  /** Waits until agent audio (text or play, from `fromCycle`) is playing; resolves with that cycle. */
  waitForAudio(options: SessionWaitOptions): Promise<TalkCycleRecord> {
    const from = this.#defaultFrom(options.fromCycle);
    let cycle: number | undefined;
    return this.#waitUntil(
      () => {
        const audible = this.#playback.audible();
        const record = audible && this.#playback.cycle(audible.cycle);
        cycle = record && record.index >= from && record.kind !== 'greeting' ? record.index : undefined;
        return cycle !== undefined;
      },
      { timeoutMs: options.timeoutMs, description: `agent audio (cycle ${from} or later) to start playing` },
    ).then(() => this.#playback.cycle(cycle as number) as TalkCycleRecord);
  }

  /** Waits until no audio is playing or queued (the greeting included). */
  waitForPlaybackIdle(options: { readonly timeoutMs: number }): Promise<void> {
    return this.#waitUntil(() => this.#playback.drainsAt() <= this.#clock.now(), {
      timeoutMs: options.timeoutMs,
      description: 'agent audio to finish playing',
    });
  }

  /** A JSON snapshot of everything observed so far. */
  record(): RelaySessionRecord {
    return {
      sessionId: this.sessionId,
      callSid: this.#o.call.callSid,
      handshake: this.client.handshakeRecord,
      ...(this.#connect ? { connect: this.#connect } : {}),
      ...(this.#setup ? { setup: this.#setup } : {}),
      frames: [...this.client.frames],
      talkCycles: this.#playback.cycles(),
      callerActions: this.#actions.map((a) => ({ ...a, frames: [...a.frames] })),
      protocolErrors: [...this.#errors],
      notes: [...this.#notes],
      digitsSent: [...this.#digits],
      languageChanges: [...this.#languages],
      ...(this.#end ? { end: this.#end } : {}),
      ...(this.#actionCallback ? { actionCallback: this.#actionCallback } : {}),
    };
  }

  #start(): void {
    const { call, twiml } = this.#o;
    this.#openedAt = this.#clock.now();
    const parameters = customParametersOf(twiml);
    this.#setup = {
      type: 'setup',
      sessionId: this.sessionId,
      accountSid: call.accountSid,
      parentCallSid: call.parentCallSid ?? '',
      callSid: call.callSid,
      from: call.from,
      to: call.to,
      forwardedFrom: call.forwardedFrom ?? '',
      callType: 'PSTN',
      callerName: call.callerName ?? '',
      direction: 'inbound',
      callStatus: 'RINGING',
      ...(Object.keys(parameters).length > 0 ? { customParameters: parameters } : {}),
      ...(call.applicationSid === undefined ? {} : { applicationSid: call.applicationSid }),
    };
    this.client.send(this.#setup);
    const greeting = twiml.relay.welcomeGreeting;
    if (greeting !== undefined && greeting !== '') this.#playback.greeting(greeting, twiml.relay.welcomeGreetingInterruptible, this.#o.greetingDurationMs);
    this.#recheckWaiters();
  }

  #defaultFrom(fromCycle: number | undefined): number {
    return fromCycle ?? this.#playback.openTextCycle ?? this.#playback.cycles().length;
  }

  #action(kind: CallerActionRecord['kind'], extra: { text?: string; digit?: string }): MutableAction {
    const audible = this.audible();
    const action: MutableAction = {
      kind,
      at: this.#clock.now(),
      ...extra,
      ...(audible ? { audible } : {}),
      outcome: this.active ? 'delivered' : 'session-not-active',
      frames: [],
    };
    this.#actions.push(action);
    return action;
  }

  #sendFor(action: MutableAction, frame: Record<string, unknown>): void {
    if (!this.active) return;
    action.frames.push(this.client.frameCount);
    this.client.send(frame);
  }

  /**
   * Applies §1.7 to caller input while agent audio plays: interrupt when the active `interruptible`
   * allows it, else deliver only if `reportInputDuringAgentSpeech` does. Returns whether to deliver.
   */
  #gate(action: MutableAction, input: 'speech' | 'dtmf', interruptFrame: boolean): boolean {
    const audible = action.audible;
    if (audible === undefined) return true;
    if (allows(audible.interruptible, input)) {
      const result = this.#playback.interrupt();
      if (result) {
        action.interrupt = result;
        action.outcome = 'interrupted';
        if (interruptFrame) {
          const duration = this.#o.interruptDurationType === 'string' ? String(result.durationUntilInterruptMs) : result.durationUntilInterruptMs;
          this.#sendFor(action, { type: 'interrupt', utteranceUntilInterrupt: result.utteranceUntilInterrupt, durationUntilInterruptMs: duration });
        }
      }
      return true;
    }
    if (allows(this.#o.twiml.relay.reportInputDuringAgentSpeech, input)) {
      action.outcome = 'reported-during-speech';
      return true;
    }
    action.outcome = 'not-reported';
    return false;
  }

  async #speak(kind: 'say' | 'bargeIn', text: string, options: SayOptions): Promise<CallerActionRecord> {
    const durationMs = options.durationMs ?? 0;
    if (!(durationMs >= 0)) throw new SimErrors.SIM_ERR_TWILIO_CALLER_ACTION_INVALID(`durationMs must be >= 0 (actual: ${durationMs})`);
    const action = this.#action(kind, { text });
    if (action.outcome === 'session-not-active' || !this.#gate(action, 'speech', true)) return { ...action, frames: [...action.frames] };
    const lang = this.#promptLang(options.lang);
    const partials = this.#o.twiml.relay.partialPrompts ? cumulativePartials(text, options.partials) : [];
    const steps = partials.length + 1;
    for (const partial of partials) {
      if (durationMs > 0) await sleep(this.#clock, durationMs / steps);
      this.#sendFor(action, { type: 'prompt', voicePrompt: partial, lang, last: false });
    }
    if (durationMs > 0) await sleep(this.#clock, durationMs / steps);
    this.#sendFor(action, { type: 'prompt', voicePrompt: text, lang, last: true });
    this.#recheckWaiters();
    return { ...action, frames: [...action.frames] };
  }

  #promptLang(explicit: string | undefined): string {
    if (this.#sttLanguage === 'multi') return (explicit ?? 'en-US').split('-')[0] ?? 'en';
    return explicit ?? this.#sttLanguage;
  }

  #onAgentFrame(frame: RelayFrame): void {
    if (this.#end) {
      this.#notes.push({ frameIndex: frame.index, note: 'received after the session ended; ignored' });
      return;
    }
    const check = checkAgentFrame(frame);
    if (!check.ok) {
      this.#consecutiveInvalid++;
      const description = invalidMessageDescription(frame);
      this.#errors.push({ frameIndex: frame.index, at: frame.at, reason: check.reason, description, consecutive: this.#consecutiveInvalid });
      this.client.send({ type: 'error', description });
      if (this.#consecutiveInvalid >= (this.#o.maxConsecutiveInvalid ?? 10)) {
        void this.#finish(
          { status: 'failed', cause: 'too-many-malformed', errorCode: SOCKET_ENDED_ERROR.code, errorMessage: SOCKET_ENDED_ERROR.message },
          { code: 1007, reason: 'Too many consecutive malformed messages' },
        );
      }
      return;
    }
    this.#consecutiveInvalid = 0;
    for (const note of check.notes) this.#notes.push({ frameIndex: frame.index, note });
    this.#apply(check.frame, frame);
    this.#recheckWaiters();
  }

  #apply(message: AgentFrame, frame: RelayFrame): void {
    switch (message.type) {
      case 'text':
        this.#playback.text({
          token: message.token,
          last: message.last,
          ...(message.lang === undefined ? {} : { lang: message.lang }),
          ...(message.interruptible === undefined ? {} : { interruptible: message.interruptible }),
          ...(message.preemptible === undefined ? {} : { preemptible: message.preemptible }),
        });
        return;
      case 'play':
        this.#playback.play(message.source, {
          loop: message.loop,
          ...(message.interruptible === undefined ? {} : { interruptible: message.interruptible }),
          ...(message.preemptible === undefined ? {} : { preemptible: message.preemptible }),
        });
        return;
      case 'sendDigits':
        this.#digits.push({ frameIndex: frame.index, at: frame.at, digits: message.digits });
        return;
      case 'language':
        if (message.transcriptionLanguage !== undefined) this.#sttLanguage = message.transcriptionLanguage;
        this.#languages.push({ frameIndex: frame.index, at: frame.at, ...message });
        return;
      case 'end':
        void this.#finish(
          { status: 'ended', cause: 'agent-end', ...(message.handoffData === undefined ? {} : { handoffData: message.handoffData }) },
          { code: 1000, reason: '' },
        );
        return;
    }
  }

  async #finish(
    end: Omit<SessionEndRecord, 'at' | 'durationSeconds' | 'close'>,
    closeWith?: { code: number; reason: string },
  ): Promise<void> {
    if (this.#end) return;
    const at = this.#clock.now();
    this.#playback.stop();
    const durationSeconds = this.#openedAt === undefined ? 0 : Math.round((at - this.#openedAt) / 1000);
    this.#end = { ...end, at, durationSeconds };
    if (closeWith) this.client.close(closeWith.code, closeWith.reason);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) {
      waiter.timeout.cancel();
      waiter.recheck?.cancel();
      waiter.reject(new SimErrors.SIM_ERR_TWILIO_SOCKET_CLOSED(waiter.description, closeWith?.code ?? this.client.closeInfo?.code ?? 'none'));
    }
    const { action, method } = this.#o.twiml.connect;
    if (action === undefined) {
      this.#actionCallback = { skipped: 'no-action-url' };
    } else {
      this.#actionCallback = await postActionCallback({
        action,
        method,
        params: actionCallbackParams(this.#o.call, {
          sessionId: this.sessionId,
          sessionStatus: end.status,
          durationSeconds,
          ...(end.handoffData === undefined ? {} : { handoffData: end.handoffData }),
          ...(end.errorCode === undefined ? {} : { errorCode: end.errorCode }),
          ...(end.errorMessage === undefined ? {} : { errorMessage: end.errorMessage }),
        }),
        authToken: this.#o.authToken,
        fetch: this.#o.fetch,
        clock: this.#clock,
        ...(this.#o.actionTimeoutMs === undefined ? {} : { timeoutMs: this.#o.actionTimeoutMs }),
      });
    }
    const close = await this.client.closed;
    this.#end = { ...this.#end, close };
    this.#resolveDone(this.record());
  }

  #waitUntil(check: () => boolean, options: { timeoutMs: number; description: string; timed?: boolean }): Promise<void> {
    if (check()) return Promise.resolve();
    if (this.#end) {
      return Promise.reject(new SimErrors.SIM_ERR_TWILIO_SOCKET_CLOSED(options.description, this.client.closeInfo?.code ?? 'none'));
    }
    return new Promise((resolve, reject) => {
      const waiter: SessionWaiter = {
        check: () => {
          if (!check()) return false;
          resolve();
          return true;
        },
        description: options.description,
        reject,
        timed: options.timed ?? true,
        timeout: this.#clock.setTimer(options.timeoutMs, () => {
          this.#drop(waiter);
          reject(new SimErrors.SIM_ERR_WAIT_TIMEOUT(options.timeoutMs, options.description));
        }),
      };
      this.#waiters.push(waiter);
      this.#arm(waiter);
    });
  }

  /** Re-checks a waiter when the audio next starts or stops, since nothing else may happen then. */
  #arm(waiter: SessionWaiter): void {
    // A wait for frames alone (`last:true` received) is re-checked on each frame; timing the
    // playback for it cost a timeline scan and a timer per frame (decision 0902).
    if (!waiter.timed) return;
    waiter.recheck?.cancel();
    const next = this.#playback.nextChangeAt();
    if (next === undefined) {
      // On a real clock time moves between the failed check and this call: the change the check
      // missed may just have happened, and no later change would wake the waiter again.
      if (waiter.check()) this.#drop(waiter);
      return;
    }
    waiter.recheck = this.#clock.setTimer(next - this.#clock.now(), () => {
      if (!this.#waiters.includes(waiter)) return;
      if (waiter.check()) this.#drop(waiter);
      else this.#arm(waiter);
    });
  }

  #drop(waiter: SessionWaiter): void {
    waiter.timeout.cancel();
    waiter.recheck?.cancel();
    this.#waiters = this.#waiters.filter((w) => w !== waiter);
  }

  #recheckWaiters(): void {
    for (const waiter of [...this.#waiters]) {
      if (waiter.check()) this.#drop(waiter);
      else this.#arm(waiter);
    }
  }
}

/** Opens the socket to the TwiML URL and runs the fake Twilio side of the call. */
export function startRelaySession(options: RelaySessionOptions): RelaySession {
  return new RelaySession(options);
}
