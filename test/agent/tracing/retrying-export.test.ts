import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../agent/platform/manual-clock.ts';
import type { ExportRequest, ExportResult, TraceTransport } from '../../../agent/tracing/export-result.ts';
import { backoffDelayMs, createRetryingTransport, DEFAULT_RETRY_POLICY, sendWithRetry } from '../../../agent/tracing/retrying-export.ts';
import type { RetryEvent } from '../../../agent/tracing/retrying-export.ts';
import { fcOptions } from '../../support/fc-config.ts';
import { scriptedRandom } from '../../support/tracing-fakes.ts';

const RETRYABLE: ExportResult = { status: 'retryable', error: 'HTTP 503', httpStatus: 503 };
const REQUEST: ExportRequest = { body: '{}', simulationOutputId: 'sim-1', timeoutMs: 30_000 };

/** A transport answering from `results` (repeating the last), recording when and with what timeout it was called. */
function scriptedTransport(clock: ManualClock, results: ExportResult[]) {
  const attempts: { at: number; timeoutMs: number }[] = [];
  const transport: TraceTransport = {
    send: async (request) => {
      attempts.push({ at: clock.now(), timeoutMs: request.timeoutMs });
      return results[Math.min(attempts.length - 1, results.length - 1)]!;
    },
  };
  return { transport, attempts };
}

async function run(results: ExportResult[], options: { deadlineMs?: number; random?: number[]; signal?: AbortSignal } = {}) {
  const clock = new ManualClock();
  const { transport, attempts } = scriptedTransport(clock, results);
  const events: RetryEvent[] = [];
  const pending = sendWithRetry(transport, { ...REQUEST, ...(options.signal ? { signal: options.signal } : {}) }, {
    clock,
    random: scriptedRandom(options.random ?? [], 0.5),
    deadlineMs: options.deadlineMs ?? 120_000,
    onEvent: (e) => events.push(e),
  });
  await clock.runAllAsync();
  return { outcome: await pending, attempts, events, clock };
}

describe('backoffDelayMs', () => {
  it('grows 1000 ms by 1.5 per retry without jitter at the midpoint', () => {
    const delays = [0, 1, 2, 3].map((i) => backoffDelayMs(i, scriptedRandom([], 0.5)));
    expect(delays).toEqual([1000, 1500, 2250, 3375]);
  });

  it('stays within ±20 % of the base and never above the 5000 ms cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (index, r) => {
        const base = Math.min(5000, 1000 * 1.5 ** index);
        const delay = backoffDelayMs(index, scriptedRandom([r]));
        expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
        expect(delay).toBeLessThanOrEqual(Math.min(5000, Math.ceil(base * 1.2)));
      }),
      fcOptions({ numRuns: 200 }, 'backoff jitter'),
    );
  });

  it('reaches both jitter extremes', () => {
    expect(backoffDelayMs(0, scriptedRandom([0]))).toBe(800);
    expect(backoffDelayMs(0, scriptedRandom([0.999999]))).toBe(1200);
    expect(backoffDelayMs(4, scriptedRandom([0]))).toBe(4000);
    expect(backoffDelayMs(4, scriptedRandom([0.999999]))).toBe(5000);
  });
});

