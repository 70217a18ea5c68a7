import type { LlmRequestRecord } from '../openai/history.ts';
import type { CallRecord } from './run-record.ts';

/** What a caller input put in front of the agent: the prompt text or the digits, and when. */
interface CallerInput {
  readonly call: number;
  readonly text: string;
  readonly digits: boolean;
  readonly at: number;
}

/** The latest user message of a chat or Responses request body, if any. */
export function latestUserText(body: unknown): string | undefined {
  const b = body as { messages?: unknown; input?: unknown } | undefined;
  if (typeof b?.input === 'string') return b.input;
  const items = Array.isArray(b?.messages) ? b.messages : Array.isArray(b?.input) ? b.input : [];
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i] as { role?: unknown; content?: unknown };
    if (item.role !== 'user') continue;
    if (typeof item.content === 'string') return item.content;
    if (Array.isArray(item.content)) {
      return (item.content as { text?: unknown }[]).map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
    }
    return '';
  }
  return undefined;
}

function inputsOf(call: CallRecord): CallerInput[] {
  const inputs: CallerInput[] = [];
  for (const frame of call.relay?.frames ?? []) {
    if (frame.dir !== 'out') continue;
    const parsed = frame.parsed as { type?: unknown; voicePrompt?: unknown; last?: unknown; digit?: unknown } | undefined;
    if (parsed?.type === 'prompt' && parsed.last === true && typeof parsed.voicePrompt === 'string') {
      inputs.push({ call: call.index, text: parsed.voicePrompt.trim(), digits: false, at: frame.at });
    } else if (parsed?.type === 'dtmf' && typeof parsed.digit === 'string') {
      inputs.push({ call: call.index, text: parsed.digit, digits: true, at: frame.at });
    }
  }
  return inputs;
}

/**
 * Which LLM requests belong to which call: a request belongs to the call whose latest caller input
 * (a final prompt equal to the request's latest user message, or a key press it contains) was sent
 * last before the request arrived. With one call, every request is that call's. Returns one list
 * of request `seq`s per call; a request no input explains belongs to no call.
 */
export function attributeLlmRequests(calls: readonly CallRecord[], requests: readonly LlmRequestRecord[]): number[][] {
  const out: number[][] = calls.map(() => []);
  if (calls.length === 1) {
    out[0] = requests.map((r) => r.seq);
    return out;
  }
  const inputs = calls.flatMap(inputsOf);
  for (const request of requests) {
    const user = latestUserText(request.body)?.trim();
    if (user === undefined) continue;
    let best: CallerInput | undefined;
    for (const input of inputs) {
      if (input.at > request.receivedAtMs) continue;
      const matches = input.digits ? user.includes(input.text) : input.text === user;
      if (matches && (best === undefined || input.at >= best.at)) best = input;
    }
    if (best !== undefined) out[calls.findIndex((c) => c.index === best.call)]?.push(request.seq);
  }
  return out;
}
