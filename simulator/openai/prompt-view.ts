import type { ChatRequest } from './chat-request.ts';
import { countTokens } from './chunk-text.ts';
import { contentText, isRecord } from './json-kind.ts';
import type { ResponsesRequest } from './responses-request.ts';

/** What rules can match on, read from either API's request. */
export interface PromptView {
  /** Text of the latest user message, if any. */
  readonly latestUser: string | undefined;
  /** Set when the request ends with tool results: the names of those tools (unknown ids give ''). */
  readonly toolResults: readonly string[] | undefined;
  /** Approximate prompt size for `usage`. */
  readonly promptTokens: number;
}

/** Reads a chat request; `knownCalls` maps tool call ids the fake issued to their names. */
export function chatPromptView(request: ChatRequest, knownCalls: ReadonlyMap<string, string>): PromptView {
  const messages = request.messages;
  let latestUser: string | undefined;
  let promptTokens = 3;
  const callNames = new Map<string, string>();
  for (const message of messages) {
    const text = contentText(message.content);
    promptTokens += 3 + countTokens(text);
    if (message.role === 'user') latestUser = text;
    for (const call of message.tool_calls ?? []) {
      if (typeof call.function?.name === 'string') callNames.set(call.id, call.function.name);
    }
  }
  let toolResults: string[] | undefined;
  for (let i = messages.length - 1; i >= 0 && messages[i]?.role === 'tool'; i--) {
    const id = messages[i]?.tool_call_id ?? '';
    (toolResults ??= []).unshift(callNames.get(id) ?? knownCalls.get(id) ?? '');
  }
  return { latestUser, toolResults, promptTokens };
}

/** Reads a Responses API request; `knownCalls` maps call ids the fake issued to their names. */
export function responsesPromptView(request: ResponsesRequest, knownCalls: ReadonlyMap<string, string>): PromptView {
  if (typeof request.input === 'string') {
    return {
      latestUser: request.input,
      toolResults: undefined,
      promptTokens: 3 + countTokens(request.input) + countTokens(request.instructions ?? ''),
    };
  }
  let latestUser: string | undefined;
  let promptTokens = 3 + countTokens(request.instructions ?? '');
  const callNames = new Map<string, string>();
  for (const item of request.input) {
    const text = contentText(item.content) + (typeof item.output === 'string' ? item.output : '');
    promptTokens += 3 + countTokens(text);
    if (item.role === 'user' && (item.type === undefined || item.type === 'message')) latestUser = contentText(item.content);
    if (item.type === 'function_call' && typeof item.call_id === 'string' && typeof item.name === 'string') {
      callNames.set(item.call_id, item.name);
    }
  }
  let toolResults: string[] | undefined;
  for (let i = request.input.length - 1; i >= 0; i--) {
    const item = request.input[i];
    if (!isRecord(item) || item.type !== 'function_call_output') break;
    const id = typeof item.call_id === 'string' ? item.call_id : '';
    (toolResults ??= []).unshift(callNames.get(id) ?? knownCalls.get(id) ?? '');
  }
  return { latestUser, toolResults, promptTokens };
}
