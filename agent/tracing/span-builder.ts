import { AgentErrors } from '../errors.ts';
import type { IdGenerator } from '../platform/ids.ts';
import type { AssistantTurn, CallLog, ToolTurn, UserTurn } from '../session/call-log.ts';
import { bool, dbl, int, str } from './span-record.ts';
import type { AttributeValue, SpanRecord, SpanStatus } from './span-record.ts';
import {
  STT_PROVIDER_NAME,
  SYNTHETIC_ATTRIBUTES_KEY,
  SYNTHETIC_STT_CONFIDENCE,
  SYNTHETIC_STT_TTFB_SECONDS,
  SYNTHETIC_TTS_TTFB_SECONDS,
  TOOL_RESULT_MAX_CHARS,
} from './trace-constants.ts';

const OK: SpanStatus = { code: 1 };
const MAX_ID_ATTEMPTS = 16;

interface Window {
  readonly startMs: number;
  readonly endMs: number;
}

/** Clamps [startMs, endMs] into [lo, hi] so that lo <= start <= end <= hi. */
function clampWindow(startMs: number, endMs: number, lo: number, hi: number): Window {
  const start = Math.min(Math.max(startMs, lo), hi);
  return { startMs: start, endMs: Math.min(Math.max(endMs, start), hi) };
}

function errorStatus(message: string, fallback: string): SpanStatus {
  return { code: 2, message: message === '' ? fallback : message };
}

/** Cuts to at most `max` code points, never splitting a surrogate pair. */
function truncate(text: string, max: number): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false };
  const points = Array.from(text);
  return points.length <= max ? { text, truncated: false } : { text: points.slice(0, max).join(''), truncated: true };
}

function checkTime(log: CallLog, where: string, value: number | undefined): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new AgentErrors.AGENT_ERR_TRACING_CALL_LOG_INVALID(log.callSid, `${where} must be a finite, non-negative number (actual: ${String(value)})`);
  }
}

function checkCount(log: CallLog, where: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new AgentErrors.AGENT_ERR_TRACING_CALL_LOG_INVALID(log.callSid, `${where} must be a non-negative integer (actual: ${String(value)})`);
  }
}

function validate(log: CallLog): void {
  checkTime(log, 'startedAtMs', log.startedAtMs);
  checkTime(log, 'endedAtMs', log.endedAtMs);
  log.events.forEach((event, i) => {
    const at = `events[${i}]`;
    if (event.kind === 'user') checkTime(log, `${at}.receivedAtMs`, event.receivedAtMs);
    else if (event.kind === 'assistant') {
      checkTime(log, `${at}.requestedAtMs`, event.requestedAtMs);
      checkTime(log, `${at}.firstTokenSentAtMs`, event.firstTokenSentAtMs);
      checkTime(log, `${at}.firstDeltaAtMs`, event.firstDeltaAtMs);
      checkTime(log, `${at}.endedAtMs`, event.endedAtMs);
      if (event.usage) {
        checkCount(log, `${at}.usage.inputTokens`, event.usage.inputTokens);
        checkCount(log, `${at}.usage.outputTokens`, event.usage.outputTokens);
      }
    } else {
      checkTime(log, `${at}.startedAtMs`, event.startedAtMs);
      checkTime(log, `${at}.endedAtMs`, event.endedAtMs);
    }
  });
}

/**
 * For each user turn, the latest moment at or before its arrival when something else was observed
 * (call start, an agent or tool turn ending, an earlier prompt): the start of its approximate STT
 * window. Array order is not trusted, since a turn cut by a newer prompt may be logged after it.
 */
function sttWindowStarts(log: CallLog): Map<number, number> {
  const marks: { at: number; index: number }[] = [{ at: log.startedAtMs, index: -1 }];
  log.events.forEach((event, index) => marks.push({ at: event.kind === 'user' ? event.receivedAtMs : event.endedAtMs, index }));
  marks.sort((a, b) => a.at - b.at);
  const starts = new Map<number, number>();
  log.events.forEach((event, index) => {
    if (event.kind !== 'user') return;
    let best = log.startedAtMs;
    for (const mark of marks) {
      if (mark.at > event.receivedAtMs) break;
      if (mark.index !== index) best = mark.at;
    }
    starts.set(index, best);
  });
  return starts;
}

/** Collects spans for one trace, handing out span ids that are unique within it. */
class TraceBuilder {
  readonly spans: SpanRecord[] = [];
  readonly #ids: IdGenerator;
  readonly #used = new Set<string>();
  readonly traceId: string;

  constructor(ids: IdGenerator) {
    this.#ids = ids;
    this.traceId = ids.traceId();
  }

  add(name: string, parentSpanId: string | undefined, window: Window, attributes: Record<string, AttributeValue>, status: SpanStatus = OK): string {
    const spanId = this.#freshSpanId();
    this.spans.push({
      name,
      traceId: this.traceId,
      spanId,
      ...(parentSpanId === undefined ? {} : { parentSpanId }),
      startMs: window.startMs,
      endMs: window.endMs,
      attributes,
      status,
    });
    return spanId;
  }

  #freshSpanId(): string {
    for (let i = 0; i < MAX_ID_ATTEMPTS; i++) {
      const id = this.#ids.spanId();
      if (!this.#used.has(id)) {
        this.#used.add(id);
        return id;
      }
    }
    // A generator that keeps repeating itself is broken; the encoder would reject the trace anyway.
    throw new AgentErrors.AGENT_ERR_TRACING_SPAN_INVALID('(new span)', `the IdGenerator returned a used span id ${MAX_ID_ATTEMPTS} times in a row`);
  }
}

