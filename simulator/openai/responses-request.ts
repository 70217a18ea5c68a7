import type { Validated } from './chat-request.ts';
import { isRecord, jsonKind } from './json-kind.ts';
import { openAiError } from './openai-error.ts';

/** The parts of a valid `POST /v1/responses` body the fake acts on. */
export interface ResponsesRequest {
  readonly model: string;
  readonly input: string | readonly Record<string, unknown>[];
  readonly instructions: string | null;
  readonly stream: boolean;
  readonly maxOutputTokens: number | undefined;
  readonly toolNames: readonly string[];
  readonly tools: readonly unknown[];
  readonly previousResponseId: string | null;
}

function fail(status: number, message: string, param: string | null, code: string | null): Validated<never> {
  return { ok: false, error: openAiError(status, message, { param, code }) };
}

function invalidType(param: string, expected: string, value: unknown): Validated<never> {
  return fail(400, `Invalid type for '${param}': expected ${expected}, but got ${jsonKind(value)} instead.`, param, 'invalid_type');
}

function checkInput(input: unknown): Validated<string | Record<string, unknown>[]> {
  if (typeof input === 'string') return { ok: true, value: input };
  if (!Array.isArray(input)) return invalidType('input', 'one of a string or array of input items', input);
  for (let i = 0; i < input.length; i++) {
    const item: unknown = input[i];
    if (!isRecord(item)) return invalidType(`input[${i}]`, 'an object', item);
    if (item.type === 'function_call_output') {
      if (typeof item.call_id !== 'string') return fail(400, `Missing required parameter: 'input[${i}].call_id'.`, `input[${i}].call_id`, 'missing_required_parameter');
      if (item.output === undefined) return fail(400, `Missing required parameter: 'input[${i}].output'.`, `input[${i}].output`, 'missing_required_parameter');
    } else if (item.type === undefined || item.type === 'message') {
      if (typeof item.role !== 'string') return fail(400, `Missing required parameter: 'input[${i}].role'.`, `input[${i}].role`, 'missing_required_parameter');
      if (item.content === undefined) return fail(400, `Missing required parameter: 'input[${i}].content'.`, `input[${i}].content`, 'missing_required_parameter');
    }
  }
  return { ok: true, value: input as Record<string, unknown>[] };
}

function toolNames(tools: unknown): Validated<string[]> {
  if (tools === undefined || tools === null) return { ok: true, value: [] };
  if (!Array.isArray(tools)) return invalidType('tools', 'an array of objects', tools);
  const names: string[] = [];
  for (let i = 0; i < tools.length; i++) {
    const tool: unknown = tools[i];
    if (!isRecord(tool)) return invalidType(`tools[${i}]`, 'an object', tool);
    if (tool.type === 'function') {
      if (typeof tool.name !== 'string') return fail(400, `Missing required parameter: 'tools[${i}].name'.`, `tools[${i}].name`, 'missing_required_parameter');
      names.push(tool.name);
    }
  }
  return { ok: true, value: names };
}

/** Validates a Responses API body (the subset agents send) with OpenAI's messages. */
export function validateResponsesRequest(body: unknown): Validated<ResponsesRequest> {
  if (!isRecord(body)) return invalidType('body', 'an object', body);
  if (body.model === undefined || body.model === null || body.model === '') {
    return fail(400, "Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  }
  if (typeof body.model !== 'string') return invalidType('model', 'a string', body.model);
  const input = checkInput(body.input ?? []);
  if (!input.ok) return input;
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    return invalidType('stream', 'a boolean', body.stream);
  }
  if (body.instructions !== undefined && body.instructions !== null && typeof body.instructions !== 'string') {
    return invalidType('instructions', 'a string', body.instructions);
  }
  const max = body.max_output_tokens;
  if (max !== undefined && max !== null && (typeof max !== 'number' || !Number.isInteger(max) || max < 16)) {
    return fail(400, `Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got ${String(max)} instead.`, 'max_output_tokens', 'integer_below_min_value');
  }
  const names = toolNames(body.tools);
  if (!names.ok) return names;
  return {
    ok: true,
    value: {
      model: body.model,
      input: input.value,
      instructions: typeof body.instructions === 'string' ? body.instructions : null,
      stream: body.stream === true,
      maxOutputTokens: typeof max === 'number' ? max : undefined,
      toolNames: names.value,
      tools: Array.isArray(body.tools) ? body.tools : [],
      previousResponseId: typeof body.previous_response_id === 'string' ? body.previous_response_id : null,
    },
  };
}
