import { RETRYABLE_STATUSES } from '../checks/tolerances.ts';
import { awakeSleep } from '../core/awake-sleep.ts';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { IngestAttempt, StoredBatch, TraceStore } from '../coval/trace-store.ts';

/**
 * How long the runner keeps waiting after fake Coval answered a call's export with a
 * non-retryable status and no further request for it came (run clock ms). Long enough to catch an
 * agent that wrongly retries with the usual first backoff (1 s ± 20 %) or at once; short enough
 * that a scenario whose export is meant to be refused does not wait out the whole export deadline.
 */
export const EXPORT_REJECTION_SETTLE_MS = 1_500;

/** How waiting for a call's first trace batch ended. */
export type ExportWaitResult =
  | { readonly kind: 'received'; readonly batch: StoredBatch }
  /** Coval refused the last attempt for good and nothing followed within the settle period. */
  | { readonly kind: 'rejected'; readonly attempt: IngestAttempt }
  | { readonly kind: 'missing'; readonly reason: string };

/** Inputs of {@link waitForExport}. */
export interface ExportWaitOptions {
  readonly store: TraceStore;
  readonly simulationId: string;
  readonly clock: Clock;
  /** The export deadline: give up (`missing`) after this long. */
  readonly deadlineMs: number;
  /** Quiet time after a non-retryable answer before giving up early (`rejected`). */
  readonly settleMs: number;
}

/** Whether Coval's answer forbids resending the batch: any status but 2xx, 429, 502, 503 and 504 (a reset has none). */
export function isPermanentRejection(attempt: IngestAttempt): boolean {
  const status = attempt.status;
  return status !== null && (status < 200 || status >= 300) && !RETRYABLE_STATUSES.has(status);
}

/**
 * Waits for the simulation's first accepted batch, at most `deadlineMs`. Stops early when the last
 * attempt for the simulation was refused with a non-retryable status, no request for it is being
 * handled, and nothing more came for `settleMs` of awake time (`awakeSleep`; a retry inside that
 * window restarts the wait, so a wrongly retrying agent is still recorded).
 */
export function waitForExport(options: ExportWaitOptions): Promise<ExportWaitResult> {
  const { store, simulationId: id, clock, settleMs } = options;
  return new Promise<ExportWaitResult>((resolve) => {
    const controller = new AbortController();
    let done = false;
    let settle: { readonly seq: number; readonly timer: TimerHandle } | undefined;
    const stopSettle = (): void => {
      settle?.timer.cancel();
      settle = undefined;
    };
    const finish = (result: ExportWaitResult): void => {
      if (done) return;
      done = true;
      unsubscribe();
      stopSettle();
      controller.abort();
      resolve(result);
    };
    const review = (): void => {
      if (done || store.batches(id).length > 0) return;
      const last = store.attempts(id).at(-1);
      if (last === undefined || store.inFlight(id) > 0 || !isPermanentRejection(last)) {
        stopSettle();
        return;
      }
      if (settle?.seq === last.seq) return;
      stopSettle();
      // Awake time: a retry stalled with the rest of a starved process must not be ruled out early.
      const quiet = new AbortController();
      void awakeSleep(clock, settleMs, quiet.signal).then(() => {
        if (!quiet.signal.aborted) finish({ kind: 'rejected', attempt: last });
      });
      settle = { seq: last.seq, timer: { cancel: () => quiet.abort() } };
    };
    const unsubscribe = store.subscribe((simulationId) => {
      if (simulationId === id) review();
    });
    store.waitForBatch(id, { timeoutMs: options.deadlineMs, signal: controller.signal }).then(
      (batch) => finish({ kind: 'received', batch }),
      (error: unknown) => finish({ kind: 'missing', reason: error instanceof Error ? error.message : String(error) }),
    );
    review();
  });
}