function addUserTurn(trace: TraceBuilder, rootId: string, root: Window, turn: UserTurn, windowStartMs: number): void {
  if (turn.source === 'dtmf') {
    // A key press is not speech: an `stt` span would feed Coval's WER metric a fake transcript.
    trace.add('dtmf', rootId, clampWindow(turn.receivedAtMs, turn.receivedAtMs, root.startMs, root.endMs), { 'dtmf.text': str(turn.text) });
    return;
  }
  const window = clampWindow(windowStartMs, turn.receivedAtMs, root.startMs, root.endMs);
  const synthetic = str('metrics.ttfb,stt.confidence');
  const sttId = trace.add('stt', rootId, window, {
    'stt.transcription': str(turn.text),
    'stt.confidence': dbl(SYNTHETIC_STT_CONFIDENCE),
    'metrics.ttfb': dbl(SYNTHETIC_STT_TTFB_SECONDS),
    ...(turn.lang === undefined ? {} : { 'stt.language': str(turn.lang) }),
    [SYNTHETIC_ATTRIBUTES_KEY]: synthetic,
  });
  trace.add(`stt.provider.${STT_PROVIDER_NAME}`, sttId, window, {
    'stt.providerName': str(STT_PROVIDER_NAME),
    'stt.confidence': dbl(SYNTHETIC_STT_CONFIDENCE),
    'metrics.ttfb': dbl(SYNTHETIC_STT_TTFB_SECONDS),
    [SYNTHETIC_ATTRIBUTES_KEY]: synthetic,
  });
}

/** Real LLM time to first byte in seconds: request to first text sent, else to first delta. */
function llmTtfbSeconds(turn: AssistantTurn): number | undefined {
  const first = turn.firstTokenSentAtMs ?? turn.firstDeltaAtMs;
  return first === undefined ? undefined : Math.max(0, (first - turn.requestedAtMs) / 1000);
}

function addAssistantTurn(trace: TraceBuilder, rootId: string, root: Window, turn: AssistantTurn): void {
  const window = clampWindow(turn.requestedAtMs, turn.endedAtMs, root.startMs, root.endMs);
  const ttfb = llmTtfbSeconds(turn);
  const attributes: Record<string, AttributeValue> = {};
  if (ttfb !== undefined) attributes['metrics.ttfb'] = dbl(ttfb);
  if (turn.finishReason !== undefined) attributes['llm.finish_reason'] = str(turn.finishReason);
  if (turn.usage) {
    attributes['gen_ai.usage.input_tokens'] = int(turn.usage.inputTokens);
    attributes['gen_ai.usage.output_tokens'] = int(turn.usage.outputTokens);
  }
  if (turn.interrupted) attributes['llm.interrupted'] = bool(true);
  const status = turn.error === undefined ? OK : errorStatus(turn.error, 'the LLM call failed');
  trace.add('llm', rootId, window, attributes, status);
  if (turn.firstTokenSentAtMs !== undefined) {
    trace.add('tts', rootId, clampWindow(turn.firstTokenSentAtMs, turn.endedAtMs, window.startMs, root.endMs), {
      'metrics.ttfb': dbl(SYNTHETIC_TTS_TTFB_SECONDS),
      [SYNTHETIC_ATTRIBUTES_KEY]: str('metrics.ttfb'),
    });
  }
}

function addToolTurn(trace: TraceBuilder, rootId: string, root: Window, turn: ToolTurn): void {
  const window = clampWindow(turn.startedAtMs, turn.endedAtMs, root.startMs, root.endMs);
  const failed = turn.error !== undefined;
  trace.add('tool_call', rootId, window, {
    'tool.name': str(turn.name),
    'tool.call_id': str(turn.callId),
    'tool.arguments': str(turn.arguments),
    'tool.latency_ms': dbl(Math.max(0, turn.endedAtMs - turn.startedAtMs)),
    'tool.error': int(failed ? 1 : 0),
  });
  const result = truncate(turn.result, TOOL_RESULT_MAX_CHARS);
  trace.add(
    'tool_call_result',
    rootId,
    { startMs: window.endMs, endMs: window.endMs },
    {
      'tool.name': str(turn.name),
      'tool.call_id': str(turn.callId),
      'tool.result': str(result.text),
      ...(result.truncated ? { 'tool.result_truncated': bool(true) } : {}),
    },
    turn.error === undefined ? OK : errorStatus(turn.error, `tool ${turn.name} failed`),
  );
}

/**
 * Builds the Coval span tree of one finished call (docs/agent-tracing.md): one trace, a
 * `conversation` root and its children in log order. Pure; throws
 * AGENT_ERR_TRACING_CALL_LOG_INVALID when a time is not a finite epoch millisecond.
 */
export function buildCallSpans(log: CallLog, ids: IdGenerator): SpanRecord[] {
  validate(log);
  const trace = new TraceBuilder(ids);
  const root: Window = { startMs: log.startedAtMs, endMs: Math.max(log.startedAtMs, log.endedAtMs) };
  const rootId = trace.add('conversation', undefined, root, {
    'call.sid': str(log.callSid),
    'call.duration_seconds': dbl((root.endMs - root.startMs) / 1000),
  });
  const sttStarts = sttWindowStarts(log);
  log.events.forEach((event, index) => {
    if (event.kind === 'user') addUserTurn(trace, rootId, root, event, sttStarts.get(index) ?? log.startedAtMs);
    else if (event.kind === 'assistant') addAssistantTurn(trace, rootId, root, event);
    else addToolTurn(trace, rootId, root, event);
  });
  return trace.spans;
}
