import { type Clock, sleep } from '../core/clock.ts';
import type { AgentExit } from './agent-handle.ts';

/** Inputs of {@link waitUntilReady}. */
export interface ReadyWaitOptions {
  /** The URL to GET (the agent's health path). */
  readonly url: string;
  readonly fetch: typeof globalThis.fetch;
  readonly clock: Clock;
  readonly timeoutMs: number;
  /** Resolves if the process dies first: the wait stops at once. */
  readonly exited: Promise<AgentExit>;
}

/** Whether the agent came up. */
export type ReadyResult =
  | { readonly ok: true; readonly status: number; readonly waitedMs: number }
  | { readonly ok: false; readonly reason: string; readonly exit?: AgentExit };

const FIRST_RETRY_MS = 20;
const MAX_RETRY_MS = 250;

/**
 * Waits until the agent answers `GET url` with any status below 500. A starting process gives no
 * event to await, so this is the one bounded retry loop in the runner: backoff from 20 ms to 250 ms
 * on the clock, each attempt itself bounded, stopping at once when the process exits.
 */
export async function waitUntilReady(options: ReadyWaitOptions): Promise<ReadyResult> {
  const { clock, timeoutMs } = options;
  const started = clock.now();
  let exit: AgentExit | undefined;
  void options.exited.then((e) => (exit = e));
  let delay = FIRST_RETRY_MS;
  let last = 'no attempt made';
  for (;;) {
    const left = timeoutMs - (clock.now() - started);
    if (exit !== undefined) return { ok: false, reason: `the agent exited (code ${exit.code}, signal ${exit.signal}) before it answered ${options.url}`, exit };
    if (left <= 0) return { ok: false, reason: `no answer below 500 from GET ${options.url} within ${timeoutMs} ms (last: ${last})` };
    const controller = new AbortController();
    const timer = clock.setTimer(Math.min(left, 2_000), () => controller.abort());
    try {
      const response = await Promise.race([options.fetch(options.url, { signal: controller.signal }), options.exited.then(() => undefined)]);
      if (response !== undefined) {
        await response.body?.cancel();
        if (response.status < 500) return { ok: true, status: response.status, waitedMs: clock.now() - started };
        last = `HTTP ${response.status}`;
      }
    } catch (error) {
      last = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
    } finally {
      timer.cancel();
    }
    if (exit !== undefined) continue;
    await Promise.race([sleep(clock, Math.min(delay, Math.max(0, timeoutMs - (clock.now() - started)))), options.exited]);
    delay = Math.min(delay * 2, MAX_RETRY_MS);
  }
}
