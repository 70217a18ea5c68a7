import fc from 'fast-check';
import type { Clock } from '../core/clock.ts';
import type { RaceCluster } from './race-cluster.ts';
import type { RaceObservation, RegistrationObservation } from './race-observation.ts';
import { planSteps, type RacePayload, type RacePlan, racePlanArbitrary, callLetter } from './race-plan.ts';
import { type RaceTimeouts, runRacePlan } from './race-run.ts';
import { raceTimeline, routingDiagnosis } from './race-timeline.ts';
import { judgeRace, type RaceJudgement } from './race-verdict.ts';

/** What one explored interleaving came to (kept for the race record). */
export interface RaceRunSummary {
  /** 1-based order in which fast-check ran it (generation and shrinking alike). */
  readonly index: number;
  readonly phase: 'generate' | 'shrink' | 'replay';
  /** The steps as the agent saw them, e.g. `register A`, `call B arrives`. */
  readonly steps: readonly string[];
  readonly pass: boolean;
  readonly violations: readonly string[];
  readonly durationMs: number;
}

/** The shrunk failing interleaving, with everything needed to read and replay it. */
export interface RaceCounterexample {
  readonly plan: RacePlan;
  /** fast-check's path to it under the same seed (`--path`). */
  readonly path: string;
  readonly observation: RaceObservation;
  readonly judgement: RaceJudgement;
  readonly timeline: readonly string[];
  /** Why, when routing explains it (registration and call on different replicas). */
  readonly diagnosis: readonly string[];
  readonly calls: number;
}

/** Options of {@link exploreRace}. */
export interface ExploreOptions {
  readonly cluster: RaceCluster;
  readonly clock: Clock;
  readonly fetch: typeof globalThis.fetch;
  /** Most calls per interleaving. */
  readonly calls: number;
  readonly runs: number;
  readonly seed: number;
  /** Start from this fast-check path instead of generating (a replay, or a failure found elsewhere). */
  readonly path?: string;
  /** With `path`: stop at its first failure (a replay, the default) or shrink it further. */
  readonly endOnFailure?: boolean;
  readonly payload: RacePayload;
  /** Generate waits past the TTL (needs `cluster.ttlMs`). */
  readonly expiry: boolean;
  readonly timeouts?: Partial<RaceTimeouts>;
  /** Aborting skips the remaining interleavings (fast-check sees them pass). */
  readonly signal?: AbortSignal;
  /** Called after every executed interleaving (progress output). */
  readonly onRun?: (summary: RaceRunSummary) => void;
}

/** What {@link exploreRace} found. */
export interface RaceExploration {
  /** True when no interleaving broke the correlation contract. */
  readonly holds: boolean;
  readonly seed: number;
  /** Interleavings generated or replayed (not counting shrinks). */
  readonly numRuns: number;
  readonly numShrinks: number;
  readonly runs: readonly RaceRunSummary[];
  readonly counterexample?: RaceCounterexample;
  /** fast-check's own error when the property threw instead of failing (a kit bug). */
  readonly error?: string;
  readonly durationMs: number;
}

/** The steps of a plan as short labels (`register A`, `register A again`, `wait past the TTL`, `call B arrives`, `(C is never registered)`). */
export function stepLabels(plan: RacePlan): string[] {
  const steps = planSteps(plan).flatMap((s) =>
    s.kind === 'arrive'
      ? [...(s.expire ? ['wait past the TTL'] : []), `call ${callLetter(s.call)} arrives`]
      : [`register ${callLetter(s.call)}${s.duplicate ? ' again' : ''}`],
  );
  const never = plan.calls.flatMap((c, i) => (c.registration === 'missing' ? [`(${callLetter(i)} is never registered)`] : []));
  return [...steps, ...never];
}

/** True when the run may have left registry state behind, so the next run needs fresh replicas. */
export function leavesState(observation: RaceObservation, judgement: RaceJudgement): boolean {
  if (!judgement.pass || observation.error !== undefined) return true;
  const registrations = observation.steps.filter((s): s is RegistrationObservation => s.kind === 'register');
  if (registrations.some((s) => s.duplicate)) return true;
  if (observation.steps.some((s) => s.kind === 'arrive' && s.expiryWaitMs > 0)) return true;
  return registrations.some((s) => {
    const id = observation.calls[s.call]?.simulationOutputId;
    return !observation.exports.some((e) => e.simulationId === id && e.owner === s.call);
  });
}

/**
 * Explores interleavings with fast-check (`fc.check` with the seed): each generated plan runs over
 * real sockets against the cluster and is judged; on a failure fast-check shrinks it to a minimal
 * counterexample. Replicas restart after any run that may have left state, so every run starts
 * from an empty registry and the printed seed and path reproduce the counterexample exactly.
 */
export async function exploreRace(options: ExploreOptions): Promise<RaceExploration> {
  const { cluster, clock } = options;
  const started = clock.now();
  const runs: RaceRunSummary[] = [];
  const failures = new Map<string, { observation: RaceObservation; judgement: RaceJudgement }>();
  let runSeed = 0;
  let generated = 0;
  const arbitrary = racePlanArbitrary({ maxCalls: options.calls, expiry: options.expiry && cluster.ttlMs !== undefined });
  const property = fc.asyncProperty(arbitrary, async (plan) => {
    if (options.signal?.aborted) return true;
    const t0 = clock.now();
    const observation = await runRacePlan(plan, {
      cluster,
      payload: options.payload,
      clock,
      fetch: options.fetch,
      runSeed: ++runSeed,
      ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
    });
    const judgement = judgeRace(observation);
    const phase: RaceRunSummary['phase'] = options.path !== undefined && runs.length === 0 ? 'replay' : failures.size > 0 ? 'shrink' : 'generate';
    if (phase !== 'shrink') generated++;
    const summary: RaceRunSummary = {
      index: runs.length + 1,
      phase,
      steps: stepLabels(plan),
      pass: judgement.pass,
      violations: [...judgement.violations.map((v) => v.message), ...(observation.error === undefined ? [] : [observation.error])],
      durationMs: clock.now() - t0,
    };
    runs.push(summary);
    options.onRun?.(summary);
    if (leavesState(observation, judgement)) await cluster.restart();
    if (!judgement.pass) failures.set(JSON.stringify(plan), { observation, judgement });
    return judgement.pass;
  });
  const details = await fc.check(property, {
    seed: options.seed,
    // With a path fast-check would go on generating after it; a replay is that one interleaving.
    numRuns: options.path === undefined ? options.runs : 1,
    ...(options.path === undefined ? {} : { path: options.path, endOnFailure: options.endOnFailure ?? true }),
  });
  const durationMs = clock.now() - started;
  const base = { seed: options.seed, numRuns: generated, numShrinks: details.numShrinks, runs, durationMs };
  if (!details.failed) return { holds: true, ...base };
  const plan = details.counterexample?.[0];
  const found = plan === undefined ? undefined : failures.get(JSON.stringify(plan));
  if (plan === undefined || found === undefined || details.counterexamplePath === null) {
    return { holds: false, ...base, error: details.errorInstance instanceof Error ? (details.errorInstance.stack ?? details.errorInstance.message) : String(details.errorInstance) };
  }
  const setup = { replicas: cluster.replicas, sharedRegistry: cluster.sharedRegistry };
  return {
    holds: false,
    ...base,
    counterexample: {
      plan,
      path: details.counterexamplePath,
      observation: found.observation,
      judgement: found.judgement,
      timeline: raceTimeline(found.observation, found.judgement, setup),
      diagnosis: routingDiagnosis(found.observation, found.judgement, setup),
      calls: plan.calls.length,
    },
  };
}
