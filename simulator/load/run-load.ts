import { publicUrlFetch } from '../agent-target/public-url-fetch.ts';
import { createAgentTarget, isSkipped, type AgentLease } from '../agent-target/agent-target.ts';
import { type Clock, sleep, systemClock } from '../core/clock.ts';
import { SimErrors } from '../core/errors.ts';
import { createSeededRandom } from '../core/random.ts';
import { FAKE_CREDENTIALS, type RunFakes } from '../fakes/fake-stack.ts';
import type { LlmChunkRecord, LlmRequestRecord } from '../openai/history.ts';
import { KIT } from '../scenario/run-record.ts';
import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';
import { EMPTY_SUMMARY, LatencyHistogram, type LatencySummary } from './latency-histogram.ts';
import type { LatencyMatcher } from './latency-matcher.ts';
import { runLoadCall, type LoadCallContext, type LoadCallOutcome } from './load-call.ts';
import { callOfPrompt, callOfSimulationId, latestUserText } from './load-identity.ts';
import { checkLoadOptions, DEFAULT_LOAD_TIMEOUTS, type LoadOptions } from './load-options.ts';
import { LOAD_RESULT_SCHEMA_VERSION, type FailureExample, type LoadProgress, type LoadResult, type ResourceSample, type RssReport } from './load-result.ts';
import { createProcessProbe, type ProcessReading } from './process-stats.ts';
import { rssSlope } from './rss-slope.ts';

/** Calls between two clean-ups of the fakes' stores (their records are not needed for load). */
const FORGET_EVERY = 200;
const MAX_EXAMPLES = 5;

interface Tally {
  started: number;
  completed: number;
  failed: number;
  shed: number;
  protocolErrors: number;
  received: number;
  lost: number;
  misCorrelated: number;
  unidentified: number;
  matched: number;
  unmatchedFrames: number;
  unmatchedChunks: number;
  byKind: Record<string, number>;
  examples: FailureExample[];
}

function newTally(): Tally {
  return { started: 0, completed: 0, failed: 0, shed: 0, protocolErrors: 0, received: 0, lost: 0, misCorrelated: 0, unidentified: 0, matched: 0, unmatchedFrames: 0, unmatchedChunks: 0, byKind: {}, examples: [] };
}

function count(tally: Tally, outcome: LoadCallOutcome): void {
  tally.completed++;
  tally.protocolErrors += outcome.protocolErrors;
  tally.matched += outcome.matching.matched;
  tally.unmatchedFrames += outcome.matching.unmatchedFrames;
  tally.unmatchedChunks += outcome.matching.unmatchedChunks;
  if (outcome.failure) {
    tally.failed++;
    tally.byKind[outcome.failure.kind] = (tally.byKind[outcome.failure.kind] ?? 0) + 1;
    if (tally.examples.length < MAX_EXAMPLES) tally.examples.push({ call: outcome.index, kind: outcome.failure.kind, message: outcome.failure.message });
  }
  if (outcome.trace === 'correlated') tally.received++;
  else if (outcome.trace === 'lost') tally.lost++;
  else if (outcome.trace === 'mis-correlated') {
    tally.received++;
    tally.misCorrelated++;
  } else if (outcome.trace === 'unidentified') {
    tally.received++;
    tally.unidentified++;
  }
}

function rssReport(points: readonly { calls: number; bytes: number }[]): RssReport {
  const bytes = points.map((p) => p.bytes);
  return {
    startBytes: bytes[0] ?? 0,
    endBytes: bytes.at(-1) ?? 0,
    maxBytes: bytes.reduce((m, b) => Math.max(m, b), 0),
    slope: rssSlope(points.map((p) => ({ calls: p.calls, rssBytes: p.bytes }))),
  };
}

/** Sampling interval of the event-loop monitor; its histogram holds whole intervals, so this is subtracted. */
const LOOP_RESOLUTION_MS = 10;

function loopDelaySummary(h: ELDHistogram): LatencySummary {
  if (h.count === 0) return EMPTY_SUMMARY;
  const ms = (ns: number): number => Math.max(0, Math.round(ns / 1000) / 1000 - LOOP_RESOLUTION_MS);
  return { count: h.count, p50: ms(h.percentile(50)), p90: ms(h.percentile(90)), p99: ms(h.percentile(99)), max: ms(h.max), mean: ms(h.mean) };
}

