import type { Random } from '../core/random.ts';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';

/** OpenAI-shaped identifiers, drawn from a seeded {@link Random} so a run replays exactly. */
export interface OpenAiIds {
  /** `chatcmpl-` + 29 alphanumerics, as on api.openai.com. */
  chatCompletion(): string;
  /** `call_` + 24 alphanumerics. */
  toolCall(): string;
  /** `resp_` + 48 hex. */
  response(): string;
  /** `msg_` + 48 hex (Responses API message item). */
  messageItem(): string;
  /** `fc_` + 48 hex (Responses API function-call item). */
  functionCallItem(): string;
  /** `req_` + 32 hex, the `x-request-id` header. */
  request(): string;
  /** `fp_` + 10 hex. */
  systemFingerprint(): string;
}

function draw(random: Random, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[random.int(0, alphabet.length - 1)];
  return out;
}

/** Builds {@link OpenAiIds} on `random`. */
export function createOpenAiIds(random: Random): OpenAiIds {
  return {
    chatCompletion: () => `chatcmpl-${draw(random, ALNUM, 29)}`,
    toolCall: () => `call_${draw(random, ALNUM, 24)}`,
    response: () => `resp_${draw(random, HEX, 48)}`,
    messageItem: () => `msg_${draw(random, HEX, 48)}`,
    functionCallItem: () => `fc_${draw(random, HEX, 48)}`,
    request: () => `req_${draw(random, HEX, 32)}`,
    systemFingerprint: () => `fp_${draw(random, HEX, 10)}`,
  };
}
