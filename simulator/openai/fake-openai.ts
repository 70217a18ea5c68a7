import { type ChatRequest, type Validated, validateChatRequest } from './chat-request.ts';
import { chatCompletionBody, chatStreamPlan } from './chat-stream.ts';
import { ConversationIds } from './conversation-ids.ts';
import { defaultReplyText } from './default-reply.ts';
import type { EventPlan } from './event-plan.ts';
import { type FakeOpenAiOptions, type ResolvedFakeOpenAiOptions, resolveFakeOpenAiOptions } from './fake-openai-options.ts';
import type { LlmHistory, LlmOutcome, LlmRequestRecord } from './history.ts';
import { apiOf, headerValue, type IncomingRequest, newRecord } from './incoming-request.ts';
import { isRecord } from './json-kind.ts';
import { modelObject, modelsListBody } from './models.ts';
import {
  incorrectApiKeyError,
  invalidJsonError,
  invalidMethodError,
  invalidUrlError,
  missingApiKeyError,
  openAiError,
  type OpenAiErrorResponse,
  scriptedError,
} from './openai-error.ts';
import { createOpenAiIds, type OpenAiIds } from './openai-ids.ts';
import { chatPromptView, type PromptView, responsesPromptView } from './prompt-view.ts';
import { planReply, type ReplyPlan } from './reply-plan.ts';
import { type ResponsesRequest, validateResponsesRequest } from './responses-request.ts';
import { responsesBody, responsesStreamPlan } from './responses-stream.ts';
import { type ResponseSink, webResponseSink } from './response-sink.ts';
import { RuleMatcher, type RuleUsage } from './rule-matcher.ts';
import type { LlmReply } from './script.ts';
import { parseLlmScript } from './script.ts';
import { type InFlight, writeEventStream } from './stream-writer.ts';

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' } as const;

/** A request validated for one of the two generation APIs, plus what rules can see of it. */
type LlmCall =
  | { readonly api: 'chat.completions'; readonly request: ChatRequest; readonly view: PromptView }
  | { readonly api: 'responses'; readonly request: ResponsesRequest; readonly view: PromptView };

/** The fake OpenAI, transport-free: Fastify and the in-process `handle` both feed it. */
export interface FakeOpenAi {
  /** Every request seen, live. */
  readonly history: LlmHistory;
  /** Answers a request on `sink`. */
  dispatch(request: IncomingRequest, sink: ResponseSink): void;
  /** Answers a web `Request` (msw: `http.all('https://api.openai.com/*', ({request}) => fake.handle(request))`). */
  handle(request: Request): Promise<Response>;
  /** Replaces the script (validated); rule usage starts from zero. */
  setScript(script: unknown): void;
  /** How often each rule answered. */
  ruleUsage(): RuleUsage[];
  /** Clears history, turn count and rule usage. */
  reset(): void;
  /** Drops every response still in flight (recorded as `server-closed`). */
  closeAll(): void;
}

/** Builds the transport-free fake OpenAI engine. */
export function createFakeOpenAi(options: FakeOpenAiOptions = {}): FakeOpenAi {
  const resolved = resolveFakeOpenAiOptions(options);
  return new FakeOpenAiEngine(resolved);
}

class FakeOpenAiEngine implements FakeOpenAi {
  readonly history: LlmHistory;
  readonly #options: ResolvedFakeOpenAiOptions;
  /** Ids of answers that are not generations (models, refusals). */
  readonly #ids: OpenAiIds;
  readonly #conversationIds: ConversationIds;
  readonly #fingerprint: string;
  readonly #knownCalls = new Map<string, string>();
  readonly #inFlight = new Set<InFlight>();
  #matcher: RuleMatcher;
  #seq = 0;
  #turn = 0;

  constructor(options: ResolvedFakeOpenAiOptions) {
    this.#options = options;
    this.history = options.history;
    this.#ids = createOpenAiIds(options.random.derive('openai-ids'));
    this.#conversationIds = new ConversationIds(options.random.derive('openai-conversation-ids'));
    this.#fingerprint = createOpenAiIds(options.random.derive('openai-fingerprint')).systemFingerprint();
    this.#matcher = new RuleMatcher(options.script);
  }

  setScript(script: unknown): void {
    this.#matcher = new RuleMatcher(parseLlmScript(script));
  }

  ruleUsage(): RuleUsage[] {
    return this.#matcher.usage();
  }

  reset(): void {
    this.history.clear();
    this.#matcher.reset();
    this.#turn = 0;
    this.#knownCalls.clear();
    this.#conversationIds.clear();
  }