const pct = (cpuMs: number, wallMs: number): number => (wallMs > 0 ? Math.round((cpuMs / wallMs) * 1000) / 10 : 0);

/**
 * Runs complete calls against an agent at a given concurrency (closed loop, or open loop at
 * `rate` calls/s) and measures throughput, correctness (failed calls, protocol errors, lost and
 * mis-correlated traces), latencies and the agent's memory and CPU (docs/performance.md). The
 * fakes are shared by every call and keep no per-call records beyond what is measured.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  checkLoadOptions(options);
  const clock: Clock = options.clock ?? systemClock;
  const fetch = options.fetch ?? globalThis.fetch;
  const probe = options.probe ?? createProcessProbe();
  const seed = options.seed ?? 1;
  const prompts = options.prompts ?? 2;
  const firstTokenMs = options.firstTokenMs ?? 5;
  const interTokenMs = options.interTokenMs ?? 1;
  const thinkMs = options.thinkMs ?? 0;
  const sampleMs = options.sampleMs ?? 500;
  const warmupCalls = options.warmupCalls ?? 0;
  const timeouts = { ...DEFAULT_LOAD_TIMEOUTS, ...options.timeouts };
  const concurrency = options.concurrency;
  const notes: string[] = [];

  const target = createAgentTarget(options.target, { clock, fetch, probes: false, reuse: true, ...(options.agentEnv ? { baseEnv: options.agentEnv } : {}) });
  let lease: AgentLease | undefined;
  let fakes: RunFakes | undefined;
  try {
    const leased = await target.lease({ env: {}, simulationIds: [] });
    if (isSkipped(leased)) throw new SimErrors.SIM_ERR_LOAD_OPTIONS_INVALID(leased.skipped);
    lease = leased;
    const agent = lease.agent;

    const matchers = new Map<number, LatencyMatcher>();
    const owners = new WeakMap<LlmRequestRecord, number>();
    const onChunkWritten = (record: LlmRequestRecord, chunk: LlmChunkRecord): void => {
      if (chunk.kind !== 'content' || chunk.content === undefined || chunk.content === '') return;
      let call = owners.get(record);
      if (call === undefined) {
        const text = latestUserText(record.body);
        call = text === undefined ? -1 : (callOfPrompt(text) ?? -1);
        owners.set(record, call);
      }
      matchers.get(call)?.chunkWritten(chunk.content, clock.now());
    };
    fakes = await lease.stack.beginRun({
      random: createSeededRandom(seed).derive('openai'),
      script: [],
      // Every id is known to the kit; issuing each one would only grow the store.
      acceptUnknownIds: true,
      faults: [],
      openai: { recordChunks: false, onChunkWritten, defaults: { firstTokenMs, interTokenMs } },
    });
    const runFakes = fakes;

    const pid = agent.mode === 'spawn' ? (agent.processRecord()?.pid ?? undefined) : options.agentPid;
    const sameProcess = agent.mode === 'embedded';
    if (sameProcess) notes.push('embedded agent: it runs in the kit’s process, so RSS and CPU are the kit’s and the agent’s together; use --spawn for the agent alone');
    if (agent.mode === 'url' && pid === undefined) notes.push('agent reached by URL without --agent-pid: its RSS and CPU are not read');
    const readAgent = (): ProcessReading | undefined => (pid === undefined || pid === null ? undefined : probe.group(pid));
    if (pid !== undefined && pid !== null && readAgent() === undefined) notes.push(`cannot read /proc for the agent's process group ${pid}: RSS and CPU not sampled`);

    const agentFetch = publicUrlFetch(fetch, agent.publicUrl, agent.baseUrl);
    const authToken = agent.twilioAuthToken ?? FAKE_CREDENTIALS.twilioAuthToken;
    const histograms = () => ({ agentAdded: new LatencyHistogram(), promptToFirstFrame: new LatencyHistogram(), hangUpToTrace: new LatencyHistogram() });

    let nextIndex = 0;
    let sinceForget = 0;
    let strays = 0;
    const countStrays = (): void => {
      for (const id of runFakes.coval.store.simulationIds()) {
        const call = callOfSimulationId(seed, id);
        if (call === undefined || call >= nextIndex) strays++;
      }
    };
    const forget = (force = false): void => {
      if (++sinceForget < FORGET_EVERY && !force) return;
      sinceForget = 0;
      countStrays();
      runFakes.coval.reset();
      runFakes.openai.openai.history.clear();
    };

    // One continuous run: the first `warmupCalls` calls (by start order) warm the agent up and are
    // not counted; measuring starts when the first measured call starts, so the load never pauses.
    const tally = newTally();
    const warm = newTally();
    const hist = histograms();
    const base = { agent, fetch: agentFetch, clock, coval: runFakes.coval, seed, prompts, thinkMs, timeouts, authToken, matchers };
    const measuredCtx: LoadCallContext = { ...base, histograms: hist };
    const warmCtx: LoadCallContext = { ...base, histograms: histograms() };
    const samples: ResourceSample[] = [];
    const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    const runStartedAt = clock.now();
    let t0: number | undefined;
    let kit0: ProcessReading = probe.self();
    let agent0: ProcessReading | undefined;
    let inFlight = 0;
    let maxInFlight = 0;
    let stopped = false;
    let deadline: { cancel(): void } | undefined;
    const stop = (): void => {
      stopped = true;
    };
    const sample = (): void => {
      if (t0 === undefined) return;
      const kit = probe.self();
      const a = readAgent();
      samples.push({
        atMs: Math.round(clock.now() - t0),
        calls: tally.completed,
        inFlight: tally.started - tally.completed,
        kitRssBytes: kit.rssBytes,
        kitCpuMs: Math.round(kit.cpuMs - kit0.cpuMs),
        ...(a === undefined ? {} : { agentRssBytes: a.rssBytes, agentCpuMs: Math.round(a.cpuMs - (agent0?.cpuMs ?? 0)) }),
      });
    };
    const beginMeasuring = (): void => {
      options.onMeasure?.('start');
      t0 = clock.now();
      kit0 = probe.self();
      agent0 = readAgent();
      loopDelay.enable();
      sample();
      if (options.durationMs !== undefined) deadline = clock.setTimer(options.durationMs, stop);
    };
    const more = (): boolean => !stopped && !options.signal?.aborted && (options.calls === undefined || nextIndex < warmupCalls + options.calls);
    const progress = (): LoadProgress => {
      const measuring = t0 !== undefined;
      const t = measuring ? tally : warm;
      return {
        phase: !more() ? 'drain' : measuring ? 'measure' : 'warmup',
        elapsedMs: clock.now() - (t0 ?? runStartedAt),
        started: t.started,
        completed: t.completed,
        failed: t.failed,
        inFlight,
        ...(measuring ? (options.calls === undefined ? {} : { total: options.calls }) : { total: warmupCalls }),
        ...(measuring && options.durationMs !== undefined ? { durationMs: options.durationMs } : {}),
      };
    };
    options.signal?.addEventListener('abort', stop, { once: true });
    let ticker = clock.setTimer(sampleMs, function tick() {
      sample();
      options.onProgress?.(progress());
      ticker = clock.setTimer(sampleMs, tick);
    });
    const one = async (): Promise<void> => {
      const index = nextIndex++;
      const measured = index >= warmupCalls;
      if (measured && t0 === undefined) beginMeasuring();
      const t = measured ? tally : warm;
      t.started++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const outcome = await runLoadCall(measured ? measuredCtx : warmCtx, index);
      inFlight--;
      count(t, outcome);
      forget();
    };
    try {
      if (options.rate === undefined) {
        const rampMs = options.rampMs ?? 0;
        const worker = async (w: number): Promise<void> => {
          if (rampMs > 0 && w > 0) await sleep(clock, (rampMs * w) / concurrency);
          while (more()) await one();
        };
        await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
      } else {
        const rate = options.rate;
        const running = new Set<Promise<void>>();
        let arrivals = 0;
        await new Promise<void>((resolve) => {
          const arrive = (): void => {
            if (!more()) {
              resolve();
              return;
            }
            arrivals++;
            if (inFlight >= concurrency) {
              if (nextIndex >= warmupCalls) tally.shed++;
              else warm.shed++;
            } else {
              const work = one();
              running.add(work);
              void work.finally(() => running.delete(work));
            }
            const due = runStartedAt + (arrivals * 1000) / rate;
            clock.setTimer(Math.max(0, due - clock.now()), arrive);
          };
          arrive();
        });
        while (running.size > 0) await Promise.all([...running]);
      }
    } finally {
      deadline?.cancel();
      ticker.cancel();
      options.signal?.removeEventListener('abort', stop);
    }
    if (t0 === undefined) beginMeasuring();
    const measuredFrom = t0 as number;
    const wallMs = clock.now() - measuredFrom;
    loopDelay.disable();
    options.onMeasure?.('end');
    options.onProgress?.(progress());
    if (warm.failed > 0) notes.push(`${warm.failed} of ${warm.completed} warm-up calls failed (not counted above)`);
    sample();
    forget(true);
    const kit1 = probe.self();
    const agent1 = readAgent();

    const kitPoints = samples.map((s) => ({ calls: s.calls, bytes: s.kitRssBytes }));
    const agentPoints = samples.flatMap((s) => (s.agentRssBytes === undefined ? [] : [{ calls: s.calls, bytes: s.agentRssBytes }]));
    const kitMs = Math.round(kit1.cpuMs - kit0.cpuMs);
    const agentMs = agent0 !== undefined && agent1 !== undefined ? Math.round(agent1.cpuMs - agent0.cpuMs) : undefined;
    const result: LoadResult = {
      schemaVersion: LOAD_RESULT_SCHEMA_VERSION,
      kit: { name: KIT.name, version: KIT.version },
      startedAt: new Date(clock.epochMs() - (clock.now() - measuredFrom)).toISOString(),
      agent: { mode: agent.mode, target: options.agentLabel ?? agent.baseUrl, ...(pid === undefined || pid === null ? {} : { pid }), sameProcess },
      settings: {
        loop: options.rate === undefined ? 'closed' : 'open',
        concurrency,
        ...(options.calls === undefined ? {} : { calls: options.calls }),
        ...(options.durationMs === undefined ? {} : { durationMs: options.durationMs }),
        ...(options.rate === undefined ? {} : { rate: options.rate }),
        warmupCalls,
        rampMs: options.rampMs ?? 0,
        prompts,
        thinkMs,
        firstTokenMs,
        interTokenMs,
        seed,
        sampleMs,
      },
      wallMs: Math.round(wallMs),
      calls: {
        started: tally.started,
        completed: tally.completed,
        failed: tally.failed,
        shed: tally.shed,
        maxInFlight,
        perSecond: wallMs > 0 ? Math.round((tally.completed / wallMs) * 100_000) / 100 : 0,
      },
      protocolErrors: tally.protocolErrors,
      traces: { received: tally.received, lost: tally.lost, misCorrelated: tally.misCorrelated, unidentified: tally.unidentified, stray: strays },
      latency: { agentAdded: hist.agentAdded.summary(), promptToFirstFrame: hist.promptToFirstFrame.summary(), hangUpToTrace: hist.hangUpToTrace.summary() },
      kitEventLoopDelay: loopDelaySummary(loopDelay),
      matching: { matched: tally.matched, unmatchedFrames: tally.unmatchedFrames, unmatchedChunks: tally.unmatchedChunks },
      failures: { byKind: tally.byKind, examples: tally.examples },
      cpu: {
        kitMs,
        kitPercent: pct(kitMs, wallMs),
        ...(agentMs === undefined ? {} : { agentMs, agentPercent: pct(agentMs, wallMs) }),
      },
      memory: { ...(agentPoints.length > 0 ? { agentRss: rssReport(agentPoints) } : {}), kitRss: rssReport(kitPoints) },
      notes,
      samples,
      ok: tally.failed === 0 && tally.protocolErrors === 0 && tally.lost === 0 && tally.misCorrelated === 0 && tally.unidentified === 0 && strays === 0,
    };
    return result;
  } finally {
    await fakes?.end();
    await lease?.release({ reusable: false });
    await target.close();
  }
}
