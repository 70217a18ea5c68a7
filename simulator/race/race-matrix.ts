import fc from 'fast-check';
import type { Clock } from '../core/clock.ts';
import { KIT } from '../scenario/run-record.ts';
import { type RaceAgentSpec, startRaceCluster } from './race-cluster.ts';
import { exploreRace, leavesState, stepLabels } from './race-explorer.ts';
import { RACE_PAYLOADS, type RacePayload, racePlanArbitrary } from './race-plan.ts';
import { runRacePlan, type RaceTimeouts } from './race-run.ts';
import { raceAgentSpec, raceRedis } from './race-session.ts';
import { raceAgentArgs, raceReplayCommand, RACE_STRATEGIES, type RaceSettings, shellArg } from './race-settings.ts';
import { judgeRace } from './race-verdict.ts';
import { type ProportionInterval, wilsonInterval } from './wilson.ts';

/** The replica counts the matrix compares. */
export const MATRIX_REPLICAS: readonly number[] = [1, 2, 3];

/** One cell's shrunk counterexample. */
export interface MatrixCounterexample {
  readonly calls: number;
  readonly path: string;
  readonly steps: readonly string[];
  /** The contract's findings (✗ lines) and the routing diagnosis. */
  readonly findings: readonly string[];
  readonly diagnosis: readonly string[];
  readonly replay: string;
}

/** One strategy × payload × replicas cell. */
export interface MatrixCell {
  readonly strategy: string;
  readonly payload: RacePayload;
  readonly replicas: number;
  readonly runs: number;
  /** Interleavings that broke the correlation contract. */
  readonly failures: number;
  readonly rate: number;
  /** 95% Wilson score interval of the rate. */
  readonly interval: ProportionInterval;
  readonly counterexample?: MatrixCounterexample;
  readonly durationMs: number;
}

/** What `relaysim race --matrix` saves. */
export interface RaceMatrixRecord {
  readonly schemaVersion: 1;
  readonly kind: 'race-matrix';
  readonly kit: typeof KIT;
  readonly command: string;
  readonly settings: { readonly runs: number; readonly calls: number; readonly seed: number; readonly redis: RaceSettings['redis']['kind'] };
  readonly cells: readonly MatrixCell[];
  readonly durationMs: number;
  readonly interrupted?: boolean;
}

/** Inputs of {@link runRaceMatrix}: the race settings (strategy, payload, replicas and expiry are the matrix's own). */
export interface MatrixEnvironment {
  readonly clock: Clock;
  readonly fetch: typeof globalThis.fetch;
  readonly cwd: string;
  readonly defaultAgentModuleUrl?: string;
  readonly signal?: AbortSignal;
  readonly onCell?: (cell: MatrixCell) => void;
  readonly timeouts?: Partial<RaceTimeouts>;
  readonly strategies?: readonly string[];
  readonly payloads?: readonly RacePayload[];
  readonly replicas?: readonly number[];
}

/** The command that reruns the matrix. */
export function matrixCommand(settings: RaceSettings): string {
  const args = ['--matrix', '--runs', String(settings.runs), '--calls', String(settings.calls), '--seed', String(settings.seed), ...raceAgentArgs(settings)];
  return ['npx relaysim race', ...args.map(shellArg)].join(' ');
}

/**
 * `relaysim race --matrix`: every strategy × payload shape × replica count, `runs` random
 * interleavings each (the same ones in every cell: one seed), without expiry. Agents are started
 * once per strategy × replicas and reused across payloads (restarted only after a run that may
 * have left state). A cell's rate gets a 95% Wilson interval; a failing cell's first failure is
 * shrunk by fast-check from its path into one counterexample with its replay command.
 */
export async function runRaceMatrix(settings: RaceSettings, env: MatrixEnvironment): Promise<RaceMatrixRecord> {
  const { clock } = env;
  const started = clock.now();
  const spec: RaceAgentSpec = raceAgentSpec(settings, env);
  const redis = await raceRedis(settings, clock);
  const cells: MatrixCell[] = [];
  const arbitrary = racePlanArbitrary({ maxCalls: settings.calls, expiry: false });
  const plans = fc.sample(arbitrary, { seed: settings.seed, numRuns: settings.runs });
  let runSeed = 0;
  try {
    for (const strategy of env.strategies ?? RACE_STRATEGIES) {
      for (const replicas of env.replicas ?? MATRIX_REPLICAS) {
        if (env.signal?.aborted) break;
        const cluster = await startRaceCluster({
          agent: spec,
          clock,
          fetch: env.fetch,
          replicas,
          strategy,
          ...(redis.url === undefined ? {} : { redisUrl: redis.url }),
          baseEnv: { LOG_LEVEL: 'warn', ...settings.agentEnv },
        });
        try {
          for (const payload of env.payloads ?? RACE_PAYLOADS) {
            if (env.signal?.aborted) break;
            const cellStart = clock.now();
            let failures = 0;
            let firstFailure: number | undefined;
            for (const [index, plan] of plans.entries()) {
              if (env.signal?.aborted) break;
              const observation = await runRacePlan(plan, { cluster, payload, clock, fetch: env.fetch, runSeed: ++runSeed, ...(env.timeouts === undefined ? {} : { timeouts: env.timeouts }) });
              const judgement = judgeRace(observation);
              if (!judgement.pass) {
                failures++;
                firstFailure ??= index;
              }
              if (leavesState(observation, judgement)) await cluster.restart();
            }
            const cellSettings: RaceSettings = { ...settings, strategy, payload, replicas, expiry: false };
            let counterexample: MatrixCounterexample | undefined;
            if (firstFailure !== undefined && !env.signal?.aborted) {
              const shrunk = await exploreRace({
                cluster,
                clock,
                fetch: env.fetch,
                calls: settings.calls,
                runs: settings.runs,
                seed: settings.seed,
                path: String(firstFailure),
                endOnFailure: false,
                payload,
                expiry: false,
                ...(env.timeouts === undefined ? {} : { timeouts: env.timeouts }),
                ...(env.signal === undefined ? {} : { signal: env.signal }),
              });
              const ce = shrunk.counterexample;
              if (ce !== undefined) {
                counterexample = {
                  calls: ce.calls,
                  path: ce.path,
                  steps: stepLabels(ce.plan),
                  findings: ce.timeline.filter((l) => l.endsWith('✗')),
                  diagnosis: ce.diagnosis,
                  replay: raceReplayCommand(cellSettings, ce.path),
                };
              }
            }
            const cell: MatrixCell = {
              strategy,
              payload,
              replicas,
              runs: settings.runs,
              failures,
              rate: failures / settings.runs,
              interval: wilsonInterval(failures, settings.runs),
              ...(counterexample === undefined ? {} : { counterexample }),
              durationMs: clock.now() - cellStart,
            };
            cells.push(cell);
            env.onCell?.(cell);
          }
        } finally {
          await cluster.close();
        }
      }
    }
  } finally {
    await redis.local?.stop();
  }
  return {
    schemaVersion: 1,
    kind: 'race-matrix',
    kit: { ...KIT },
    command: matrixCommand(settings),
    settings: { runs: settings.runs, calls: settings.calls, seed: settings.seed, redis: settings.redis.kind },
    cells,
    durationMs: clock.now() - started,
    ...(env.signal?.aborted ? { interrupted: true } : {}),
  };
}
