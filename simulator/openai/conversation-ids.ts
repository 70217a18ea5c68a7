import type { Random } from '../core/random.ts';
import type { ChatRequest } from './chat-request.ts';
import { createOpenAiIds, type OpenAiIds } from './openai-ids.ts';
import type { ResponsesRequest } from './responses-request.ts';

/** A generation request as the fake sees it: which API, and the validated body. */
export type ConversationRequest =
  | { readonly api: 'chat.completions'; readonly request: ChatRequest }
  | { readonly api: 'responses'; readonly request: ResponsesRequest };

/** The conversation a request continues, as text: equal for requests carrying the same history. */
export function conversationKey(call: ConversationRequest): string {
  if (call.api === 'chat.completions') return JSON.stringify(['chat', call.request.messages]);
  const r = call.request;
  return JSON.stringify(['responses', r.instructions, r.previousResponseId, r.input]);
}

/** FNV-1a: a short, stable stand-in for a key, so the counters do not keep whole histories alive. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16);
}

/**
 * Ids for each answer drawn from a stream of its own, derived from the conversation it answers and
 * how many equal requests came before it. Several calls talk to one fake at once, so their
 * requests arrive in an order set by timing; one shared stream would hand a call's tool call and
 * response ids out by that order and make two runs of one seed differ (decision 0951). Requests
 * with equal histories racing each other are the one case still decided by arrival.
 */
export class ConversationIds {
  readonly #random: Random;
  readonly #seen = new Map<string, number>();

  constructor(random: Random) {
    this.#random = random;
  }

  /** The ids for the next answer to `call`. */
  next(call: ConversationRequest): OpenAiIds {
    const key = hash(conversationKey(call));
    const occurrence = (this.#seen.get(key) ?? 0) + 1;
    this.#seen.set(key, occurrence);
    return createOpenAiIds(this.#random.derive(`conversation:${key}#${occurrence}`));
  }

  /** Forgets the counts (a fresh run on the same fake). */
  clear(): void {
    this.#seen.clear();
  }
}
