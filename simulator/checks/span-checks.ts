/**
 * SPAN-*: the Coval span schema (architecture §6; otlp-coval.md §5; the seed's span table), judged
 * against what the kit observed: prompts sent, LLM requests and their timing, tool calls made.
 * Each call's trace is taken wherever it was sent (COR checks judge the correlation).
 */
import type { CallRecord, RunRecord } from '../scenario/run-record.ts';
import type { CheckVerdict, Evidence } from './check-result.ts';
import { endedAt, finalPrompts, setupAt, textFrames, userInputTimes } from './call-view.ts';
import { callLlmRequests, finishReasonSent, historyOf, llmFailed, llmText, llmToolCalls, requestLabel } from './llm-view.ts';
import { CHECK_TOLERANCES, SYNTHETIC_CONSTANTS } from './tolerances.ts';
import { attr, callTrace, numberValue, pairLlmSpans, spanLabel, spanNs, stringValue, type TraceSpan } from './trace-view.ts';
import { evidence, listOf, note, quote, verdictsFor, type CheckEvaluator, type VerdictKit } from './verdicts.ts';

const T = CHECK_TOLERANCES;

/** Tools of the reference agent that always fail (their result span must be ERROR). */
export const ALWAYS_FAILING_TOOLS: ReadonlySet<string> = new Set(['get_lab_results']);

function spanEvidence(call: CallRecord, span: TraceSpan, summary?: string): Evidence {
  return evidence('span', call.index, span.spanId, summary === undefined ? spanLabel(span) : `${spanLabel(span)}: ${summary}`);
}

/** Runs `judge` on every call whose trace is present; the others get the trace's absence verdict. */
function perTrace(checkId: string, judge: (record: RunRecord, call: CallRecord, spans: readonly TraceSpan[], v: VerdictKit) => CheckVerdict): CheckEvaluator {
  return (record) => {
    const v = verdictsFor(checkId);
    return record.calls.map((call) => {
      const trace = callTrace(record, call);
      if (trace.kind === 'absent') return v.of(trace.verdict, call.index, trace.reason);
      return judge(record, call, trace.spans, v);
    });
  };
}

function named(spans: readonly TraceSpan[], ...names: string[]): TraceSpan[] {
  return spans.filter((s) => names.includes(s.name));
}

/** The conversation root(s): spans without a parent. */
function roots(spans: readonly TraceSpan[]): TraceSpan[] {
  return spans.filter((s) => s.parentSpanId === '');
}

const root = perTrace('SPAN-ROOT', (_record, call, spans, v) => {
  const all = roots(spans);
  const conversations = all.filter((s) => s.name === 'conversation');
  const only = conversations[0];
  if (all.length !== 1 || !only) {
    return v.violated(call.index, `expected one root span named conversation; found ${all.length} root(s): ${listOf(all.map((s) => s.name))}`, all.map((s) => spanEvidence(call, s)));
  }
  const reported = numberValue(attr(only, 'call.duration_seconds'));
  if (reported === undefined) return v.violated(call.index, 'the conversation span has no numeric call.duration_seconds', [spanEvidence(call, only)]);
  const start = setupAt(call);
  const end = endedAt(call);
  if (start === undefined || end === undefined) return v.pass(call.index, `one conversation root with call.duration_seconds ${reported} (no observed duration to compare)`, [spanEvidence(call, only)]);
  const observed = (end - start) / 1000;
  const tolerance = Math.max(T.rootDurationMinSeconds, T.rootDurationRatio * observed);
  const summary = `call.duration_seconds ${reported}; observed setup → close ${observed.toFixed(3)} s (tolerance ${tolerance.toFixed(3)} s)`;
  if (Math.abs(reported - observed) > tolerance) return v.violated(call.index, summary, [spanEvidence(call, only, summary)]);
  return v.pass(call.index, `one conversation root; ${summary}`, [spanEvidence(call, only)]);
});

function transcriptOf(span: TraceSpan): string | undefined {
  return stringValue(attr(span, 'stt.transcription', 'transcript'));
}

