import { sleep } from '../platform/clock.ts';
import type { Clock } from '../platform/clock.ts';
import type { Random } from '../platform/random.ts';
import type { ExportRequest, ExportResult, TraceTransport } from './export-result.ts';

/** Backoff settings; the defaults match the OTel JS exporter (otlp-coval.md §1.2, §6). */
export interface RetryPolicy {
  /** Wait before the first retry, before jitter. */
  readonly initialBackoffMs: number;
  /** Each further retry waits this many times longer. */
  readonly multiplier: number;
  /** No computed wait (jitter included) is longer than this. */
  readonly maxBackoffMs: number;
  /** A computed wait is scaled by a uniform factor in [1 - jitter, 1 + jitter). */
  readonly jitter: number;
  /** Retries after the first attempt. */
  readonly maxRetries: number;
}

/** 1000 ms × 1.5 per retry, capped at 5000 ms, ±20 % jitter, at most 5 retries. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  initialBackoffMs: 1000,
  multiplier: 1.5,
  maxBackoffMs: 5000,
  jitter: 0.2,
  maxRetries: 5,
});

/** What the retry loop did, for logging: one event per attempt, per scheduled retry, and on giving up. */
export type RetryEvent =
  | { readonly type: 'attempt'; readonly attempt: number; readonly result: ExportResult }
  | { readonly type: 'retry-scheduled'; readonly attempt: number; readonly delayMs: number; readonly source: 'retry-after' | 'backoff' }
  | { readonly type: 'gave-up'; readonly attempts: number; readonly reason: GiveUpReason; readonly nextDelayMs?: number };

/** Why a retryable export stopped being retried. */
export type GiveUpReason = 'max-retries' | 'deadline' | 'aborted';

/** Settings for {@link sendWithRetry}. */
export interface RetryOptions {
  readonly clock: Clock;
  readonly random: Random;
  /** Total budget from the first attempt, in clock milliseconds: no attempt or wait runs past it. */
  readonly deadlineMs: number;
  readonly policy?: RetryPolicy;
  readonly onEvent?: (event: RetryEvent) => void;
}

/** The final result of a retried export and how it got there. */
export interface RetriedResult {
  readonly result: ExportResult;
  readonly attempts: number;
  /** Set when the last result was retryable but no retry followed. */
  readonly gaveUp?: GiveUpReason;
}

/** The jittered, capped backoff before retry number `retryIndex` (0 = first retry). */
export function backoffDelayMs(retryIndex: number, random: Random, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number {
  const base = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * policy.multiplier ** retryIndex);
  const factor = 1 + policy.jitter * (2 * random.next() - 1);
  return Math.min(policy.maxBackoffMs, Math.max(0, Math.round(base * factor)));
}

/**
 * Sends through `inner`, retrying only `retryable` results: waits Retry-After when the server gave
 * one, else the jittered backoff, on the injected clock; stops after `maxRetries` retries or when
 * the next wait would reach the deadline. Never retries `success` or `failure`; never rejects.
 */
export async function sendWithRetry(inner: TraceTransport, request: ExportRequest, options: RetryOptions): Promise<RetriedResult> {
  const { clock, random, onEvent } = options;
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const deadline = clock.now() + options.deadlineMs;
  const attempt = async (n: number): Promise<ExportResult> => {
    const result = await inner.send({ ...request, timeoutMs: Math.min(request.timeoutMs, deadline - clock.now()) });
    onEvent?.({ type: 'attempt', attempt: n, result });
    return result;
  };
  const giveUp = (result: ExportResult, attempts: number, reason: GiveUpReason, nextDelayMs?: number): RetriedResult => {
    onEvent?.({ type: 'gave-up', attempts, reason, ...(nextDelayMs === undefined ? {} : { nextDelayMs }) });
    return { result, attempts, gaveUp: reason };
  };

  let attempts = 1;
  let result = await attempt(attempts);
  while (result.status === 'retryable') {
    if (request.signal?.aborted) return giveUp(result, attempts, 'aborted');
    if (attempts > policy.maxRetries) return giveUp(result, attempts, 'max-retries');
    const fromServer = result.retryInMs !== undefined;
    const delayMs = result.retryInMs ?? backoffDelayMs(attempts - 1, random, policy);
    // The retry itself needs time after the wait, so a wait that reaches the deadline is pointless.
    if (delayMs >= deadline - clock.now()) return giveUp(result, attempts, 'deadline', delayMs);
    onEvent?.({ type: 'retry-scheduled', attempt: attempts + 1, delayMs, source: fromServer ? 'retry-after' : 'backoff' });
    try {
      await sleep(clock, delayMs, request.signal);
    } catch {
      return giveUp(result, attempts, 'aborted');
    }
    attempts++;
    result = await attempt(attempts);
  }
  return { result, attempts };
}

/** Decorates a {@link TraceTransport} with {@link sendWithRetry}; the last result is returned as is. */
export function createRetryingTransport(inner: TraceTransport, options: RetryOptions): TraceTransport {
  return { send: async (request) => (await sendWithRetry(inner, request, options)).result };
}