describe('sendWithRetry', () => {
  it('sends once and does not wait on success', async () => {
    const { outcome, attempts } = await run([{ status: 'success' }]);
    expect(outcome).toEqual({ result: { status: 'success' }, attempts: 1 });
    expect(attempts.map((a) => a.at)).toEqual([0]);
  });

  it('never retries a failure', async () => {
    const failure: ExportResult = { status: 'failure', error: 'HTTP 400', httpStatus: 400 };
    const { outcome, attempts } = await run([failure, { status: 'success' }]);
    expect(outcome).toEqual({ result: failure, attempts: 1 });
    expect(attempts).toHaveLength(1);
  });

  it('retries retryable results on the jittered backoff until success', async () => {
    const { outcome, attempts, events } = await run([RETRYABLE, RETRYABLE, { status: 'success' }], { random: [0, 0.999999] });
    expect(outcome).toEqual({ result: { status: 'success' }, attempts: 3 });
    expect(attempts.map((a) => a.at)).toEqual([0, 800, 800 + 1800]);
    expect(events.filter((e) => e.type === 'retry-scheduled')).toEqual([
      { type: 'retry-scheduled', attempt: 2, delayMs: 800, source: 'backoff' },
      { type: 'retry-scheduled', attempt: 3, delayMs: 1800, source: 'backoff' },
    ]);
    expect(events.filter((e) => e.type === 'attempt')).toHaveLength(3);
  });

  it('stops after 5 retries', async () => {
    const { outcome, attempts, events } = await run([RETRYABLE]);
    expect(outcome).toEqual({ result: RETRYABLE, attempts: 6, gaveUp: 'max-retries' });
    expect(attempts.map((a) => a.at)).toEqual([0, 1000, 2500, 4750, 8125, 13125]);
    expect(events.at(-1)).toEqual({ type: 'gave-up', attempts: 6, reason: 'max-retries' });
  });

  it('waits exactly the Retry-After instead of the backoff, even beyond the cap', async () => {
    const { attempts, events } = await run([{ ...RETRYABLE, retryInMs: 7_000 }, { ...RETRYABLE, retryInMs: 0 }, { status: 'success' }], { random: [0] });
    expect(attempts.map((a) => a.at)).toEqual([0, 7_000, 7_000]);
    expect(events.filter((e) => e.type === 'retry-scheduled').map((e) => e.type === 'retry-scheduled' && e.source)).toEqual(['retry-after', 'retry-after']);
  });

  it('gives up rather than wait to or past the deadline', async () => {
    const { outcome, attempts, events } = await run([{ ...RETRYABLE, retryInMs: 10_000 }], { deadlineMs: 10_000 });
    expect(outcome).toEqual({ result: { ...RETRYABLE, retryInMs: 10_000 }, attempts: 1, gaveUp: 'deadline' });
    expect(attempts).toHaveLength(1);
    expect(events.at(-1)).toEqual({ type: 'gave-up', attempts: 1, reason: 'deadline', nextDelayMs: 10_000 });
  });

  it('shortens attempts to the time left before the deadline and stops when backoff would cross it', async () => {
    const { outcome, attempts } = await run([RETRYABLE], { deadlineMs: 3_000 });
    // Attempts at 0 and 1000; the next backoff (1500) would end at 2500 < 3000, the one after would not.
    expect(attempts).toEqual([
      { at: 0, timeoutMs: 3_000 },
      { at: 1_000, timeoutMs: 2_000 },
      { at: 2_500, timeoutMs: 500 },
    ]);
    expect(outcome.gaveUp).toBe('deadline');
  });

  it('stops waiting when aborted', async () => {
    const clock = new ManualClock();
    const { transport, attempts } = scriptedTransport(clock, [RETRYABLE]);
    const controller = new AbortController();
    const pending = sendWithRetry(transport, { ...REQUEST, signal: controller.signal }, { clock, random: scriptedRandom([]), deadlineMs: 60_000 });
    await clock.advanceAsync(500);
    controller.abort();
    await expect(pending).resolves.toEqual({ result: RETRYABLE, attempts: 1, gaveUp: 'aborted' });
    expect(attempts).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('is also usable as a transport decorator', async () => {
    const clock = new ManualClock();
    const { transport, attempts } = scriptedTransport(clock, [RETRYABLE, { status: 'success' }]);
    const retrying = createRetryingTransport(transport, { clock, random: scriptedRandom([]), deadlineMs: 60_000, policy: DEFAULT_RETRY_POLICY });
    const pending = retrying.send(REQUEST);
    await clock.runAllAsync();
    await expect(pending).resolves.toEqual({ status: 'success' });
    expect(attempts).toHaveLength(2);
  });
});