const sttPerPrompt = perTrace('SPAN-STT-PER-PROMPT', (_record, call, spans, v) => {
  const prompts = finalPrompts(call);
  const scripted = prompts.filter((p) => p.scripted);
  const probes = new Set(prompts.filter((p) => !p.scripted).map((p) => p.text));
  const stts = named(spans, 'stt');
  if (scripted.length === 0 && stts.length === 0) return v.skip(call.index, 'the caller said nothing');
  const left = [...stts];
  const bad: Evidence[] = [];
  for (const p of scripted) {
    const k = left.findIndex((s) => transcriptOf(s) === p.text);
    if (k >= 0) left.splice(k, 1);
    else bad.push(evidence('frame', call.index, p.frame.index, `prompt ${quote(p.text)} (frame #${p.frame.index}) has no stt span with that transcription`));
  }
  for (const s of left) {
    const text = transcriptOf(s);
    if (text !== undefined && probes.has(text)) continue;
    bad.push(spanEvidence(call, s, text === undefined ? 'no stt.transcription' : `transcription ${quote(text)} matches no remaining prompt`));
  }
  if (bad.length > 0) return v.violated(call.index, `${scripted.length} final prompt(s), ${stts.length} stt span(s): ${bad.length} mismatch(es)`, bad);
  return v.pass(call.index, `${scripted.length} final prompt(s), each with one stt span carrying its text`);
});

const sttProvider = perTrace('SPAN-STT-PROVIDER', (_record, call, spans, v) => {
  const stts = named(spans, 'stt');
  if (stts.length === 0) return v.skip(call.index, 'the trace has no stt span');
  const orphans = stts.filter((s) => !spans.some((c) => c.name === 'stt.provider.twilio' && c.parentSpanId === s.spanId && c.traceId === s.traceId));
  if (orphans.length > 0) return v.violated(call.index, `${orphans.length} of ${stts.length} stt span(s) have no stt.provider.twilio child`, orphans.map((s) => spanEvidence(call, s)));
  return v.pass(call.index, `all ${stts.length} stt span(s) have an stt.provider.twilio child`);
});

const llmPerTurn = perTrace('SPAN-LLM-PER-TURN', (record, call, spans, v) => {
  const requests = callLlmRequests(record, call);
  const llms = named(spans, 'llm');
  if (requests.length === 0 && llms.length === 0) return v.skip(call.index, 'the agent made no LLM request');
  const errorSpans = llms.filter((s) => s.status.code === 2).length;
  const failed = requests.filter(llmFailed).length;
  // An agent-side failure turn (e.g. the tool-round limit sentence) is an ERROR llm span with no request.
  const extraAllowed = Math.max(0, errorSpans - failed);
  const extra = llms.length - requests.length;
  const ev = [...requests.map((r) => evidence('llm-request', call.index, r.seq, requestLabel(r))), ...llms.map((s) => spanEvidence(call, s))];
  if (extra < 0 || extra > extraAllowed) return v.violated(call.index, `${requests.length} LLM completion(s) but ${llms.length} llm span(s)`, ev);
  return v.pass(call.index, `${requests.length} LLM completion(s), ${llms.length} llm span(s)${extra > 0 ? ` (${extra} agent-side ERROR turn(s) without a request)` : ''}`);
});

const llmTtfbReal = perTrace('SPAN-LLM-TTFB-REAL', (record, call, spans, v) => {
  const requests = callLlmRequests(record, call);
  const pairs = pairLlmSpans(record, requests, named(spans, 'llm'));
  const inputs = userInputTimes(call);
  const texts = textFrames(call).filter((t) => t.token !== '');
  const bad: Evidence[] = [];
  const good: Evidence[] = [];
  const measured: { ttfb: number; injected: number; span: TraceSpan }[] = [];
  for (const { request, span } of pairs) {
    const ttfb = numberValue(attr(span, 'metrics.ttfb'));
    if (request.firstTokenAtMs === null) continue;
    const injected = (request.firstTokenAtMs - request.receivedAtMs) / 1000;
    if (ttfb === undefined) {
      if (span.status.code !== 2) bad.push(spanEvidence(call, span, `no metrics.ttfb although ${requestLabel(request)} streamed`));
      continue;
    }
    const promptAt = inputs.filter((at) => at <= request.receivedAtMs).at(-1);
    let observed: number | undefined;
    if (promptAt !== undefined) {
      if (llmText(request) !== '') {
        const first = texts.find((t) => t.frame.at >= (request.firstTokenAtMs as number));
        if (first) observed = (first.frame.at - promptAt) / 1000;
      } else {
        const next = requests.find((r) => r.seq > request.seq);
        if (next) observed = (next.receivedAtMs - promptAt) / 1000;
      }
    }
    const lower = injected - T.ttfbSeconds;
    const upper = observed === undefined ? undefined : observed + T.ttfbSeconds;
    const summary = `metrics.ttfb ${ttfb} s; LLM #${request.seq} first token after ${injected.toFixed(3)} s${observed === undefined ? '' : `; prompt → first frame ${observed.toFixed(3)} s`}`;
    measured.push({ ttfb, injected, span });
    if (ttfb < lower || (upper !== undefined && ttfb > upper)) bad.push(spanEvidence(call, span, summary));
    else good.push(spanEvidence(call, span, summary));
  }
  if (measured.length >= 2) {
    const values = new Set(measured.map((m) => m.ttfb));
    const delays = measured.map((m) => m.injected);
    if (values.size === 1 && Math.max(...delays) - Math.min(...delays) > T.ttfbDistinctSeconds) {
      bad.push(note(call.index, `every llm span reports metrics.ttfb ${[...values][0]} s although the LLM's first-token delays ranged ${Math.min(...delays).toFixed(3)}–${Math.max(...delays).toFixed(3)} s: a constant, not a measurement`));
    }
  }
  if (bad.length > 0) return v.violated(call.index, 'llm metrics.ttfb is not the measured time to first token', [...bad, ...good]);
  if (good.length === 0) return v.skip(call.index, 'no llm span pairs with an LLM request that streamed');
  return v.pass(call.index, `${good.length} llm span(s) with a measured metrics.ttfb within the bounds (±${T.ttfbSeconds} s)`, good);
});

