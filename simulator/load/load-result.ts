import type { AgentMode } from '../scenario/run-record.ts';
import type { LatencySummary } from './latency-histogram.ts';
import type { RssSlope } from './rss-slope.ts';

/** Schema version of {@link LoadResult} (`relaysim load --json`). */
export const LOAD_RESULT_SCHEMA_VERSION = 1 as const;

/** Where a run is, reported every sample interval. */
export interface LoadProgress {
  readonly phase: 'warmup' | 'measure' | 'drain';
  readonly elapsedMs: number;
  readonly started: number;
  readonly completed: number;
  readonly failed: number;
  readonly inFlight: number;
  /** The measured calls asked for (calls mode). */
  readonly total?: number;
  /** The measured duration asked for (duration mode). */
  readonly durationMs?: number;
}

/** One RSS/CPU sample during the measured phase. */
export interface ResourceSample {
  /** Ms since the measured phase began. */
  readonly atMs: number;
  /** Calls completed (ok or failed) by then. */
  readonly calls: number;
  readonly inFlight: number;
  readonly kitRssBytes: number;
  readonly kitCpuMs: number;
  readonly agentRssBytes?: number;
  readonly agentCpuMs?: number;
}

/** Memory of one process over the run. */
export interface RssReport {
  readonly startBytes: number;
  readonly endBytes: number;
  readonly maxBytes: number;
  readonly slope: RssSlope;
}

/** Why a call failed, with the first few messages. */
export interface FailureExample {
  readonly call: number;
  readonly kind: string;
  readonly message: string;
}

/** What `relaysim load` measured (printed as a table, or as JSON with `--json`). */
export interface LoadResult {
  readonly schemaVersion: typeof LOAD_RESULT_SCHEMA_VERSION;
  readonly kit: { readonly name: string; readonly version: string };
  readonly startedAt: string;
  readonly agent: {
    readonly mode: AgentMode;
    readonly target: string;
    /** The process group read for RSS/CPU; absent for an embedded agent or an unknown url agent. */
    readonly pid?: number;
    /** Embedded: the agent runs in the kit's process, so the kit's RSS and CPU include it. */
    readonly sameProcess: boolean;
  };
  readonly settings: {
    readonly loop: 'closed' | 'open';
    readonly concurrency: number;
    readonly calls?: number;
    readonly durationMs?: number;
    readonly rate?: number;
    readonly warmupCalls: number;
    readonly rampMs: number;
    readonly prompts: number;
    readonly thinkMs: number;
    readonly firstTokenMs: number;
    readonly interTokenMs: number;
    readonly seed: number;
    readonly sampleMs: number;
  };
  /** Wall time of the measured phase, ms. */
  readonly wallMs: number;
  readonly calls: {
    readonly started: number;
    readonly completed: number;
    readonly failed: number;
    /** Open loop: arrivals not started because `concurrency` calls were already in flight. */
    readonly shed: number;
    /** Most calls in flight at once (warm-up included). */
    readonly maxInFlight: number;
    /** Completed calls per second of wall time. */
    readonly perSecond: number;
  };
  /** Agent frames the fake Twilio rejected (each earned an `error` frame). */
  readonly protocolErrors: number;
  readonly traces: {
    readonly received: number;
    /** A call that hung up cleanly got no batch within the trace timeout. */
    readonly lost: number;
    /** A call's batch carries another call's prompt in `stt.transcription`. */
    readonly misCorrelated: number;
    /** A call's batch carries none of the kit's prompts, so it cannot be told apart. */
    readonly unidentified: number;
    /** Batches under an id no call of this run used. */
    readonly stray: number;
  };
  readonly latency: {
    /** Fake LLM chunk written → the matching `text` frame received by the fake Twilio. */
    readonly agentAdded: LatencySummary;
    /** Caller prompt sent → the agent's first frame after it. */
    readonly promptToFirstFrame: LatencySummary;
    /** Caller hang-up → the call's trace batch stored by the fake Coval. */
    readonly hangUpToTrace: LatencySummary;
  };
  /** The kit process's event-loop delay during the measured phase (it includes an embedded agent's work). */
  readonly kitEventLoopDelay: LatencySummary;
  readonly matching: { readonly matched: number; readonly unmatchedFrames: number; readonly unmatchedChunks: number };
  readonly failures: { readonly byKind: Readonly<Record<string, number>>; readonly examples: readonly FailureExample[] };
  readonly cpu: {
    readonly kitMs: number;
    /** Kit CPU time / wall time (100 = one core busy). */
    readonly kitPercent: number;
    readonly agentMs?: number;
    readonly agentPercent?: number;
  };
  readonly memory: { readonly agentRss?: RssReport; readonly kitRss: RssReport };
  readonly notes: readonly string[];
  readonly samples: readonly ResourceSample[];
  /** No failed call, protocol error, lost, mis-correlated or unidentified trace. */
  readonly ok: boolean;
}
