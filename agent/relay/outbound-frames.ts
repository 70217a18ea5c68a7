/**
 * Frames the agent sends to Twilio ConversationRelay (conversationrelay.md §2). The agent never
 * sends anything else: no echoed errors, no binary frames (§2.7).
 */

/** `text`: tokens to speak; `last:true` closes the talk cycle. Tokens are never trimmed. */
export interface TextFrame {
  readonly type: 'text';
  readonly token: string;
  readonly last: boolean;
  readonly interruptible?: boolean;
  readonly preemptible?: boolean;
  readonly lang?: string;
}

/** `play`: play media from a URL. */
export interface PlayFrame {
  readonly type: 'play';
  readonly source: string;
  readonly loop?: number;
  readonly preemptible?: boolean;
  readonly interruptible?: boolean;
}

/** `sendDigits`: play DTMF tones (`0-9 w # *`). */
export interface SendDigitsFrame {
  readonly type: 'sendDigits';
  readonly digits: string;
}

/** `language`: switch TTS and/or STT language for the rest of the session. */
export interface LanguageFrame {
  readonly type: 'language';
  readonly ttsLanguage?: string;
  readonly transcriptionLanguage?: string;
}

/** `end`: hand the call back to TwiML. `handoffData` is a string (JSON-stringify objects first). */
export interface EndFrame {
  readonly type: 'end';
  readonly handoffData?: string;
}

/** Any frame the agent may send. */
export type OutboundFrame = TextFrame | PlayFrame | SendDigitsFrame | LanguageFrame | EndFrame;

/** Serialises a frame for `ws.send`; optional fields that are undefined are left out. */
export function encodeOutbound(frame: OutboundFrame): string {
  return JSON.stringify(frame);
}

/** A `text` frame; the token goes out exactly as given. */
export function textFrame(token: string, last: boolean): TextFrame {
  return { type: 'text', token, last };
}

/** An `end` frame carrying `handoff` as a JSON string. */
export function endFrame(handoff: Readonly<Record<string, unknown>>): EndFrame {
  return { type: 'end', handoffData: JSON.stringify(handoff) };
}
