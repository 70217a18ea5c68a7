import { describe, expect, it } from 'vitest';
import { buildCallSpans } from '../../../agent/tracing/span-builder.ts';
import type { SpanRecord } from '../../../agent/tracing/span-record.ts';
import { SYNTHETIC_STT_TTFB_SECONDS, TOOL_RESULT_MAX_CHARS } from '../../../agent/tracing/trace-constants.ts';
import type { AssistantTurn, CallLog, ToolTurn } from '../../../agent/session/call-log.ts';
import { countingIds, sampleCallLog, T0 } from '../../support/tracing-fakes.ts';

function byName(spans: readonly SpanRecord[], name: string): SpanRecord[] {
  return spans.filter((s) => s.name === name);
}

function only(spans: readonly SpanRecord[], name: string): SpanRecord {
  const found = byName(spans, name);
  expect(found, `exactly one ${name} span`).toHaveLength(1);
  return found[0]!;
}

function attr(span: SpanRecord, key: string): unknown {
  return span.attributes[key]?.value;
}

function assistant(overrides: Partial<AssistantTurn>): AssistantTurn {
  return { kind: 'assistant', requestedAtMs: T0 + 1_000, endedAtMs: T0 + 2_000, text: '', interrupted: false, ...overrides };
}

function tool(overrides: Partial<ToolTurn>): ToolTurn {
  return { kind: 'tool', callId: 'c1', name: 'lookup', arguments: '{}', startedAtMs: T0 + 1_000, endedAtMs: T0 + 1_200, result: '{}', ...overrides };
}

function call(events: CallLog['events'], overrides: Partial<CallLog> = {}): CallLog {
  return { callSid: 'CA1', startedAtMs: T0, endedAtMs: T0 + 10_000, events, ...overrides };
}

