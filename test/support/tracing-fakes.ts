import type { FetchLike } from '../../agent/tracing/coval-transport.ts';
import type { IdGenerator } from '../../agent/platform/ids.ts';
import type { Random } from '../../agent/platform/random.ts';
import type { CallLog } from '../../agent/session/call-log.ts';

/** One request seen by {@link createScriptedFetch}. */
export interface RecordedFetch {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly signal: AbortSignal;
}

/** A scripted answer: a response, a thrown error, or a request that never answers. */
export type FetchStep = { readonly status: number; readonly body?: string; readonly headers?: Record<string, string> } | Error | 'hang';

/** A fetch stub that answers from `steps` in order (repeating the last) and records every call. */
export function createScriptedFetch(steps: readonly FetchStep[]): FetchLike & { readonly calls: RecordedFetch[] } {
  const calls: RecordedFetch[] = [];
  const fetch = async (url: string, init: Parameters<FetchLike>[1]): Promise<Response> => {
    calls.push({ url, method: init.method, headers: init.headers, body: init.body, signal: init.signal });
    const step = steps[Math.min(calls.length - 1, steps.length - 1)];
    if (step === undefined) throw new Error('createScriptedFetch needs at least one step');
    if (step === 'hang') return new Promise<Response>(() => {});
    if (step instanceof Error) throw step;
    return new Response(step.body ?? '', { status: step.status, headers: step.headers ?? {} });
  };
  return Object.assign(fetch, { calls });
}

/** A {@link Random} that returns `values` in order, then `fallback` forever. */
export function scriptedRandom(values: readonly number[], fallback = 0.5): Random {
  const queue = [...values];
  return {
    next: () => queue.shift() ?? fallback,
    int: (min, max) => Math.floor(min + (queue.shift() ?? fallback) * (max - min + 1)),
  };
}

/** An {@link IdGenerator} counting up from 1, so ids are readable and distinct. */
export function countingIds(): IdGenerator {
  let n = 0;
  return {
    traceId: () => (++n).toString(16).padStart(32, '0'),
    spanId: () => (++n).toString(16).padStart(16, '0'),
  };
}

/** 2026-01-01T00:00:00Z, the base of every hand-written call log. */
export const T0 = Date.UTC(2026, 0, 1);

/** A small call: greeting-free prompt, a tool round trip, an answer. Times are T0-relative ms. */
export function sampleCallLog(overrides: Partial<CallLog> = {}): CallLog {
  return {
    callSid: 'CA0001',
    simulationOutputId: 'sim-1',
    startedAtMs: T0,
    endedAtMs: T0 + 10_000,
    events: [
      { kind: 'user', source: 'speech', text: 'What is the weather?', receivedAtMs: T0 + 2_000, lang: 'en-US' },
      { kind: 'assistant', requestedAtMs: T0 + 2_000, firstDeltaAtMs: T0 + 2_300, endedAtMs: T0 + 2_500, text: '', finishReason: 'tool_calls', interrupted: false },
      { kind: 'tool', callId: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}', startedAtMs: T0 + 2_500, endedAtMs: T0 + 2_700, result: '{"temp":21}' },
      {
        kind: 'assistant',
        requestedAtMs: T0 + 2_700,
        firstTokenSentAtMs: T0 + 3_150,
        endedAtMs: T0 + 4_000,
        text: 'It is 21 degrees.',
        finishReason: 'stop',
        usage: { inputTokens: 120, outputTokens: 8 },
        interrupted: false,
      },
    ],
    ...overrides,
  };
}
