import { isRecord, jsonKind } from './json-kind.ts';
import { openAiError, type OpenAiErrorResponse } from './openai-error.ts';

/** A chat message as the fake reads it (the full body is kept in the history untouched). */
export interface ChatMessage {
  readonly role: string;
  readonly content?: unknown;
  readonly name?: string;
  readonly tool_call_id?: string;
  readonly tool_calls?: readonly { readonly id: string; readonly function?: { readonly name?: string } }[];
}

/** The parts of a valid `POST /v1/chat/completions` body the fake acts on. */
export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly maxTokens: number | undefined;
  readonly toolNames: readonly string[];
}

/** A validation outcome: the request, or the 400 OpenAI would send. */
export type Validated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: OpenAiErrorResponse };

const ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'];
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

function missing(param: string): Validated<never> {
  return { ok: false, error: openAiError(400, `Missing required parameter: '${param}'.`, { param, code: 'missing_required_parameter' }) };
}

function invalidType(param: string, expected: string, value: unknown): Validated<never> {
  return {
    ok: false,
    error: openAiError(400, `Invalid type for '${param}': expected ${expected}, but got ${jsonKind(value)} instead.`, {
      param,
      code: 'invalid_type',
    }),
  };
}

function invalid(message: string, param: string | null, code: string | null = null): Validated<never> {
  return { ok: false, error: openAiError(400, message, { param, code }) };
}

function checkMessage(message: unknown, i: number): Validated<ChatMessage> {
  const at = `messages[${i}]`;
  if (!isRecord(message)) return invalidType(at, 'an object', message);
  if (message.role === undefined) return missing(`${at}.role`);
  if (typeof message.role !== 'string' || !ROLES.includes(message.role)) {
    return invalid(
      `Invalid value: '${String(message.role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`,
      `${at}.role`,
      'invalid_value',
    );
  }
  const content = message.content;
  const contentOptional = message.role === 'assistant';
  if (content === undefined && !contentOptional) return missing(`${at}.content`);
  if (content !== undefined && !(content === null && contentOptional) && typeof content !== 'string' && !Array.isArray(content)) {
    return invalidType(`${at}.content`, 'one of a string or array of objects', content);
  }
  if (message.role === 'tool' && typeof message.tool_call_id !== 'string') return missing(`${at}.tool_call_id`);
  if (message.tool_calls !== undefined) {
    if (!Array.isArray(message.tool_calls)) return invalidType(`${at}.tool_calls`, 'an array of objects', message.tool_calls);
    for (let j = 0; j < message.tool_calls.length; j++) {
      const call: unknown = message.tool_calls[j];
      if (!isRecord(call)) return invalidType(`${at}.tool_calls[${j}]`, 'an object', call);
      if (typeof call.id !== 'string') return missing(`${at}.tool_calls[${j}].id`);
      if (!isRecord(call.function)) return missing(`${at}.tool_calls[${j}].function`);
    }
  }
  return { ok: true, value: message as unknown as ChatMessage };
}

/**
 * OpenAI rejects histories where tool results and tool calls do not pair up; agents that cut the
 * history badly after an interrupt hit exactly this, so the fake enforces it with OpenAI's wording.
 */
function checkToolPairing(messages: readonly ChatMessage[]): Validated<null> {
  let pending: Set<string> | undefined;
  let pendingAt = -1;
  const unanswered = (): Validated<never> =>
    invalid(
      `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...(pending ?? [])].join(', ')}`,
      `messages.[${pendingAt}].role`,
    );
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as ChatMessage;
    if (message.role === 'tool') {
      if (!pending || !pending.delete(message.tool_call_id ?? '')) {
        return invalid(
          "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
          `messages.[${i}].role`,
        );
      }
      continue;
    }
    if (pending && pending.size > 0) return unanswered();
    pending = undefined;
    if (message.role === 'assistant' && message.tool_calls && message.tool_calls.length > 0) {
      pending = new Set(message.tool_calls.map((c) => c.id));
      pendingAt = i;
    }
  }
  if (pending && pending.size > 0) return unanswered();
  return { ok: true, value: null };
}

function checkTools(tools: unknown): Validated<string[]> {
  if (tools === undefined) return { ok: true, value: [] };
  if (!Array.isArray(tools)) return invalidType('tools', 'an array of objects', tools);
  const names: string[] = [];
  for (let i = 0; i < tools.length; i++) {
    const tool: unknown = tools[i];
    if (!isRecord(tool)) return invalidType(`tools[${i}]`, 'an object', tool);
    if (tool.type !== 'function' && tool.type !== 'custom') return missing(`tools[${i}].type`);
    const fn = tool.type === 'function' ? tool.function : tool.custom;
    if (!isRecord(fn)) return missing(`tools[${i}].${String(tool.type)}`);
    if (typeof fn.name !== 'string' || !TOOL_NAME.test(fn.name)) {
      return invalid(
        `Invalid 'tools[${i}].${String(tool.type)}.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
        `tools[${i}].${String(tool.type)}.name`,
        'invalid_value',
      );
    }
    names.push(fn.name);
  }
  return { ok: true, value: names };
}

function checkMaxTokens(body: Record<string, unknown>): Validated<number | undefined> {
  for (const key of ['max_completion_tokens', 'max_tokens']) {
    const value = body[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value)) return invalidType(key, 'an integer', value);
    if (value < 1) return invalid(`Invalid '${key}': integer below minimum value. Expected a value >= 1, but got ${value} instead.`, key, 'integer_below_min_value');
    return { ok: true, value };
  }
  return { ok: true, value: undefined };
}

/** Validates a chat completions body like OpenAI does (the subset agents get wrong), with OpenAI's messages. */
export function validateChatRequest(body: unknown): Validated<ChatRequest> {
  if (!isRecord(body)) return invalidType('body', 'an object', body);
  if (body.model === undefined || body.model === null || body.model === '') {
    return invalid('you must provide a model parameter', null);
  }
  if (typeof body.model !== 'string') return invalidType('model', 'a string', body.model);
  if (body.messages === undefined) return missing('messages');
  if (!Array.isArray(body.messages)) return invalidType('messages', 'an array of objects', body.messages);
  if (body.messages.length === 0) {
    return invalid(
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'messages',
      'empty_array',
    );
  }
  const messages: ChatMessage[] = [];
  for (let i = 0; i < body.messages.length; i++) {
    const checked = checkMessage(body.messages[i], i);
    if (!checked.ok) return checked;
    messages.push(checked.value);
  }
  const pairing = checkToolPairing(messages);
  if (!pairing.ok) return pairing;
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    return invalidType('stream', 'a boolean', body.stream);
  }
  const stream = body.stream === true;
  const streamOptions = body.stream_options;
  if (streamOptions !== undefined && streamOptions !== null) {
    if (!stream) return invalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options');
    if (!isRecord(streamOptions)) return invalidType('stream_options', 'an object', streamOptions);
  }
  const tools = checkTools(body.tools);
  if (!tools.ok) return tools;
  const maxTokens = checkMaxTokens(body);
  if (!maxTokens.ok) return maxTokens;
  return {
    ok: true,
    value: {
      model: body.model,
      messages,
      stream,
      includeUsage: isRecord(streamOptions) && streamOptions.include_usage === true,
      maxTokens: maxTokens.value,
      toolNames: tools.value,
    },
  };
}