  closeAll(): void {
    for (const flight of [...this.#inFlight]) flight.abort('server-closed');
  }

  async handle(request: Request): Promise<Response> {
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    const bodyText = hasBody ? await request.text() : undefined;
    const { sink, response } = webResponseSink(request.signal);
    this.dispatch(
      { method: request.method, path: new URL(request.url).pathname, headers: Object.fromEntries(request.headers), bodyText },
      sink,
    );
    return response;
  }

  dispatch(request: IncomingRequest, sink: ResponseSink): void {
    const { clock } = this.#options;
    const parsed = parseBody(request.bodyText);
    const record = newRecord(++this.#seq, request, parsed.ok ? parsed.value : undefined, clock.now(), clock.epochMs());
    if (!parsed.ok) record.bodyText = request.bodyText;
    this.history.add(record);
    try {
      this.#route(request, parsed, record, sink);
    } catch (error) {
      // A bug in the fake must show up in the history and on the wire, never as a silent hang.
      record.warnings.push(`internal error: ${(error as Error).stack ?? String(error)}`);
      if (record.status === null) this.#sendError(record, sink, openAiError(500, `Fake OpenAI internal error: ${(error as Error).message}`, { type: 'server_error' }));
      else sink.cut();
      throw error;
    }
  }

  #route(request: IncomingRequest, parsed: ReturnType<typeof parseBody>, record: LlmRequestRecord, sink: ResponseSink): void {
    const method = record.method;
    const api = apiOf(request.path);
    const expected = api === 'models' ? 'GET' : 'POST';
    if (api === 'unknown') return this.#reject(record, sink, invalidUrlError(method, request.path));
    if (method !== expected) return this.#reject(record, sink, invalidMethodError(method, request.path));
    const authError = this.#checkAuth(request);
    if (authError) return this.#reject(record, sink, authError);
    if (api === 'models') return this.#answerModels(record, sink, request.path);
    if (!parsed.ok || !isRecord(parsed.value)) return this.#reject(record, sink, invalidJsonError());
    const call = this.#validate(api, parsed.value);
    if (!call.ok) return this.#reject(record, sink, call.error);
    this.#answerLlm(record, sink, call.value);
  }

  #checkAuth(request: IncomingRequest): OpenAiErrorResponse | undefined {
    const header = headerValue(request.headers, 'authorization') ?? '';
    const match = /^Bearer\s+(\S.*)$/i.exec(header.trim());
    if (!match?.[1]) return missingApiKeyError();
    const keys = this.#options.apiKeys;
    if (keys && !keys.includes(match[1])) return incorrectApiKeyError(match[1]);
    return undefined;
  }

  #validate(api: 'chat.completions' | 'responses', body: unknown): Validated<LlmCall> {
    if (api === 'chat.completions') {
      const checked = validateChatRequest(body);
      if (!checked.ok) return checked;
      return { ok: true, value: { api, request: checked.value, view: chatPromptView(checked.value, this.#knownCalls) } };
    }
    const checked = validateResponsesRequest(body);
    if (!checked.ok) return checked;
    return { ok: true, value: { api, request: checked.value, view: responsesPromptView(checked.value, this.#knownCalls) } };
  }

  #baseHeaders(ids: OpenAiIds = this.#ids): Record<string, string> {
    return { 'x-request-id': ids.request(), 'openai-version': '2020-10-01', 'openai-organization': 'org-relaysim' };
  }

  #reject(record: LlmRequestRecord, sink: ResponseSink, error: OpenAiErrorResponse): void {
    record.match = { kind: 'rejected' };
    this.#sendError(record, sink, error);
  }

  #sendError(record: LlmRequestRecord, sink: ResponseSink, error: OpenAiErrorResponse, ids: OpenAiIds = this.#ids): void {
    this.#sendJson(record, sink, error.status, JSON.stringify(error.body), error.headers, 'http-error', ids);
    record.error = error.body.error;
  }

  #sendJson(
    record: LlmRequestRecord,
    sink: ResponseSink,
    status: number,
    body: string,
    headers: Readonly<Record<string, string>>,
    outcome: LlmOutcome,
    ids: OpenAiIds = this.#ids,
  ): void {
    const now = this.#options.clock.now();
    record.status = status;
    record.outcome = outcome;
    record.firstChunkAtMs = now;
    record.endedAtMs = now;
    sink.sendJson(status, { ...this.#baseHeaders(ids), ...headers }, body);
  }

  #answerModels(record: LlmRequestRecord, sink: ResponseSink, path: string): void {
    const id = path.slice('/v1/models/'.length);
    const body = path === '/v1/models' ? modelsListBody(this.#options.models) : modelObject(decodeURIComponent(id));
    this.#sendJson(record, sink, 200, JSON.stringify(body), {}, 'completed');
  }

  #answerLlm(record: LlmRequestRecord, sink: ResponseSink, call: LlmCall): void {
    const { request, view } = call;
    record.model = request.model;
    record.stream = request.stream;
    record.turn = ++this.#turn;
    const match = this.#matcher.match(view, record.turn);
    record.match = match ? { kind: 'rule', ruleIndex: match.index, ruleId: match.id } : { kind: 'unscripted' };
    const reply: LlmReply = match?.rule.reply ?? { text: defaultReplyText(view, this.#options.random) };
    const firstTokenMs = reply.firstTokenMs ?? this.#options.defaults.firstTokenMs;
    const ids = this.#conversationIds.next(call);
    if (reply.error) {
      const error = scriptedError(reply.error, request.model);
      return this.#later(record, sink, firstTokenMs, () => this.#sendError(record, sink, error, ids));
    }
    const maxTokens = call.api === 'chat.completions' ? call.request.maxTokens : call.request.maxOutputTokens;
    const context = { promptTokens: view.promptTokens, maxTokens, declaredTools: request.toolNames };
    const responseId = call.api === 'chat.completions' ? ids.chatCompletion() : ids.response();
    const plan = planReply(reply, context, ids, this.#options.defaults);
    record.responseId = responseId;
    record.reply = { text: plan.text, toolCalls: plan.toolCalls.map(({ id, name, arguments: a }) => ({ id, name, arguments: a })), finishReason: plan.finishReason };
    record.usage = plan.usage;
    record.warnings.push(...plan.warnings);
    for (const toolCall of plan.toolCalls) this.#knownCalls.set(toolCall.id, toolCall.name);

    const created = Math.floor(this.#options.clock.epochMs() / 1000);
    if (call.api === 'chat.completions') {
      const header = { id: responseId, created, model: request.model, systemFingerprint: this.#fingerprint };
      if (request.stream) return this.#stream(record, sink, chatStreamPlan(plan, { ...header, includeUsage: call.request.includeUsage }), ids);
      return this.#whole(record, sink, plan, () => chatCompletionBody(plan, header), ids);
    }
    const header = {
      id: responseId,
      createdAt: created,
      model: request.model,
      messageItemId: ids.messageItem(),
      functionCallItemIds: plan.toolCalls.map(() => ids.functionCallItem()),
    };
    if (request.stream) return this.#stream(record, sink, responsesStreamPlan(plan, header, call.request), ids);
    return this.#whole(record, sink, plan, () => JSON.stringify(responsesBody(plan, header, call.request)), ids);
  }

  #stream(record: LlmRequestRecord, sink: ResponseSink, plan: EventPlan, ids: OpenAiIds): void {
    let flight: InFlight | undefined;
    flight = writeEventStream(plan, {
      sink,
      clock: this.#options.clock,
      record,
      headers: { ...this.#baseHeaders(ids), ...SSE_HEADERS },
      recordChunks: this.#options.recordChunks,
      onChunkWritten: this.#options.onChunkWritten,
      onSettled: () => {
        if (flight) this.#inFlight.delete(flight);
      },
    });
    if (record.outcome === 'pending') this.#inFlight.add(flight);
  }

  /** Non-streaming: the whole body after the time streaming it would have taken. */
  #whole(record: LlmRequestRecord, sink: ResponseSink, plan: ReplyPlan, body: () => string, ids: OpenAiIds): void {
    const pieces = plan.textPieces.length + plan.toolCalls.reduce((n, c) => n + c.pieces.length, 0);
    const delayMs = plan.firstTokenMs + plan.interTokenMs * Math.max(0, pieces - 1);
    this.#later(record, sink, delayMs, () => {
      if (plan.cutAfterChunks !== undefined) {
        record.outcome = 'cut';
        record.endedAtMs = this.#options.clock.now();
        sink.cut();
        return;
      }
      this.#sendJson(record, sink, 200, body(), {}, 'completed', ids);
      record.firstTokenAtMs = record.firstChunkAtMs;
    });
  }

  /** Runs `send` after `delayMs` unless the client leaves or the fake closes first. */
  #later(record: LlmRequestRecord, sink: ResponseSink, delayMs: number, send: () => void): void {
    if (delayMs <= 0) return send();
    const clock = this.#options.clock;
    let done = false;
    const finish = (outcome: LlmOutcome | undefined): void => {
      if (done) return;
      done = true;
      timer.cancel();
      this.#inFlight.delete(flight);
      if (outcome === undefined) return send();
      record.outcome = outcome;
      record.endedAtMs = clock.now();
      if (outcome === 'server-closed') sink.cut();
    };
    const flight: InFlight = { abort: (outcome) => finish(outcome) };
    const timer = clock.setTimer(delayMs, () => finish(undefined));
    sink.onPeerClosed(() => finish('client-closed'));
    this.#inFlight.add(flight);
  }
}

function parseBody(text: string | undefined): { ok: true; value: unknown } | { ok: false } {
  if (text === undefined || text === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
