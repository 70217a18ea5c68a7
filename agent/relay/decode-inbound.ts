import type { DecodeResult, InboundFrame } from './inbound-frames.ts';

/** What a WebSocket library may hand over for one message (`ws` gives Buffer, ArrayBuffer or fragments). */
export type RawFrameData = string | Buffer | ArrayBuffer | readonly Buffer[];

/** Largest inbound frame decoded by default; a `setup` with many custom parameters is a few KB. */
export const DEFAULT_MAX_INBOUND_FRAME_BYTES = 65_536;

const utf8 = new TextDecoder('utf-8');

function byteLength(raw: RawFrameData): number {
  if (typeof raw === 'string') return Buffer.byteLength(raw, 'utf8');
  if (raw instanceof ArrayBuffer) return raw.byteLength;
  if (Array.isArray(raw)) return raw.reduce((sum: number, part: Buffer) => sum + part.byteLength, 0);
  return (raw as Buffer).byteLength;
}

function toText(raw: RawFrameData): string {
  if (typeof raw === 'string') return raw;
  if (raw instanceof ArrayBuffer) return utf8.decode(new Uint8Array(raw));
  if (Array.isArray(raw)) return utf8.decode(Buffer.concat(raw as Buffer[]));
  return utf8.decode(raw as Buffer);
}

type Fields = Record<string, unknown>;
type Checked<T> = { ok: true; value: T } | { ok: false; field: string; reason: string };

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function requiredString(obj: Fields, field: string, options: { nonEmpty?: boolean } = {}): Checked<string> {
  const value = obj[field];
  if (typeof value !== 'string') return { ok: false, field, reason: `must be a string (actual: ${describe(value)})` };
  if (options.nonEmpty && value === '') return { ok: false, field, reason: 'must not be empty' };
  return { ok: true, value };
}

/** Absent and null both mean "not given"; anything else must be a string. */
function optionalString(obj: Fields, field: string): Checked<string | undefined> {
  const value = obj[field];
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (typeof value !== 'string') return { ok: false, field, reason: `must be a string when present (actual: ${describe(value)})` };
  return { ok: true, value };
}

function lenientNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

type FrameCheck = { ok: true; frame: InboundFrame } | { ok: false; field: string; reason: string };

const SETUP_OPTIONAL = ['sessionId', 'accountSid', 'parentCallSid', 'from', 'to', 'forwardedFrom', 'callType', 'callerName', 'direction', 'callStatus'] as const;

function decodeSetup(obj: Fields): FrameCheck {
  const callSid = requiredString(obj, 'callSid', { nonEmpty: true });
  if (!callSid.ok) return callSid;
  const optional: Record<string, string> = {};
  for (const field of SETUP_OPTIONAL) {
    const checked = optionalString(obj, field);
    if (!checked.ok) return checked;
    if (checked.value !== undefined) optional[field] = field === 'callStatus' ? checked.value.toLowerCase() : checked.value;
  }
  const params = obj.customParameters;
  const customParameters: Record<string, string> = {};
  if (params !== undefined && params !== null) {
    if (typeof params !== 'object' || Array.isArray(params)) {
      return { ok: false, field: 'customParameters', reason: `must be an object when present (actual: ${describe(params)})` };
    }
    for (const [key, value] of Object.entries(params as Fields)) {
      // Twilio sends every <Parameter> value as a string; coerce scalars rather than lose the call.
      if (typeof value === 'string') customParameters[key] = value;
      else if (typeof value === 'number' || typeof value === 'boolean') customParameters[key] = String(value);
      else return { ok: false, field: `customParameters.${key}`, reason: `must be a string (actual: ${describe(value)})` };
    }
  }
  return { ok: true, frame: { type: 'setup', callSid: callSid.value, ...optional, customParameters } };
}

