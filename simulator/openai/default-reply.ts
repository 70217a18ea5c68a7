import type { Random } from '../core/random.ts';
import type { PromptView } from './prompt-view.ts';

const FOLLOW_UPS = [
  'How can I help you further?',
  'Is there anything else?',
  'Tell me more.',
  'Got it.',
  'Could you say that another way?',
  'Let me know what you need next.',
] as const;

const MAX_ECHO = 200;

/**
 * The reply for a request no rule matched: an echo of the latest user message plus a follow-up
 * picked by a stream derived from the seed and the prompt text, so the same prompt under the same
 * seed always gets the same reply whatever order requests arrive in.
 */
export function defaultReplyText(view: PromptView, random: Random): string {
  const prompt = (view.latestUser ?? '').trim().replace(/[\s.!?]+$/u, '');
  const echo = prompt.length > MAX_ECHO ? `${prompt.slice(0, MAX_ECHO)}…` : prompt;
  const pick = random.derive(`unscripted:${prompt}`).int(0, FOLLOW_UPS.length - 1);
  const head = echo === '' ? 'I heard nothing.' : `I heard: ${echo}.`;
  return `${head} ${FOLLOW_UPS[pick]}`;
}
