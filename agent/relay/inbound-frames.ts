/**
 * Frames Twilio ConversationRelay sends to the agent (conversationrelay.md §1), after decoding.
 * Only the fields the agent uses are typed; unknown fields are ignored, never rejected.
 */

/** `setup`: the first frame of every socket, with the call's identity. */
export interface SetupFrame {
  readonly type: 'setup';
  readonly callSid: string;
  readonly sessionId?: string;
  readonly accountSid?: string;
  readonly parentCallSid?: string;
  readonly from?: string;
  readonly to?: string;
  readonly forwardedFrom?: string;
  readonly callType?: string;
  readonly callerName?: string;
  readonly direction?: string;
  /** Lower-cased: setup says `RINGING`, webhooks say `ringing` (gotcha 2). */
  readonly callStatus?: string;
  readonly customParameters: Readonly<Record<string, string>>;
}

/** `prompt`: a caller transcript; `last:false` marks a partial. */
export interface PromptFrame {
  readonly type: 'prompt';
  readonly voicePrompt: string;
  /** Defaults to `true` when absent: without partial prompts every prompt is final. */
  readonly last: boolean;
  readonly lang?: string;
}

/** `dtmf`: one key press. */
export interface DtmfFrame {
  readonly type: 'dtmf';
  readonly digit: string;
}

/** `interrupt`: the caller barged in over agent audio. */
export interface InterruptFrame {
  readonly type: 'interrupt';
  /** What the caller heard of the current talk cycle; `""` when absent. */
  readonly utteranceUntilInterrupt: string;
  /** Parsed from a number or a numeric string (gotcha 3); absent when missing or not numeric. */
  readonly durationUntilInterruptMs?: number;
}

/** `error`: Twilio could not process something the agent sent (or another session error). */
export interface ErrorFrame {
  readonly type: 'error';
  readonly description: string;
}

/** `info`: an opt-in event (`agentSpeaking`, `clientSpeaking`, `tokensPlayed`, …). */
export interface InfoFrame {
  readonly type: 'info';
  readonly name?: string;
  readonly value?: unknown;
}

/** Any frame the agent understands. */
export type InboundFrame = SetupFrame | PromptFrame | DtmfFrame | InterruptFrame | ErrorFrame | InfoFrame;

/** Why a raw frame was not turned into an {@link InboundFrame}; every one is survivable. */
export type InboundProblem =
  | { readonly problem: 'too-large'; readonly bytes: number; readonly limit: number }
  | { readonly problem: 'binary'; readonly bytes: number }
  | { readonly problem: 'non-json'; readonly bytes: number; readonly reason: string }
  | { readonly problem: 'unknown-type'; readonly frameType: string }
  | { readonly problem: 'invalid-field'; readonly frameType: string; readonly field: string; readonly reason: string };

/** The outcome of {@link decodeInbound}. */
export type DecodeResult =
  | { readonly ok: true; readonly frame: InboundFrame }
  | ({ readonly ok: false } & InboundProblem);
