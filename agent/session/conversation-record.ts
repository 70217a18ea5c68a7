/**
 * One call's conversation, kept twice: as call-log events for the span builder and as the LLM
 * history the model is told. Both hold the same assistant drafts, so cutting a reply down to
 * what the caller heard (after an interrupt) corrects the log and the next request at once.
 */
import type { ChatMessage, LlmToolCall } from '../llm/llm-client.ts';
import type { AssistantTurn, CallEvent, CallLog, ToolTurn, UserTurn } from './call-log.ts';

/** An assistant turn while it is built; truncation after an interrupt edits it in place. */
export interface TurnDraft {
  readonly kind: 'assistant-draft';
  readonly requestedAtMs: number;
  firstDeltaAtMs?: number;
  firstTokenSentAtMs?: number;
  endedAtMs?: number;
  /** Everything sent as `text` tokens in this turn. */
  sent: string;
  /** What the caller heard, when an interrupt said it was less than `sent`. */
  heard?: string;
  finishReason?: string;
  usage?: { inputTokens: number; outputTokens: number };
  interrupted: boolean;
  error?: string;
}

/** The assistant's place in the LLM history; tool calls are attached once all results are in. */
interface AssistantHistoryEntry {
  readonly role: 'assistant-draft';
  readonly draft: TurnDraft;
  toolCalls?: readonly LlmToolCall[];
}

type LogEntry = UserTurn | ToolTurn | TurnDraft;
type HistoryEntry = ChatMessage | AssistantHistoryEntry;

/** What the call log says about the call itself; the session knows it, the record does not. */
export type CallIdentity = Omit<CallLog, 'endedAtMs' | 'events'>;

function textOf(draft: TurnDraft): string {
  return draft.heard ?? draft.sent;
}

function toAssistantTurn(draft: TurnDraft, fallbackEndMs: number): AssistantTurn {
  return {
    kind: 'assistant',
    requestedAtMs: draft.requestedAtMs,
    ...(draft.firstTokenSentAtMs === undefined ? {} : { firstTokenSentAtMs: draft.firstTokenSentAtMs }),
    ...(draft.firstDeltaAtMs === undefined ? {} : { firstDeltaAtMs: draft.firstDeltaAtMs }),
    endedAtMs: draft.endedAtMs ?? fallbackEndMs,
    text: textOf(draft),
    ...(draft.finishReason === undefined ? {} : { finishReason: draft.finishReason }),
    ...(draft.usage === undefined ? {} : { usage: { ...draft.usage } }),
    interrupted: draft.interrupted,
    ...(draft.error === undefined ? {} : { error: draft.error }),
  };
}

/** The events and LLM history of one call (docs/agent-session.md). */
export class ConversationRecord {
  readonly #events: LogEntry[] = [];
  readonly #history: HistoryEntry[];

  constructor(systemPrompt: string) {
    this.#history = [{ role: 'system', content: systemPrompt }];
  }

  /** How many events the call log will hold. */
  get eventCount(): number {
    return this.#events.length;
  }

  /** Records a caller turn; `message` is what the model is told it said. */
  addUserTurn(turn: UserTurn, message: string): void {
    this.#events.push(turn);
    this.#history.push({ role: 'user', content: message });
  }

  /** Opens an assistant turn in both the log and the history; the caller fills it in as it streams. */
  startTurn(requestedAtMs: number): TurnDraft {
    const draft: TurnDraft = { kind: 'assistant-draft', requestedAtMs, sent: '', interrupted: false };
    this.#events.push(draft);
    this.#history.push({ role: 'assistant-draft', draft });
    return draft;
  }

  /** Logs one tool run as soon as it finished, even if the round is later cut short. */
  addToolTurn(turn: ToolTurn): void {
    this.#events.push(turn);
  }

  /** Tells the model about a finished tool round: the calls `draft` asked for, then their results. */
  completeToolRound(draft: TurnDraft, calls: readonly LlmToolCall[], results: readonly ChatMessage[]): void {
    const entry = this.#historyEntryOf(draft);
    if (entry) entry.toolCalls = calls;
    this.#history.push(...results);
  }

  /** The messages for the next LLM request: assistant turns as the caller heard them. */
  requestMessages(): ChatMessage[] {
    const messages: ChatMessage[] = [];
    for (const entry of this.#history) {
      if (entry.role !== 'assistant-draft') {
        messages.push(entry);
        continue;
      }
      const content = textOf(entry.draft);
      if (entry.toolCalls && entry.toolCalls.length > 0) messages.push({ role: 'assistant', content, toolCalls: entry.toolCalls });
      // A cut turn the caller heard nothing of leaves no trace in what the model is told.
      else if (content !== '') messages.push({ role: 'assistant', content });
    }
    return messages;
  }

  /** The finished call log; turns still open end at `endedAtMs`. */
  buildCallLog(identity: CallIdentity, endedAtMs: number): CallLog {
    const events: CallEvent[] = this.#events.map((entry) => (entry.kind === 'assistant-draft' ? toAssistantTurn(entry, endedAtMs) : entry));
    return { ...identity, endedAtMs, events };
  }

  #historyEntryOf(draft: TurnDraft): AssistantHistoryEntry | undefined {
    for (let i = this.#history.length - 1; i >= 0; i--) {
      const entry = this.#history[i];
      if (entry?.role === 'assistant-draft' && entry.draft === draft) return entry;
    }
    return undefined;
  }
}

/** Rewrites one reply's turns to what the caller heard: whole turns while they match, then the rest. */
export function truncateTurns(turns: readonly TurnDraft[], heard: string): void {
  const lastWithText = turns.findLastIndex((t) => t.sent !== '');
  let remaining = heard;
  let cut = false;
  turns.forEach((turn, index) => {
    if (cut) {
      if (turn.sent !== '') {
        turn.heard = '';
        turn.interrupted = true;
      }
      return;
    }
    if (index < lastWithText && remaining.startsWith(turn.sent)) {
      remaining = remaining.slice(turn.sent.length);
      return;
    }
    if (index > lastWithText) return;
    turn.heard = remaining;
    turn.interrupted = true;
    cut = true;
  });
}
