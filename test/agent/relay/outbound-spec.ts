/**
 * An independent reading of conversationrelay.md §2: what Twilio accepts from the app. Used by the
 * session tests and the fuzz property to check every frame the agent sends.
 */

const ALLOWED_KEYS: Record<string, readonly string[]> = {
  text: ['type', 'token', 'last', 'interruptible', 'preemptible', 'lang'],
  play: ['type', 'source', 'loop', 'preemptible', 'interruptible'],
  sendDigits: ['type', 'digits'],
  language: ['type', 'ttsLanguage', 'transcriptionLanguage'],
  end: ['type', 'handoffData'],
};

function optionalType(obj: Record<string, unknown>, key: string, type: string): string | undefined {
  if (obj[key] === undefined) return undefined;
  return typeof obj[key] === type ? undefined : `${key} must be a ${type}`;
}

/** Why `raw` is not a frame Twilio accepts, or undefined when it is. */
export function outboundViolation(raw: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const obj = value as Record<string, unknown>;
  const type = obj.type;
  if (typeof type !== 'string' || !(type in ALLOWED_KEYS)) return `unknown type ${String(type)}`;
  const extra = Object.keys(obj).filter((k) => !ALLOWED_KEYS[type]?.includes(k));
  if (extra.length > 0) return `unexpected keys ${extra.join(',')}`;
  switch (type) {
    case 'text':
      if (typeof obj.token !== 'string') return 'token must be a string';
      return optionalType(obj, 'last', 'boolean') ?? optionalType(obj, 'interruptible', 'boolean') ?? optionalType(obj, 'preemptible', 'boolean') ?? optionalType(obj, 'lang', 'string');
    case 'end':
      return optionalType(obj, 'handoffData', 'string');
    case 'sendDigits':
      return typeof obj.digits === 'string' && /^[0-9w#*]+$/.test(obj.digits) ? undefined : 'digits must be 0-9 w # *';
    case 'play':
      return typeof obj.source === 'string' ? undefined : 'source must be a string';
    case 'language':
      return obj.ttsLanguage === undefined && obj.transcriptionLanguage === undefined ? 'language needs a language' : undefined;
    default:
      return 'unreachable';
  }
}