const llmFinishReason = perTrace('SPAN-LLM-FINISH-REASON', (record, call, spans, v) => {
  const pairs = pairLlmSpans(record, callLlmRequests(record, call), named(spans, 'llm'));
  const bad: Evidence[] = [];
  let compared = 0;
  for (const { request, span } of pairs) {
    const sent = finishReasonSent(request);
    if (sent === undefined || request.outcome !== 'completed') continue;
    compared++;
    const reported = stringValue(attr(span, 'llm.finish_reason'));
    if (reported !== sent) bad.push(spanEvidence(call, span, `llm.finish_reason ${reported === undefined ? 'absent' : quote(reported)}; LLM #${request.seq} returned ${quote(sent)}`));
  }
  if (bad.length > 0) return v.violated(call.index, `${bad.length} of ${compared} llm span(s) report another finish reason`, bad);
  if (compared === 0) return v.skip(call.index, 'no completed LLM request pairs with an llm span');
  return v.pass(call.index, `${compared} llm span(s) report the finish reason the LLM returned`);
});

const syntheticConstants = perTrace('SPAN-SYNTHETIC-CONSTANTS', (_record, call, spans, v) => {
  const bad: Evidence[] = [];
  let checked = 0;
  for (const s of spans) {
    if (s.name === 'stt' || s.name.startsWith('stt.provider.')) {
      const value = attr(s, 'stt.confidence');
      if (value === undefined) continue;
      checked++;
      if (numberValue(value) !== SYNTHETIC_CONSTANTS.sttConfidence) bad.push(spanEvidence(call, s, `stt.confidence ${JSON.stringify(value)}, not ${SYNTHETIC_CONSTANTS.sttConfidence}`));
    } else if (s.name === 'tts') {
      const value = attr(s, 'metrics.ttfb');
      if (value === undefined) continue;
      checked++;
      if (numberValue(value) !== SYNTHETIC_CONSTANTS.ttsTtfbSeconds) bad.push(spanEvidence(call, s, `metrics.ttfb ${JSON.stringify(value)}, not ${SYNTHETIC_CONSTANTS.ttsTtfbSeconds}`));
    }
  }
  if (bad.length > 0) return v.violated(call.index, `${bad.length} synthetic value(s) differ from the documented constants`, bad);
  if (checked === 0) return v.skip(call.index, 'the trace carries no stt.confidence or tts metrics.ttfb');
  return v.pass(call.index, `${checked} synthetic value(s) equal the documented constants`);
});

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Equal as JSON values when both parse, else equal as strings. */
export function jsonEqual(a: string, b: string): boolean {
  try {
    return canonicalJson(JSON.parse(a)) === canonicalJson(JSON.parse(b));
  } catch {
    return a === b;
  }
}

function resultHasError(span: TraceSpan): boolean {
  const text = stringValue(attr(span, 'tool.result'));
  if (text === undefined) return false;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && 'error' in parsed;
  } catch {
    return false;
  }
}

