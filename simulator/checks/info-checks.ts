/**
 * INFO-*: informational. Which of Coval's built-in trace metrics (otlp-coval.md §4.4) the call's
 * spans can feed, accepting Coval's aliases. Never violated: it tells, it does not judge.
 */
import type { SpanRow } from '../scenario/run-record.ts';
import { attr, callTrace, numberValue, stringValue } from './trace-view.ts';
import { listOf, verdictsFor, type CheckEvaluator } from './verdicts.ts';

/** One Coval metric and what a span needs to feed it. */
export interface CovalMetricNeed {
  readonly metric: string;
  readonly feeds: (span: SpanRow) => boolean;
}

const ttfb = (name: string) => (s: SpanRow) => s.name === name && numberValue(attr(s, 'metrics.ttfb')) !== undefined;

/** Coval's built-in trace metrics (custom trace metrics excluded: they can use anything). */
export const COVAL_METRICS: readonly CovalMetricNeed[] = [
  { metric: 'LLM TTFB', feeds: ttfb('llm') },
  { metric: 'STT TTFB', feeds: ttfb('stt') },
  { metric: 'TTS TTFB', feeds: ttfb('tts') },
  {
    metric: 'LLM token usage',
    feeds: (s) => s.name === 'llm' && numberValue(attr(s, 'gen_ai.usage.input_tokens')) !== undefined && numberValue(attr(s, 'gen_ai.usage.output_tokens')) !== undefined,
  },
  { metric: 'STT WER', feeds: (s) => s.name === 'stt' && (stringValue(attr(s, 'transcript', 'stt.transcription')) ?? '') !== '' },
  { metric: 'Tool call count', feeds: (s) => (s.name === 'llm_tool_call' || s.name === 'tool_call') && (stringValue(attr(s, 'function.name', 'tool.name')) ?? '') !== '' },
];

const covalMetrics: CheckEvaluator = (record) => {
  const v = verdictsFor('INFO-COVAL-METRICS');
  return record.calls.map((call) => {
    const trace = callTrace(record, call);
    if (trace.kind === 'absent') return v.of(trace.verdict, call.index, trace.reason);
    const fed = COVAL_METRICS.filter((m) => trace.spans.some(m.feeds)).map((m) => m.metric);
    const notFed = COVAL_METRICS.filter((m) => !fed.includes(m.metric)).map((m) => m.metric);
    return v.pass(call.index, `feeds: ${listOf(fed, 10)}; not fed: ${listOf(notFed, 10)}`);
  });
};

/** The INFO evaluators by check id. */
export const INFO_CHECKS: Readonly<Record<string, CheckEvaluator>> = {
  'INFO-COVAL-METRICS': covalMetrics,
};
