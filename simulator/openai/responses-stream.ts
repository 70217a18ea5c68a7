import type { EventPlan } from './event-plan.ts';
import type { LlmChunkRecord, LlmToolFragment, LlmUsage } from './history.ts';
import type { ReplyPlan } from './reply-plan.ts';
import type { ResponsesRequest } from './responses-request.ts';

/** Ids and constants of one Responses API response. */
export interface ResponsesHeader {
  readonly id: string;
  readonly createdAt: number;
  readonly model: string;
  readonly messageItemId: string;
  readonly functionCallItemIds: readonly string[];
}

type OutputItem = Record<string, unknown>;

function usageJson(usage: LlmUsage): Record<string, unknown> {
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.totalTokens,
  };
}

function responseObject(
  header: ResponsesHeader,
  request: ResponsesRequest,
  status: string,
  output: readonly OutputItem[],
  usage: LlmUsage | null,
  incomplete: boolean,
): Record<string, unknown> {
  return {
    id: header.id,
    object: 'response',
    created_at: header.createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    instructions: request.instructions,
    max_output_tokens: request.maxOutputTokens ?? null,
    max_tool_calls: null,
    model: header.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: request.previousResponseId,
    prompt_cache_key: null,
    reasoning: { effort: null, summary: null },
    safety_identifier: null,
    service_tier: 'default',
    store: true,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: request.tools,
    top_logprobs: 0,
    top_p: 1,
    truncation: 'disabled',
    usage: usage ? usageJson(usage) : null,
    user: null,
    metadata: {},
  };
}

function textPart(text: string): Record<string, unknown> {
  return { type: 'output_text', annotations: [], logprobs: [], text };
}

function finalOutput(plan: ReplyPlan, header: ResponsesHeader): OutputItem[] {
  const output: OutputItem[] = [];
  if (plan.text !== '' || plan.toolCalls.length === 0) {
    output.push({ id: header.messageItemId, type: 'message', status: 'completed', content: [textPart(plan.text)], role: 'assistant' });
  }
  plan.toolCalls.forEach((call, i) => {
    output.push({
      id: header.functionCallItemIds[i],
      type: 'function_call',
      status: 'completed',
      arguments: call.arguments,
      call_id: call.id,
      name: call.name,
    });
  });
  return output;
}

/** The final `response` object (also the non-streaming body). */
export function responsesBody(plan: ReplyPlan, header: ResponsesHeader, request: ResponsesRequest): Record<string, unknown> {
  const incomplete = plan.finishReason === 'length';
  return responseObject(header, request, incomplete ? 'incomplete' : 'completed', finalOutput(plan, header), plan.usage, incomplete);
}

/** Plans the Responses API event stream: lifecycle, message text deltas, function-call argument deltas. */
export function responsesStreamPlan(plan: ReplyPlan, header: ResponsesHeader, request: ResponsesRequest): EventPlan {
  const chunks: LlmChunkRecord[] = [];
  const payloads: string[] = [];
  let tokenSeen = false;
  const emit = (type: string, data: Record<string, unknown>, delayMs: number, extra: { content?: string; tool?: LlmToolFragment } = {}): void => {
    const index = chunks.length;
    chunks.push({ index, atMs: -1, delayMs, kind: 'event', event: type, ...extra });
    payloads.push(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: index, ...data })}\n\n`);
  };
  const tokenDelay = (): number => {
    const delay = tokenSeen ? plan.interTokenMs : plan.firstTokenMs;
    tokenSeen = true;
    return delay;
  };

  emit('response.created', { response: responseObject(header, request, 'in_progress', [], null, false) }, 0);
  emit('response.in_progress', { response: responseObject(header, request, 'in_progress', [], null, false) }, 0);
  let outputIndex = 0;
  if (plan.text !== '' || plan.toolCalls.length === 0) {
    const item_id = header.messageItemId;
    const at = { item_id, output_index: outputIndex, content_index: 0 };
    const firstDelay = plan.textPieces.length > 0 ? tokenDelay() : plan.firstTokenMs;
    emit('response.output_item.added', { output_index: outputIndex, item: { id: item_id, type: 'message', status: 'in_progress', content: [], role: 'assistant' } }, firstDelay);
    emit('response.content_part.added', { ...at, part: textPart('') }, 0);
    plan.textPieces.forEach((delta, i) => emit('response.output_text.delta', { ...at, delta, logprobs: [] }, i === 0 ? 0 : tokenDelay(), { content: delta }));
    emit('response.output_text.done', { ...at, text: plan.text, logprobs: [] }, 0);
    emit('response.content_part.done', { ...at, part: textPart(plan.text) }, 0);
    emit('response.output_item.done', { output_index: outputIndex, item: { id: item_id, type: 'message', status: 'completed', content: [textPart(plan.text)], role: 'assistant' } }, 0);
    outputIndex++;
  }
  plan.toolCalls.forEach((call, callIndex) => {
    const item_id = header.functionCallItemIds[callIndex];
    const item = { id: item_id, type: 'function_call', status: 'in_progress', arguments: '', call_id: call.id, name: call.name };
    emit('response.output_item.added', { output_index: outputIndex, item }, tokenDelay(), {
      tool: { index: callIndex, id: call.id, name: call.name, arguments: '' },
    });
    const pieces = plan.shape.toolArgumentsWhole ? [call.arguments] : call.pieces;
    for (const delta of pieces) {
      emit('response.function_call_arguments.delta', { item_id, output_index: outputIndex, delta }, tokenDelay(), {
        tool: { index: callIndex, arguments: delta },
      });
    }
    emit('response.function_call_arguments.done', { item_id, output_index: outputIndex, name: call.name, arguments: call.arguments }, 0);
    emit('response.output_item.done', { output_index: outputIndex, item: { ...item, status: 'completed', arguments: call.arguments } }, 0);
    outputIndex++;
  });
  const body = responsesBody(plan, header, request);
  emit(body.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: body }, 0);
  return { chunks, cutAfterChunks: plan.cutAfterChunks, render: (index) => payloads[index] as string };
}