const toolPairs = perTrace('SPAN-TOOL-PAIRS', (record, call, spans, v) => {
  const requests = callLlmRequests(record, call);
  const callSpans = named(spans, 'tool_call', 'llm_tool_call');
  const resultSpans = named(spans, 'tool_call_result');
  const idOf = (s: TraceSpan) => stringValue(attr(s, 'tool.call_id', 'tool_call_id'));
  const nameOf = (s: TraceSpan) => stringValue(attr(s, 'tool.name', 'function.name'));
  const made = requests.flatMap((r) => llmToolCalls(r).map((t) => ({ ...t, request: r })));
  if (made.length === 0 && callSpans.length === 0 && resultSpans.length === 0) return v.skip(call.index, 'the LLM called no tools');
  const answered = new Set(requests.flatMap((r) => historyOf(r).flatMap((m) => (m.toolCallId === undefined ? [] : [m.toolCallId]))));
  const bad: Evidence[] = [];
  let matched = 0;
  let notRun = 0;
  for (const t of made) {
    const cs = callSpans.find((s) => idOf(s) === t.id);
    const rs = resultSpans.find((s) => idOf(s) === t.id);
    // A call the agent never ran (e.g. past its tool-round limit) leaves neither a span nor a result message.
    if (!cs && !rs && !answered.has(t.id)) {
      notRun++;
      continue;
    }
    const label = `tool call ${t.name} ${t.id} from LLM #${t.request.seq}`;
    if (!cs) bad.push(evidence('llm-request', call.index, t.request.seq, `${label}: no tool_call span`));
    else {
      if (nameOf(cs) !== t.name) bad.push(spanEvidence(call, cs, `tool name ${quote(nameOf(cs) ?? '')}, the LLM called ${t.name}`));
      const args = stringValue(attr(cs, 'tool.arguments', 'function.arguments'));
      if (args === undefined || !jsonEqual(args, t.arguments)) bad.push(spanEvidence(call, cs, `arguments ${quote(args ?? '(none)')}, the LLM sent ${quote(t.arguments)}`));
    }
    if (!rs) bad.push(evidence('llm-request', call.index, t.request.seq, `${label}: no tool_call_result span`));
    else if (nameOf(rs) !== t.name) bad.push(spanEvidence(call, rs, `tool name ${quote(nameOf(rs) ?? '')}, the LLM called ${t.name}`));
    if (cs && rs) matched++;
  }
  const madeIds = new Set(made.map((t) => t.id));
  for (const s of [...callSpans, ...resultSpans]) {
    const id = idOf(s);
    if (id === undefined || !madeIds.has(id)) bad.push(spanEvidence(call, s, `call id ${quote(id ?? '(none)')} is not a tool call the LLM made`));
  }
  for (const s of resultSpans) {
    const failed = resultHasError(s) || ALWAYS_FAILING_TOOLS.has(nameOf(s) ?? '');
    if (failed && s.status.code !== 2) bad.push(spanEvidence(call, s, 'the tool failed but the span status is not ERROR'));
  }
  if (bad.length > 0) return v.violated(call.index, `${bad.length} tool span problem(s)`, bad);
  return v.pass(call.index, `${matched} tool call(s) with matching tool_call and tool_call_result spans${notRun > 0 ? ` (${notRun} not run by the agent)` : ''}`);
});

const childrenInRoot = perTrace('SPAN-CHILDREN-IN-ROOT', (_record, call, spans, v) => {
  const all = roots(spans);
  const top = all[0];
  if (all.length !== 1 || !top) return v.skip(call.index, `there is not exactly one root (SPAN-ROOT judges it)`);
  const window = spanNs(top);
  const slack = BigInt(T.childInRootMs) * 1_000_000n;
  const outside = spans.filter((s) => {
    if (s === top || s.traceId !== top.traceId) return false;
    const { start, end } = spanNs(s);
    return start < window.start - slack || end > window.end + slack;
  });
  if (outside.length > 0) {
    return v.violated(
      call.index,
      `${outside.length} span(s) lie outside the root by more than ${T.childInRootMs} ms`,
      outside.map((s) => {
        const { start, end } = spanNs(s);
        const before = Number(window.start - start) / 1e6;
        const after = Number(end - window.end) / 1e6;
        return spanEvidence(call, s, before > 0 ? `starts ${before.toFixed(1)} ms before the root` : `ends ${after.toFixed(1)} ms after the root`);
      }),
    );
  }
  return v.pass(call.index, `${spans.length - 1} child span(s) lie within the root`);
});

/** The SPAN evaluators by check id. */
export const SPAN_CHECKS: Readonly<Record<string, CheckEvaluator>> = {
  'SPAN-ROOT': root,
  'SPAN-STT-PER-PROMPT': sttPerPrompt,
  'SPAN-STT-PROVIDER': sttProvider,
  'SPAN-LLM-PER-TURN': llmPerTurn,
  'SPAN-LLM-TTFB-REAL': llmTtfbReal,
  'SPAN-LLM-FINISH-REASON': llmFinishReason,
  'SPAN-SYNTHETIC-CONSTANTS': syntheticConstants,
  'SPAN-TOOL-PAIRS': toolPairs,
  'SPAN-CHILDREN-IN-ROOT': childrenInRoot,
};
