/**
 * The fake Twilio's own reading of the app → Twilio frames (conversationrelay.md §2), kept apart
 * from the agent's schemas on purpose. Every rule here decides whether Twilio would answer with an
 * `error` frame; fields it does not know are accepted and noted.
 */

/** `text`: tokens to speak (§2.1). */
export interface TextFrame {
  readonly type: 'text';
  readonly token: string;
  readonly last: boolean;
  readonly lang?: string;
  readonly interruptible?: boolean;
  readonly preemptible?: boolean;
}

/** `play`: media to play (§2.2). */
export interface PlayFrame {
  readonly type: 'play';
  readonly source: string;
  readonly loop: number;
  readonly interruptible?: boolean;
  readonly preemptible?: boolean;
}

/** `sendDigits` (§2.3). */
export interface SendDigitsFrame {
  readonly type: 'sendDigits';
  readonly digits: string;
}

/** `language` (§2.4). */
export interface LanguageFrame {
  readonly type: 'language';
  readonly ttsLanguage?: string;
  readonly transcriptionLanguage?: string;
}

/** `end` (§2.5). */
export interface EndFrame {
  readonly type: 'end';
  readonly handoffData?: string;
}

/** A frame the agent may send. */
export type AgentFrame = TextFrame | PlayFrame | SendDigitsFrame | LanguageFrame | EndFrame;

/** Verdict on one received frame. */
export type AgentFrameCheck =
  | { readonly ok: true; readonly frame: AgentFrame; readonly notes: readonly string[] }
  | { readonly ok: false; readonly reason: string };

const KNOWN_FIELDS: Readonly<Record<AgentFrame['type'], readonly string[]>> = {
  text: ['type', 'token', 'last', 'lang', 'interruptible', 'preemptible'],
  play: ['type', 'source', 'loop', 'interruptible', 'preemptible'],
  sendDigits: ['type', 'digits'],
  language: ['type', 'ttsLanguage', 'transcriptionLanguage'],
  end: ['type', 'handoffData'],
};
const BCP47 = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

class Invalid extends Error {}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `the string ${JSON.stringify(value)}` : `${typeof value} ${JSON.stringify(value)}`;
}

function optionalBoolean(msg: Record<string, unknown>, field: string): boolean | undefined {
  const value = msg[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new Invalid(`${msg.type}.${field} must be a boolean when present (found ${describe(value)})`);
  return value;
}

function optionalLanguage(msg: Record<string, unknown>, field: string): string | undefined {
  const value = msg[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(value === 'multi' || BCP47.test(value))) {
    throw new Invalid(`${msg.type}.${field} must be a supported language tag such as en-US or multi (found ${describe(value)})`);
  }
  return value;
}

function readFrame(msg: Record<string, unknown>): AgentFrame {
  switch (msg.type) {
    case 'text': {
      if (typeof msg.token !== 'string') throw new Invalid(`text.token is required and must be a string (found ${describe(msg.token)})`);
      const frame: TextFrame = { type: 'text', token: msg.token, last: optionalBoolean(msg, 'last') ?? false };
      const lang = optionalLanguage(msg, 'lang');
      const interruptible = optionalBoolean(msg, 'interruptible');
      const preemptible = optionalBoolean(msg, 'preemptible');
      return {
        ...frame,
        ...(lang === undefined ? {} : { lang }),
        ...(interruptible === undefined ? {} : { interruptible }),
        ...(preemptible === undefined ? {} : { preemptible }),
      };
    }
    case 'play': {
      if (typeof msg.source !== 'string') throw new Invalid(`play.source is required and must be a URL string (found ${describe(msg.source)})`);
      let url: URL;
      try {
        url = new URL(msg.source);
      } catch {
        throw new Invalid(`play.source must be a valid URL (found ${JSON.stringify(msg.source)})`);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Invalid(`play.source must be an http(s) URL (found ${url.protocol})`);
      const loop = msg.loop ?? 1;
      if (typeof loop !== 'number' || !Number.isInteger(loop) || loop < 0 || loop > 1_000) {
        throw new Invalid(`play.loop must be an integer from 0 to 1000 (found ${describe(msg.loop)})`);
      }
      const interruptible = optionalBoolean(msg, 'interruptible');
      const preemptible = optionalBoolean(msg, 'preemptible');
      return {
        type: 'play',
        source: msg.source,
        loop,
        ...(interruptible === undefined ? {} : { interruptible }),
        ...(preemptible === undefined ? {} : { preemptible }),
      };
    }
    case 'sendDigits':
      if (typeof msg.digits !== 'string' || !/^[0-9w#*]+$/.test(msg.digits)) {
        throw new Invalid(`sendDigits.digits must be a non-empty string of 0-9, w, # and * (found ${describe(msg.digits)})`);
      }
      return { type: 'sendDigits', digits: msg.digits };
    case 'language': {
      const ttsLanguage = optionalLanguage(msg, 'ttsLanguage');
      const transcriptionLanguage = optionalLanguage(msg, 'transcriptionLanguage');
      if (ttsLanguage === undefined && transcriptionLanguage === undefined) {
        throw new Invalid('language needs ttsLanguage, transcriptionLanguage or both');
      }
      return {
        type: 'language',
        ...(ttsLanguage === undefined ? {} : { ttsLanguage }),
        ...(transcriptionLanguage === undefined ? {} : { transcriptionLanguage }),
      };
    }
    case 'end': {
      const handoffData = msg.handoffData;
      if (handoffData !== undefined && typeof handoffData !== 'string') {
        throw new Invalid(`end.handoffData must be a string: JSON.stringify objects yourself (found ${describe(handoffData)})`);
      }
      return handoffData === undefined ? { type: 'end' } : { type: 'end', handoffData };
    }
    default:
      throw new Invalid(
        typeof msg.type === 'string'
          ? `unknown message type ${JSON.stringify(msg.type)} (expected text, play, sendDigits, language or end)`
          : `the message has no string "type" field (found ${describe(msg.type)})`,
      );
  }
}

/** Validates one frame received from the agent: the raw text (or a binary marker) decides. */
export function checkAgentFrame(frame: { readonly raw: string; readonly binary?: boolean }): AgentFrameCheck {
  if (frame.binary) return { ok: false, reason: 'binary frames are not accepted; send JSON text frames' };
  let value: unknown;
  try {
    value = JSON.parse(frame.raw);
  } catch {
    return { ok: false, reason: 'the frame is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: `a message must be a JSON object (found ${describe(value)})` };
  }
  const msg = value as Record<string, unknown>;
  try {
    const parsed = readFrame(msg);
    const known = KNOWN_FIELDS[parsed.type];
    const notes = Object.keys(msg)
      .filter((k) => !known.includes(k))
      .map((k) => `unknown field ${JSON.stringify(k)} in a ${parsed.type} message was ignored`);
    return { ok: true, frame: parsed, notes };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, reason: error.message };
    throw error;
  }
}

/** The `description` of the `error` frame Twilio sends back for an invalid message (§1.5). */
export function invalidMessageDescription(frame: { readonly raw: string; readonly binary?: boolean }): string {
  return `Invalid message received: ${frame.binary ? `<binary frame, ${Buffer.from(frame.raw, 'base64').length} bytes>` : frame.raw}`;
}
