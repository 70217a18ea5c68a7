import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

/** Percentiles of one latency, in milliseconds (microsecond resolution). */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** The summary of a latency nothing was recorded for. */
export const EMPTY_SUMMARY: LatencySummary = Object.freeze({ count: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 });

/** Largest value kept exactly (10 minutes); anything longer is clamped and still counted. */
const HIGHEST_US = 600_000_000;

const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;

/**
 * A latency histogram on `node:perf_hooks` `createHistogram` (HDR, 3 significant figures),
 * recording microseconds so sub-millisecond agent latencies keep their resolution.
 */
export class LatencyHistogram {
  readonly #h: RecordableHistogram = createHistogram({ lowest: 1, highest: HIGHEST_US, figures: 3 });

  /** Records one latency in milliseconds; negatives count as the smallest value (clock jitter). */
  record(ms: number): void {
    if (!Number.isFinite(ms)) return;
    const us = Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000)));
    this.#h.record(us);
  }

  get count(): number {
    return this.#h.count;
  }

  /** p50/p90/p99/max/mean in ms, rounded to the microsecond. */
  summary(): LatencySummary {
    const h = this.#h;
    if (h.count === 0) return EMPTY_SUMMARY;
    return {
      count: h.count,
      p50: round3(h.percentile(50) / 1000),
      p90: round3(h.percentile(90) / 1000),
      p99: round3(h.percentile(99) / 1000),
      max: round3(h.max / 1000),
      mean: round3(h.mean / 1000),
    };
  }
}
