import { chatUsageJson, type EventPlan } from './event-plan.ts';
import type { LlmChunkRecord, LlmToolFragment } from './history.ts';
import type { PlannedToolCall, ReplyPlan } from './reply-plan.ts';

/** The per-response constants every chunk repeats. */
export interface ChatStreamHeader {
  readonly id: string;
  readonly created: number;
  readonly model: string;
  readonly systemFingerprint: string;
  readonly includeUsage: boolean;
}

type Unit = { content: string; tool?: undefined } | { content?: undefined; tool: LlmToolFragment };

function toolUnits(call: PlannedToolCall, index: number, whole: boolean): Unit[] {
  if (whole) return [{ tool: { index, id: call.id, name: call.name, arguments: call.arguments } }];
  const units: Unit[] = [{ tool: { index, id: call.id, name: call.name, arguments: '' } }];
  for (const piece of call.pieces) units.push({ tool: { index, arguments: piece } });
  return units;
}

function interleave(lists: Unit[][]): Unit[] {
  const out: Unit[] = [];
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) for (const list of lists) if (i < list.length) out.push(list[i] as Unit);
  return out;
}

/** Lays out the chunk sequence for a streamed chat completion, including the alternative shapes. */
export function planChatChunks(plan: ReplyPlan, includeUsage: boolean): LlmChunkRecord[] {
  const shape = plan.shape;
  const perCall = plan.toolCalls.map((call, i) => toolUnits(call, i, shape.toolArgumentsWhole === true));
  const units: Unit[] = plan.textPieces.map((content) => ({ content }));
  units.push(...(shape.interleaveToolCalls ? interleave(perCall) : perCall.flat()));

  const chunks: LlmChunkRecord[] = [];
  const add = (chunk: Omit<LlmChunkRecord, 'index' | 'atMs'>): void => {
    chunks.push({ index: chunks.length, atMs: -1, ...chunk });
  };
  // A tool-only reply opens with the role on the first tool fragment, as api.openai.com does.
  const roleOnFirstTool = !shape.omitRoleChunk && plan.textPieces.length === 0 && units.length > 0;
  if (!shape.omitRoleChunk && !roleOnFirstTool) add({ delayMs: plan.firstTokenMs, kind: 'role', role: 'assistant', content: '' });
  const finishOnLast = shape.finishOnLastChunk === true && units.length > 0;
  units.forEach((unit, i) => {
    const first = i === 0;
    const delayMs = first ? (chunks.length === 0 ? plan.firstTokenMs : 0) : plan.interTokenMs;
    const last = i === units.length - 1;
    const finish = last && finishOnLast ? { finishReason: plan.finishReason } : {};
    const usage = last && finishOnLast && shape.usageInFinishChunk ? { usage: plan.usage } : {};
    if (unit.tool) {
      add({ delayMs, kind: 'tool', tool: unit.tool, ...(first && roleOnFirstTool ? { role: 'assistant' } : {}), ...finish, ...usage });
    } else {
      add({ delayMs, kind: 'content', content: unit.content, ...finish, ...usage });
    }
  });
  if (!finishOnLast) {
    const delayMs = chunks.length === 0 ? plan.firstTokenMs : 0;
    add({ delayMs, kind: 'finish', finishReason: plan.finishReason, ...(shape.usageInFinishChunk ? { usage: plan.usage } : {}) });
  }
  if (includeUsage && !shape.usageInFinishChunk) add({ delayMs: 0, kind: 'usage', usage: plan.usage });
  add({ delayMs: 0, kind: 'done' });
  return chunks;
}

function fragmentJson(fragment: LlmToolFragment): string {
  if (fragment.id === undefined) {
    return `{"index":${fragment.index},"function":{"arguments":${JSON.stringify(fragment.arguments)}}}`;
  }
  return `{"index":${fragment.index},"id":${JSON.stringify(fragment.id)},"type":"function","function":{"name":${JSON.stringify(fragment.name ?? '')},"arguments":${JSON.stringify(fragment.arguments)}}}`;
}

function deltaJson(chunk: LlmChunkRecord): string {
  if (chunk.kind === 'role') return '{"role":"assistant","content":"","refusal":null}';
  if (chunk.kind === 'content') return `{"content":${JSON.stringify(chunk.content)}}`;
  if (chunk.tool) {
    const calls = `"tool_calls":[${fragmentJson(chunk.tool)}]`;
    return chunk.role ? `{"role":"assistant","content":null,${calls},"refusal":null}` : `{${calls}}`;
  }
  return '{}';
}

/** Builds the event plan: chunk layout plus a renderer that concatenates precomputed JSON pieces. */
export function chatStreamPlan(plan: ReplyPlan, header: ChatStreamHeader): EventPlan {
  const chunks = planChatChunks(plan, header.includeUsage);
  const prefix = `data: {"id":${JSON.stringify(header.id)},"object":"chat.completion.chunk","created":${header.created},"model":${JSON.stringify(header.model)},"service_tier":"default","system_fingerprint":"${header.systemFingerprint}","choices":[`;
  const nullUsage = header.includeUsage ? ',"usage":null' : '';
  return {
    chunks,
    cutAfterChunks: plan.cutAfterChunks,
    render(index) {
      const chunk = chunks[index] as LlmChunkRecord;
      if (chunk.kind === 'done') return 'data: [DONE]\n\n';
      if (chunk.kind === 'usage') return `${prefix}],"usage":${chatUsageJson(plan.usage)}}\n\n`;
      const finish = chunk.finishReason === undefined ? 'null' : `"${chunk.finishReason}"`;
      const usage = chunk.usage ? `,"usage":${chatUsageJson(chunk.usage)}` : nullUsage;
      return `${prefix}{"index":0,"delta":${deltaJson(chunk)},"logprobs":null,"finish_reason":${finish}}]${usage}}\n\n`;
    },
  };
}

/** The non-streaming `chat.completion` object for a plan. */
export function chatCompletionBody(plan: ReplyPlan, header: Omit<ChatStreamHeader, 'includeUsage'>): string {
  const message = {
    role: 'assistant',
    content: plan.text === '' && plan.toolCalls.length > 0 ? null : plan.text,
    refusal: null,
    annotations: [],
    ...(plan.toolCalls.length > 0
      ? { tool_calls: plan.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) }
      : {}),
  };
  return `{"id":${JSON.stringify(header.id)},"object":"chat.completion","created":${header.created},"model":${JSON.stringify(header.model)},"choices":[{"index":0,"message":${JSON.stringify(message)},"logprobs":null,"finish_reason":"${plan.finishReason}"}],"usage":${chatUsageJson(plan.usage)},"service_tier":"default","system_fingerprint":"${header.systemFingerprint}"}`;
}