describe('buildCallSpans', () => {
  it('builds one trace with a conversation root and every child parented to it', () => {
    const spans = buildCallSpans(sampleCallLog(), countingIds());
    const root = spans[0]!;
    expect(root.name).toBe('conversation');
    expect(root.parentSpanId).toBeUndefined();
    expect(spans.map((s) => s.name)).toEqual(['conversation', 'stt', 'stt.provider.twilio', 'llm', 'tool_call', 'tool_call_result', 'llm', 'tts']);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    const stt = only(spans, 'stt');
    for (const span of spans.slice(1)) {
      expect(span.parentSpanId).toBe(span.name === 'stt.provider.twilio' ? stt.spanId : root.spanId);
      expect(span.status).toEqual({ code: 1 });
    }
  });

  it('gives the root the call sid and its duration in seconds as a double', () => {
    const root = buildCallSpans(sampleCallLog({ endedAtMs: T0 + 42_500 }), countingIds())[0]!;
    expect(root.attributes['call.sid']).toEqual({ type: 'string', value: 'CA0001' });
    expect(root.attributes['call.duration_seconds']).toEqual({ type: 'double', value: 42.5 });
    expect([root.startMs, root.endMs]).toEqual([T0, T0 + 42_500]);
  });

  it('puts the transcript and the documented synthetic constants on stt and its provider child', () => {
    const spans = buildCallSpans(sampleCallLog(), countingIds());
    const stt = only(spans, 'stt');
    const provider = only(spans, 'stt.provider.twilio');
    expect(attr(stt, 'stt.transcription')).toBe('What is the weather?');
    expect(attr(stt, 'stt.language')).toBe('en-US');
    for (const span of [stt, provider]) {
      expect(span.attributes['stt.confidence']).toEqual({ type: 'double', value: 0.95 });
      expect(span.attributes['metrics.ttfb']).toEqual({ type: 'double', value: SYNTHETIC_STT_TTFB_SECONDS });
      expect(attr(span, 'synthetic.attributes')).toBe('metrics.ttfb,stt.confidence');
    }
    expect(attr(provider, 'stt.providerName')).toBe('twilio');
    expect([provider.startMs, provider.endMs]).toEqual([stt.startMs, stt.endMs]);
  });

  it('opens the first stt window at call start and later ones at the previous activity', () => {
    const log = call([
      { kind: 'user', source: 'speech', text: 'one', receivedAtMs: T0 + 1_000 },
      assistant({ requestedAtMs: T0 + 1_000, firstTokenSentAtMs: T0 + 1_400, endedAtMs: T0 + 3_000 }),
      { kind: 'user', source: 'speech', text: 'two', receivedAtMs: T0 + 5_000 },
    ]);
    const [first, second] = byName(buildCallSpans(log, countingIds()), 'stt');
    expect([first!.startMs, first!.endMs]).toEqual([T0, T0 + 1_000]);
    expect([second!.startMs, second!.endMs]).toEqual([T0 + 3_000, T0 + 5_000]);
  });

  it('ends a barge-in stt window at the cut turn even when that turn is logged after the prompt', () => {
    const log = call([
      { kind: 'user', source: 'speech', text: 'one', receivedAtMs: T0 + 1_000 },
      { kind: 'user', source: 'speech', text: 'stop', receivedAtMs: T0 + 2_600 },
      assistant({ requestedAtMs: T0 + 1_000, firstTokenSentAtMs: T0 + 1_300, endedAtMs: T0 + 2_500, interrupted: true }),
    ]);
    const second = byName(buildCallSpans(log, countingIds()), 'stt')[1]!;
    expect([second.startMs, second.endMs]).toEqual([T0 + 2_500, T0 + 2_600]);
  });

  it('emits a dtmf span instead of stt for a key press', () => {
    const spans = buildCallSpans(call([{ kind: 'user', source: 'dtmf', text: 'The caller pressed 5', receivedAtMs: T0 + 4_000 }]), countingIds());
    expect(byName(spans, 'stt')).toHaveLength(0);
    const dtmf = only(spans, 'dtmf');
    expect(attr(dtmf, 'dtmf.text')).toBe('The caller pressed 5');
    expect([dtmf.startMs, dtmf.endMs]).toEqual([T0 + 4_000, T0 + 4_000]);
  });

  it('measures llm ttfb from request to first token sent, and adds finish reason and usage', () => {
    const llm = byName(buildCallSpans(sampleCallLog(), countingIds()), 'llm')[1]!;
    expect(llm.attributes['metrics.ttfb']).toEqual({ type: 'double', value: (T0 + 3_150 - (T0 + 2_700)) / 1000 });
    expect(attr(llm, 'llm.finish_reason')).toBe('stop');
    expect(llm.attributes['gen_ai.usage.input_tokens']).toEqual({ type: 'int', value: 120 });
    expect(llm.attributes['gen_ai.usage.output_tokens']).toEqual({ type: 'int', value: 8 });
    expect([llm.startMs, llm.endMs]).toEqual([T0 + 2_700, T0 + 4_000]);
    expect(llm.attributes['synthetic.attributes']).toBeUndefined();
  });

  it('uses the first delta for the ttfb of a tool-call-only turn and emits no tts for it', () => {
    const spans = buildCallSpans(sampleCallLog(), countingIds());
    const toolTurn = byName(spans, 'llm')[0]!;
    expect(attr(toolTurn, 'metrics.ttfb')).toBe(0.3);
    expect(byName(spans, 'tts')).toHaveLength(1);
  });

  it('omits ttfb when nothing streamed and never reports a negative one', () => {
    const spans = buildCallSpans(
      call([assistant({ error: 'boom' }), assistant({ requestedAtMs: T0 + 3_000, firstTokenSentAtMs: T0 + 2_900, endedAtMs: T0 + 3_500 })]),
      countingIds(),
    );
    const [silent, early] = byName(spans, 'llm');
    expect(silent!.attributes['metrics.ttfb']).toBeUndefined();
    expect(attr(early!, 'metrics.ttfb')).toBe(0);
  });

  it('marks a failed llm turn ERROR with its message, with a fallback for an empty one', () => {
    const spans = buildCallSpans(call([assistant({ error: 'upstream 500' }), assistant({ error: '' })]), countingIds());
    const [failed, blank] = byName(spans, 'llm');
    expect(failed!.status).toEqual({ code: 2, message: 'upstream 500' });
    expect(blank!.status.code).toBe(2);
    expect(blank!.status.message).not.toBe('');
  });

  it('flags interrupted llm turns', () => {
    const llm = only(buildCallSpans(call([assistant({ interrupted: true })]), countingIds()), 'llm');
    expect(llm.attributes['llm.interrupted']).toEqual({ type: 'bool', value: true });
  });

  it('spans tts from the first token sent to the end of the turn with the synthetic 0.1 ttfb', () => {
    const tts = only(buildCallSpans(sampleCallLog(), countingIds()), 'tts');
    expect([tts.startMs, tts.endMs]).toEqual([T0 + 3_150, T0 + 4_000]);
    expect(tts.attributes['metrics.ttfb']).toEqual({ type: 'double', value: 0.1 });
    expect(attr(tts, 'synthetic.attributes')).toBe('metrics.ttfb');
  });

  it('never lets tts end before it starts, unlike Coval example output', () => {
    const tts = only(buildCallSpans(call([assistant({ firstTokenSentAtMs: T0 + 2_500, endedAtMs: T0 + 2_000 })]), countingIds()), 'tts');
    expect(tts.endMs).toBeGreaterThanOrEqual(tts.startMs);
  });

  it('records tool calls and results with the call window, latency and OK status', () => {
    const spans = buildCallSpans(sampleCallLog(), countingIds());
    const callSpan = only(spans, 'tool_call');
    const result = only(spans, 'tool_call_result');
    expect(callSpan.attributes).toMatchObject({
      'tool.name': { value: 'get_weather' },
      'tool.call_id': { value: 'call_1' },
      'tool.arguments': { value: '{"city":"Paris"}' },
      'tool.latency_ms': { type: 'double', value: 200 },
      'tool.error': { type: 'int', value: 0 },
    });
    expect([callSpan.startMs, callSpan.endMs]).toEqual([T0 + 2_500, T0 + 2_700]);
    expect(result.attributes).toMatchObject({ 'tool.name': { value: 'get_weather' }, 'tool.call_id': { value: 'call_1' }, 'tool.result': { value: '{"temp":21}' } });
    expect([result.startMs, result.endMs]).toEqual([T0 + 2_700, T0 + 2_700]);
    expect(result.status).toEqual({ code: 1 });
  });

  it('marks a failed tool result ERROR with the failure message', () => {
    const spans = buildCallSpans(call([tool({ error: 'timeout talking to CRM', result: '{"error":"timeout"}' })]), countingIds());
    expect(only(spans, 'tool_call_result').status).toEqual({ code: 2, message: 'timeout talking to CRM' });
    expect(attr(only(spans, 'tool_call'), 'tool.error')).toBe(1);
    expect(only(spans, 'tool_call').status).toEqual({ code: 1 });
  });

  it('truncates tool results to 500 code points without splitting a surrogate pair, and says so', () => {
    const long = `${'a'.repeat(TOOL_RESULT_MAX_CHARS - 1)}😀😀tail`;
    const result = only(buildCallSpans(call([tool({ result: long })]), countingIds()), 'tool_call_result');
    const text = attr(result, 'tool.result') as string;
    expect(Array.from(text)).toHaveLength(TOOL_RESULT_MAX_CHARS);
    expect(text.endsWith('😀')).toBe(true);
    expect(attr(result, 'tool.result_truncated')).toBe(true);
    const short = only(buildCallSpans(call([tool({ result: 'x'.repeat(TOOL_RESULT_MAX_CHARS) })]), countingIds()), 'tool_call_result');
    expect(short.attributes['tool.result_truncated']).toBeUndefined();
  });

  it('clamps children into the root and never lets a span end before it starts', () => {
    const log = call(
      [
        { kind: 'user', source: 'speech', text: 'early', receivedAtMs: T0 - 500 },
        assistant({ requestedAtMs: T0 - 100, firstTokenSentAtMs: T0 + 900, endedAtMs: T0 + 20_000 }),
        tool({ startedAtMs: T0 + 3_000, endedAtMs: T0 + 2_000 }),
      ],
      { endedAtMs: T0 + 5_000 },
    );
    const spans = buildCallSpans(log, countingIds());
    for (const span of spans) {
      expect(span.startMs).toBeGreaterThanOrEqual(T0);
      expect(span.endMs).toBeLessThanOrEqual(T0 + 5_000);
      expect(span.endMs).toBeGreaterThanOrEqual(span.startMs);
    }
    expect(only(spans, 'llm').endMs).toBe(T0 + 5_000);
    expect(attr(only(spans, 'llm'), 'metrics.ttfb')).toBe(1);
  });

  it('gives a call that ended before it started a zero-length root', () => {
    const root = buildCallSpans(call([], { endedAtMs: T0 - 1 }), countingIds())[0]!;
    expect([root.startMs, root.endMs]).toEqual([T0, T0]);
    expect(attr(root, 'call.duration_seconds')).toBe(0);
  });

  it('rejects non-finite or negative times with a typed error naming the field', () => {
    expect(() => buildCallSpans(call([assistant({ firstTokenSentAtMs: Number.NaN })]), countingIds())).toThrow(
      expect.objectContaining({ code: 'AGENT_ERR_TRACING_CALL_LOG_INVALID', message: expect.stringContaining('events[0].firstTokenSentAtMs') }),
    );
    expect(() => buildCallSpans(call([], { startedAtMs: -1 }), countingIds())).toThrow(expect.objectContaining({ code: 'AGENT_ERR_TRACING_CALL_LOG_INVALID' }));
    expect(() => buildCallSpans(call([assistant({ usage: { inputTokens: 1.5, outputTokens: 1 } })]), countingIds())).toThrow(
      expect.objectContaining({ code: 'AGENT_ERR_TRACING_CALL_LOG_INVALID' }),
    );
  });

  it('redraws a span id the generator repeats, and fails on a generator stuck on one id', () => {
    const repeats = ['00000000000000aa', '00000000000000aa', '00000000000000bb', '00000000000000bb', '00000000000000cc', '00000000000000dd'];
    const spans = buildCallSpans(call([tool({})]), { traceId: () => 'f'.repeat(32), spanId: () => repeats.shift()! });
    expect(spans.map((s) => s.spanId)).toEqual(['00000000000000aa', '00000000000000bb', '00000000000000cc']);
    expect(() => buildCallSpans(call([tool({})]), { traceId: () => 'f'.repeat(32), spanId: () => '1'.repeat(16) })).toThrow(
      expect.objectContaining({ code: 'AGENT_ERR_TRACING_SPAN_INVALID' }),
    );
  });
});
