// The shape of bench/results.json (written by bench/run-bench.ts, rendered by results-markdown.ts).
import type { LoadOptions } from '../simulator/load/load-options.ts';
import type { RssReport } from '../simulator/load/load-result.ts';
import type { RssSlope } from '../simulator/load/rss-slope.ts';
import type { MachineInfo } from './machine.ts';

/** One load run's figures (latencies in ms). */
export interface LoadRunFigures {
  readonly callsPerSecond: number;
  readonly completed: number;
  readonly maxInFlight: number;
  readonly failed: number;
  readonly protocolErrors: number;
  readonly lost: number;
  readonly misCorrelated: number;
  readonly unidentified: number;
  readonly stray: number;
  readonly agentAddedP50: number;
  readonly agentAddedP99: number;
  readonly promptToFirstFrameP50: number;
  readonly hangUpToTraceP50: number;
  readonly agentCpuMsPerCall: number | null;
  readonly kitCpuMsPerCall: number;
  readonly kitLoopDelayP99: number;
  /** Share of the machine other processes used meanwhile (approximate), percent. */
  readonly foreignCpuPercent: number | null;
}

/** One agent at one load level: every run, the medians and the correctness totals. */
export interface AgentFigures {
  readonly runs: readonly LoadRunFigures[];
  readonly median: {
    readonly callsPerSecond: number;
    readonly agentAddedP50: number;
    readonly agentAddedP99: number;
    readonly promptToFirstFrameP50: number;
    readonly agentCpuMsPerCall: number | null;
    readonly kitCpuMsPerCall: number;
    readonly maxInFlight: number;
  };
  readonly totals: { readonly calls: number; readonly failed: number; readonly protocolErrors: number; readonly lost: number; readonly misCorrelated: number };
}

/** Section (a): one load level, reference agent and floor side by side. */
export interface LevelResult {
  readonly name: string;
  readonly title: string;
  readonly settings: Partial<LoadOptions>;
  readonly reference: AgentFigures;
  readonly floor: AgentFigures;
  /** Reference median / floor median. */
  readonly ratios: { readonly agentAddedP50: number | null; readonly agentAddedP99: number | null; readonly callsPerSecond: number | null };
}

/** Wall times of repeated runs, ms. */
export interface TimedRuns {
  readonly runsMs: readonly number[];
  readonly medianMs: number;
}

/** One scenario-library timing series. */
export interface SuiteRuns {
  runsMs: number[];
  medianMs: number;
  cpuPercent: number[];
  scenarios: number;
  passed: number[];
}

/** Section (e). */
export interface SoakResult {
  /** Null when the soak did not run (a partial bench). */
  readonly figures: LoadRunFigures | null;
  readonly settings: Partial<LoadOptions>;
  readonly rss: RssReport | null;
  readonly points: readonly { readonly calls: number; readonly rssMiB: number }[];
  /** The agent's live JS heap right after each major GC (bench/heap-probe.ts), and its slope. */
  readonly heapAfterMajorGc: {
    readonly points: readonly { readonly calls: number; readonly heapUsedBytes: number; readonly heapTotalBytes?: number; readonly rssBytes?: number }[];
    readonly slope: RssSlope | null;
    /** V8's reserved heap (`heapTotal`) at the same instants, and RSS outside it (`rss − heapTotal`). */
    readonly heapTotalSlope?: RssSlope | null;
    readonly outsideHeapSlope?: RssSlope | null;
  };
}

/** bench/results.json. */
export interface BenchResults {
  readonly schemaVersion: 1;
  readonly date: string;
  readonly machine: MachineInfo;
  readonly durationS: number;
  readonly command: string;
  readonly agents: readonly LevelResult[];
  readonly suite: { readonly concurrency4: SuiteRuns; readonly concurrency16: SuiteRuns };
  readonly ingest: readonly { readonly label: string; readonly runs: readonly number[]; readonly medianSpansPerSecond: number }[];
  readonly properties: TimedRuns & { readonly tests: number | null };
  readonly soak: SoakResult;
}
