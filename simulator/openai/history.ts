/** Which OpenAI endpoint a request hit. */
export type LlmApi = 'chat.completions' | 'responses' | 'models' | 'unknown';

/** How a request was answered: by a rule, by the unscripted default, or refused before matching (4xx). */
export type LlmMatch =
  | { readonly kind: 'rule'; readonly ruleIndex: number; readonly ruleId: string }
  | { readonly kind: 'unscripted' }
  | { readonly kind: 'rejected' };

/**
 * Where a response ended: still `pending`, `completed` ([DONE] / full body sent), `http-error`
 * (an error status), `cut` (the fake destroyed the socket as scripted), `client-closed` (the agent
 * went away first), `server-closed` (the fake was shut down mid-response).
 */
export type LlmOutcome = 'pending' | 'completed' | 'http-error' | 'cut' | 'client-closed' | 'server-closed';

/** Token counts as reported in `usage`. */
export interface LlmUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
}

/** One tool-call fragment carried by a chunk. */
export interface LlmToolFragment {
  readonly index: number;
  readonly id?: string;
  readonly name?: string;
  readonly arguments: string;
}

/** One SSE event written to the agent. */
export interface LlmChunkRecord {
  /** 0-based position in the response's event sequence (Responses API: its `sequence_number`). */
  index: number;
  /** Clock reading (`now()`) when the event was written; -1 until then. */
  atMs: number;
  /** Scripted delay before this event. */
  readonly delayMs: number;
  readonly kind: 'role' | 'content' | 'tool' | 'finish' | 'usage' | 'done' | 'event';
  /** Responses API event type. */
  readonly event?: string;
  readonly role?: 'assistant';
  readonly content?: string;
  readonly tool?: LlmToolFragment;
  readonly finishReason?: string;
  readonly usage?: LlmUsage;
}

/** The reply the fake planned to send (what was actually written is in `chunks`). */
export interface LlmPlannedReply {
  readonly text: string;
  readonly toolCalls: readonly { readonly id: string; readonly name: string; readonly arguments: string }[];
  readonly finishReason: string;
}

/** Everything observed about one request; plain JSON data. */
export interface LlmRequestRecord {
  /** 1-based arrival order. */
  readonly seq: number;
  readonly method: string;
  readonly path: string;
  /** Lower-cased header names; the bearer token is redacted. */
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed JSON body, untouched (undefined when there was none or it was not JSON). */
  readonly body: unknown;
  /** The raw body, only when it was not valid JSON. */
  bodyText?: string;
  api: LlmApi;
  model: string | null;
  stream: boolean;
  /** 1-based LLM turn (counted over valid chat/responses requests); null when refused. */
  turn: number | null;
  readonly receivedAtMs: number;
  readonly receivedAtEpochMs: number;
  match: LlmMatch | null;
  status: number | null;
  error: { readonly message: string; readonly type: string; readonly param: string | null; readonly code: string | null } | null;
  responseId: string | null;
  reply: LlmPlannedReply | null;
  usage: LlmUsage | null;
  readonly chunks: LlmChunkRecord[];
  /** When the first body byte (first event, or the JSON body) was written. */
  firstChunkAtMs: number | null;
  /** When the first event carrying content or a tool fragment was written: the agent's real TTFT. */
  firstTokenAtMs: number | null;
  endedAtMs: number | null;
  outcome: LlmOutcome;
  /** Things an agent may want to know, e.g. a scripted tool the request did not declare. */
  readonly warnings: string[];
}

/** Criteria for {@link LlmHistory.filter}; every field given must equal the record's. */
export interface LlmHistoryCriteria {
  readonly api?: LlmApi;
  readonly method?: string;
  readonly path?: string;
  readonly ruleId?: string;
  readonly unscripted?: boolean;
  readonly outcome?: LlmOutcome;
}

function meets(record: LlmRequestRecord, c: LlmHistoryCriteria): boolean {
  if (c.api !== undefined && record.api !== c.api) return false;
  if (c.method !== undefined && record.method !== c.method.toUpperCase()) return false;
  if (c.path !== undefined && record.path !== c.path) return false;
  if (c.outcome !== undefined && record.outcome !== c.outcome) return false;
  if (c.unscripted !== undefined && (record.match?.kind === 'unscripted') !== c.unscripted) return false;
  if (c.ruleId !== undefined && !(record.match?.kind === 'rule' && record.match.ruleId === c.ruleId)) return false;
  return true;
}

/** Every request the fake OpenAI saw, in arrival order (undici MockCallHistory style). */
export class LlmHistory {
  #records: LlmRequestRecord[] = [];

  /** Appends a record; the fake keeps updating it while the response is in flight. */
  add(record: LlmRequestRecord): void {
    this.#records.push(record);
  }

  /** All records, oldest first. */
  calls(): readonly LlmRequestRecord[] {
    return [...this.#records];
  }

  /** The first record. */
  first(): LlmRequestRecord | undefined {
    return this.#records[0];
  }

  /** The latest record. */
  last(): LlmRequestRecord | undefined {
    return this.#records.at(-1);
  }

  /** The n-th record, 1-based like undici's `nthCall`. */
  nth(n: number): LlmRequestRecord | undefined {
    return n >= 1 ? this.#records[n - 1] : undefined;
  }

  /** Records meeting a predicate or criteria. */
  filter(criteria: LlmHistoryCriteria | ((record: LlmRequestRecord) => boolean)): LlmRequestRecord[] {
    const test = typeof criteria === 'function' ? criteria : (r: LlmRequestRecord) => meets(r, criteria);
    return this.#records.filter(test);
  }

  /** Requests no rule answered. */
  unscripted(): LlmRequestRecord[] {
    return this.filter({ unscripted: true });
  }

  /** Number of records. */
  get length(): number {
    return this.#records.length;
  }

  /** Forgets every record. */
  clear(): void {
    this.#records = [];
  }

  /** The records as plain JSON. */
  toJSON(): LlmRequestRecord[] {
    return [...this.#records];
  }
}

/** The assistant text actually written in a record's chunks. */
export function textWritten(record: LlmRequestRecord): string {
  let out = '';
  for (const chunk of record.chunks) if (chunk.content !== undefined) out += chunk.content;
  return out;
}

/** The tool calls actually written, assembled from their fragments. */
export function toolCallsWritten(record: LlmRequestRecord): { id: string; name: string; arguments: string }[] {
  const calls: { id: string; name: string; arguments: string }[] = [];
  for (const chunk of record.chunks) {
    const fragment = chunk.tool;
    if (!fragment) continue;
    const call = (calls[fragment.index] ??= { id: '', name: '', arguments: '' });
    if (fragment.id !== undefined) call.id = fragment.id;
    if (fragment.name !== undefined) call.name = fragment.name;
    call.arguments += fragment.arguments;
  }
  return calls;
}
