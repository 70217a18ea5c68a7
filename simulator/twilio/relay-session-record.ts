/* The options and plain-JSON records of a relay session (see relay-session.ts). */
import type { ActionCallbackRecord, SessionStatus } from './action-callback.ts';
import type { InterruptResult, TalkCycleRecord } from './playback.ts';
import type { RelayClose, RelayConnectOutcome, RelayFrame, RelayHandshake, RelayTlsOptions } from './relay-client.ts';
import type { SigningMode } from './signed-form-request.ts';
import type { ConversationRelayTwiml, InputKind } from './twiml.ts';
import type { InboundCall } from './call-params.ts';
import type { Clock } from '../core/clock.ts';
import type { IdGenerator } from '../core/ids.ts';

/** Error code and message on the action callback when the socket never opened (§3.1 doc example). */
export const CONNECT_FAILED_ERROR = { code: '39001', message: 'Network connection to WebSocket server failed.' } as const;
/** Error code and message when the socket ended without `end` or hang-up (§3.3, 64105 "WebSocket Ended"). */
export const SOCKET_ENDED_ERROR = { code: '64105', message: 'WebSocket Ended' } as const;

/** Inputs of `startRelaySession`. */
export interface RelaySessionOptions {
  /** The TwiML the agent answered the voice webhook with. */
  readonly twiml: ConversationRelayTwiml;
  readonly call: InboundCall;
  readonly authToken: string;
  readonly clock: Clock;
  /** Draws the session SID (`VX…`) once, at start. */
  readonly ids: IdGenerator;
  /** For the `<Connect action>` request. */
  readonly fetch: typeof globalThis.fetch;
  /** Simulated TTS speed; default 15 characters per second. */
  readonly charsPerSecond?: number;
  /**
   * Keep every frame and every talk cycle's tokens for {@link RelaySessionRecord} (default true).
   * False for load runs: the record then has no `frames` and cycles without `tokens`.
   */
  readonly keepFrames?: boolean;
  /** Length of one loop of a `play`; default 1000 ms. */
  readonly playLoopMs?: number;
  /** How long the welcome greeting plays, overriding its length at `charsPerSecond` (scenario `twilio.greetingMs`). */
  readonly greetingDurationMs?: number;
  readonly tls?: RelayTlsOptions;
  readonly handshakeSigning?: SigningMode;
  readonly connectTimeoutMs?: number;
  readonly actionTimeoutMs?: number;
  /** Whether a key press that interrupts agent audio also sends `interrupt` (unconfirmed; default true). */
  readonly dtmfInterruptFrame?: boolean;
  /** Send `durationUntilInterruptMs` as a number (default) or a string, as one doc rendering shows. */
  readonly interruptDurationType?: 'number' | 'string';
  /** Invalid frames in a row before closing with 1007 (Twilio: 10). */
  readonly maxConsecutiveInvalid?: number;
}

/** What became of a caller action. */
export type CallerOutcome =
  | 'delivered'
  | 'interrupted'
  | 'reported-during-speech'
  | 'not-reported'
  | 'dtmf-detection-off'
  | 'session-not-active';

/** One thing the scripted caller did, and what Twilio made of it. */
export interface CallerActionRecord {
  readonly kind: 'say' | 'bargeIn' | 'pressDigit' | 'hangUp' | 'sendRaw';
  readonly at: number;
  readonly text?: string;
  readonly digit?: string;
  /** The agent audio playing when the caller acted, with its effective `interruptible`. */
  readonly audible?: { readonly cycle: number; readonly interruptible: InputKind };
  readonly outcome: CallerOutcome;
  readonly interrupt?: InterruptResult;
  /** Indexes (in `frames`) of the frames sent for this action. */
  readonly frames: readonly number[];
}

/** An invalid agent frame and the `error` frame it earned. */
export interface ProtocolErrorRecord {
  readonly frameIndex: number;
  readonly at: number;
  readonly reason: string;
  readonly description: string;
  readonly consecutive: number;
}

/** How and when the session ended. */
export interface SessionEndRecord {
  readonly status: SessionStatus;
  readonly cause: 'agent-end' | 'caller-hangup' | 'agent-close' | 'too-many-malformed' | 'connect-failed';
  readonly at: number;
  readonly durationSeconds: number;
  readonly handoffData?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly close?: RelayClose;
}

/** Everything observed on one ConversationRelay session, as plain JSON. */
export interface RelaySessionRecord {
  readonly sessionId: string;
  readonly callSid: string;
  readonly handshake: RelayHandshake;
  readonly connect?: RelayConnectOutcome;
  readonly setup?: Readonly<Record<string, unknown>>;
  readonly frames: readonly RelayFrame[];
  readonly talkCycles: readonly TalkCycleRecord[];
  readonly callerActions: readonly CallerActionRecord[];
  readonly protocolErrors: readonly ProtocolErrorRecord[];
  readonly notes: readonly { readonly frameIndex: number; readonly note: string }[];
  readonly digitsSent: readonly { readonly frameIndex: number; readonly at: number; readonly digits: string }[];
  readonly languageChanges: readonly { readonly frameIndex: number; readonly at: number; readonly ttsLanguage?: string; readonly transcriptionLanguage?: string }[];
  readonly end?: SessionEndRecord;
  readonly actionCallback?: ActionCallbackRecord | { readonly skipped: 'no-action-url' };
}

/** Options of the caller's speech. */
export interface SayOptions {
  /** With `partialPrompts`: how many cumulative partials (default: one per word) or their exact texts. */
  readonly partials?: number | readonly string[];
  /** Language of the utterance (default: the session's transcription language). */
  readonly lang?: string;
  /** How long the utterance lasts on the clock: partials spread over it, the final prompt at its end. */
  readonly durationMs?: number;
}

/** Options of the session's waits. */
export interface SessionWaitOptions {
  readonly timeoutMs: number;
  /** Only cycles with at least this index count (default: the open one, else the next). */
  readonly fromCycle?: number;
}