function decodePrompt(obj: Fields): FrameCheck {
  const voicePrompt = requiredString(obj, 'voicePrompt');
  if (!voicePrompt.ok) return voicePrompt;
  const last = obj.last;
  if (last !== undefined && last !== null && typeof last !== 'boolean') {
    return { ok: false, field: 'last', reason: `must be a boolean when present (actual: ${describe(last)})` };
  }
  const lang = optionalString(obj, 'lang');
  if (!lang.ok) return lang;
  return {
    ok: true,
    frame: { type: 'prompt', voicePrompt: voicePrompt.value, last: last !== false, ...(lang.value === undefined ? {} : { lang: lang.value }) },
  };
}

function decodeDtmf(obj: Fields): FrameCheck {
  const digit = requiredString(obj, 'digit', { nonEmpty: true });
  if (!digit.ok) return digit;
  if (digit.value.length > 8) return { ok: false, field: 'digit', reason: `must be one key (actual length: ${digit.value.length})` };
  return { ok: true, frame: { type: 'dtmf', digit: digit.value } };
}

function decodeInterrupt(obj: Fields): FrameCheck {
  // An interrupt must never be lost over a malformed detail: the caller is talking over us.
  const utterance = optionalString(obj, 'utteranceUntilInterrupt');
  const duration = lenientNumber(obj.durationUntilInterruptMs);
  return {
    ok: true,
    frame: {
      type: 'interrupt',
      utteranceUntilInterrupt: utterance.ok ? (utterance.value ?? '') : '',
      ...(duration === undefined ? {} : { durationUntilInterruptMs: duration }),
    },
  };
}

function decodeError(obj: Fields): FrameCheck {
  const value = obj.description;
  const description = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  return { ok: true, frame: { type: 'error', description } };
}

function decodeInfo(obj: Fields): FrameCheck {
  const name = optionalString(obj, 'name');
  if (!name.ok) return name;
  return {
    ok: true,
    frame: { type: 'info', ...(name.value === undefined ? {} : { name: name.value }), ...('value' in obj ? { value: obj.value } : {}) },
  };
}

const DECODERS: Record<string, (obj: Fields) => FrameCheck> = {
  setup: decodeSetup,
  prompt: decodePrompt,
  dtmf: decodeDtmf,
  interrupt: decodeInterrupt,
  error: decodeError,
  info: decodeInfo,
};

/** Longest frame type echoed back in a problem, so a hostile `type` cannot bloat the logs. */
const MAX_TYPE_ECHO = 64;

/**
 * Turns one raw WebSocket message into an inbound frame, or a problem value saying why not.
 * Never throws: size is checked before anything is decoded, binary frames are refused unread.
 */
export function decodeInbound(raw: RawFrameData, isBinary: boolean, maxBytes = DEFAULT_MAX_INBOUND_FRAME_BYTES): DecodeResult {
  const bytes = byteLength(raw);
  if (bytes > maxBytes) return { ok: false, problem: 'too-large', bytes, limit: maxBytes };
  if (isBinary) return { ok: false, problem: 'binary', bytes };
  let parsed: unknown;
  try {
    parsed = JSON.parse(toText(raw));
  } catch (err) {
    return { ok: false, problem: 'non-json', bytes, reason: err instanceof Error ? err.message : String(err) };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, problem: 'invalid-field', frameType: '', field: '$', reason: `frame must be a JSON object (actual: ${describe(parsed)})` };
  }
  const obj = parsed as Fields;
  const type = obj.type;
  if (typeof type !== 'string') {
    return { ok: false, problem: 'invalid-field', frameType: '', field: 'type', reason: `must be a string (actual: ${describe(type)})` };
  }
  const decoder = Object.hasOwn(DECODERS, type) ? DECODERS[type] : undefined;
  if (!decoder) return { ok: false, problem: 'unknown-type', frameType: type.slice(0, MAX_TYPE_ECHO) };
  const checked = decoder(obj);
  if (!checked.ok) return { ok: false, problem: 'invalid-field', frameType: type, field: checked.field.slice(0, MAX_TYPE_ECHO), reason: checked.reason };
  return { ok: true, frame: checked.frame };
}
