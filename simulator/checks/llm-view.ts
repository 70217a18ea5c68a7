/**
 * Read-only views of the fake LLM's records for the checks: the requests attributed to a call and
 * the conversation each request carried, from either OpenAI API.
 */
import { textWritten, toolCallsWritten, type LlmRequestRecord } from '../openai/history.ts';
import type { CallRecord, RunRecord } from '../scenario/run-record.ts';

/** One message of a request's history, normalised across the Chat Completions and Responses APIs. */
export interface HistoryMessage {
  readonly role: string;
  readonly text: string;
  /** Tool call ids an assistant message carries. */
  readonly toolCallIds: readonly string[];
  /** The call id a tool result answers. */
  readonly toolCallId?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const part of content) if (isObject(part) && typeof part.text === 'string') out += part.text;
  return out;
}

/** The conversation a request carried (empty when the body is not a chat or responses body). */
export function historyOf(request: LlmRequestRecord): HistoryMessage[] {
  const body = request.body;
  if (!isObject(body)) return [];
  if (Array.isArray(body.messages)) {
    return body.messages.filter(isObject).map((m) => {
      const toolCalls = Array.isArray(m.tool_calls) ? m.tool_calls.filter(isObject) : [];
      return {
        role: typeof m.role === 'string' ? m.role : '',
        text: contentText(m.content),
        toolCallIds: toolCalls.map((c) => (typeof c.id === 'string' ? c.id : '')),
        ...(typeof m.tool_call_id === 'string' ? { toolCallId: m.tool_call_id } : {}),
      };
    });
  }
  if (typeof body.input === 'string') return [{ role: 'user', text: body.input, toolCallIds: [] }];
  if (!Array.isArray(body.input)) return [];
  const out: HistoryMessage[] = [];
  for (const item of body.input.filter(isObject)) {
    if (item.type === 'function_call') {
      out.push({ role: 'assistant', text: '', toolCallIds: [typeof item.call_id === 'string' ? item.call_id : ''] });
    } else if (item.type === 'function_call_output') {
      out.push({
        role: 'tool',
        text: typeof item.output === 'string' ? item.output : '',
        toolCallIds: [],
        ...(typeof item.call_id === 'string' ? { toolCallId: item.call_id } : {}),
      });
    } else if (typeof item.role === 'string') {
      out.push({ role: item.role, text: contentText(item.content), toolCallIds: [] });
    }
  }
  return out;
}

/** The text of the request's last user message. */
export function lastUserText(request: LlmRequestRecord): string | undefined {
  const history = historyOf(request);
  for (let i = history.length - 1; i >= 0; i--) if (history[i]?.role === 'user') return history[i]?.text;
  return undefined;
}

/** Whether the request is an LLM completion (not `/v1/models` or an unknown path). */
export function isCompletion(request: LlmRequestRecord): boolean {
  return request.api === 'chat.completions' || request.api === 'responses';
}

/** The completion requests attributed to a call, in arrival order. */
export function callLlmRequests(record: RunRecord, call: CallRecord): LlmRequestRecord[] {
  const seqs = new Set(call.llmRequestSeqs);
  return record.llm.requests.filter((r) => seqs.has(r.seq) && isCompletion(r)).sort((a, b) => a.seq - b.seq);
}

/** Whether the fake failed the request on purpose or by script: an HTTP error or a cut stream. */
export function llmFailed(request: LlmRequestRecord): boolean {
  return request.outcome === 'http-error' || request.outcome === 'cut' || (request.status !== null && request.status >= 400);
}

/** The finish reason the fake actually sent (undefined when the stream never got that far). */
export function finishReasonSent(request: LlmRequestRecord): string | undefined {
  for (const chunk of request.chunks) if (chunk.finishReason !== undefined && chunk.atMs >= 0) return chunk.finishReason;
  return undefined;
}

/** Time the fake took before the first content or tool delta (or, failing that, until it ended). */
export function llmWaitMs(request: LlmRequestRecord): number {
  const until = request.firstTokenAtMs ?? request.endedAtMs ?? request.receivedAtMs;
  return Math.max(0, until - request.receivedAtMs);
}

/** The assistant text the fake wrote (chunks actually sent). */
export function llmText(request: LlmRequestRecord): string {
  return textWritten({ ...request, chunks: request.chunks.filter((c) => c.atMs >= 0) });
}

/** The tool calls the fake wrote. */
export function llmToolCalls(request: LlmRequestRecord): { id: string; name: string; arguments: string }[] {
  return toolCallsWritten({ ...request, chunks: request.chunks.filter((c) => c.atMs >= 0) });
}

/** Describes a request in a few words for evidence. */
export function requestLabel(request: LlmRequestRecord): string {
  const user = lastUserText(request);
  const what = request.status !== null && request.status >= 400 ? `HTTP ${request.status}` : request.outcome;
  return `LLM request #${request.seq} at ${Math.round(request.receivedAtMs)} ms (${what})${user === undefined ? '' : `, last user message ${JSON.stringify(user.length > 50 ? `${user.slice(0, 50)}…` : user)}`}`;
}
