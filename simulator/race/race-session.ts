import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Clock } from '../core/clock.ts';
import { SimErrors } from '../core/errors.ts';
import { KIT } from '../scenario/run-record.ts';
import { type LocalRedis, startLocalRedis } from './local-redis.ts';
import { type RaceAgentSpec, type RaceCluster, startRaceCluster } from './race-cluster.ts';
import { exploreRace, type RaceRunSummary, stepLabels } from './race-explorer.ts';
import { RACE_RECORD_SCHEMA_VERSION, type RaceAgentRecord, type RaceRecord, redactRaceEnv } from './race-record.ts';
import type { RaceTimeouts } from './race-run.ts';
import { raceReplayCommand, type RaceSettings } from './race-settings.ts';

/** What a race needs from its surroundings (the CLI passes the real ones). */
export interface RaceEnvironment {
  readonly clock: Clock;
  readonly fetch: typeof globalThis.fetch;
  /** Relative `--agent-module` paths resolve against it. */
  readonly cwd: string;
  /** The reference agent's module URL, used when no agent is named. */
  readonly defaultAgentModuleUrl?: string;
  /** Aborting stops the race after the interleaving in flight. */
  readonly signal?: AbortSignal;
  readonly onRun?: (summary: RaceRunSummary) => void;
  readonly timeouts?: Partial<RaceTimeouts>;
}

/** The agent spec for the settings; throws SIM_ERR_RACE_OPTIONS_INVALID when no agent can be named. */
export function raceAgentSpec(settings: RaceSettings, env: Pick<RaceEnvironment, 'cwd' | 'defaultAgentModuleUrl'>): RaceAgentSpec {
  const a = settings.agent;
  if (a.kind === 'spawn') return { kind: 'spawn', command: a.command, cwd: env.cwd, startTimeoutMs: settings.startTimeoutS * 1000 };
  if (a.kind === 'url') return { kind: 'url', baseUrl: a.url, ...(a.publicUrl === undefined ? {} : { publicUrl: a.publicUrl }), fakePorts: { openai: a.openaiPort, coval: a.covalPort } };
  if (a.module !== undefined) return { kind: 'embedded', moduleUrl: pathToFileURL(resolve(env.cwd, a.module)).href };
  if (env.defaultAgentModuleUrl === undefined) throw new SimErrors.SIM_ERR_RACE_OPTIONS_INVALID('no agent named and no default agent module known: pass --spawn "CMD", --agent-url URL or --agent-module FILE');
  return { kind: 'embedded', moduleUrl: env.defaultAgentModuleUrl };
}

/** Starts a local redis-server when the settings ask for one; resolves to the URL replicas get. */
export async function raceRedis(settings: Pick<RaceSettings, 'redis'>, clock: Clock): Promise<{ url: string | undefined; local: LocalRedis | undefined }> {
  if (settings.redis.kind === 'url') return { url: settings.redis.url, local: undefined };
  if (settings.redis.kind === 'none') return { url: undefined, local: undefined };
  const local = await startLocalRedis({ clock });
  return { url: local.url, local };
}

/** The agents' section of a race record. */
export function raceAgentRecord(settings: RaceSettings, cluster: RaceCluster): RaceAgentRecord {
  const a = settings.agent;
  const target = a.kind === 'spawn' ? a.command : a.kind === 'url' ? a.url : a.module;
  return {
    mode: a.kind,
    ...(target === undefined ? {} : { target }),
    replicas: cluster.replicas,
    sharedRegistry: cluster.sharedRegistry,
    redis: settings.redis.kind,
    ...(settings.strategy === undefined ? {} : { strategy: settings.strategy }),
    ...(cluster.ttlMs === undefined ? {} : { ttlMs: cluster.ttlMs }),
    generations: cluster.generation,
    env: redactRaceEnv(cluster.agentEnv()),
  };
}

/**
 * `relaysim race`: starts the agents (replicas behind the proxy, Redis when asked), explores
 * interleavings with fast-check, shrinks a failure, and returns the race record. Stops every
 * process it started, whatever happens.
 */
export async function runRace(settings: RaceSettings, env: RaceEnvironment): Promise<RaceRecord> {
  const { clock } = env;
  const spec = raceAgentSpec(settings, env);
  const managed = spec.kind !== 'url';
  const redis = await raceRedis(settings, clock);
  try {
    const cluster = await startRaceCluster({
      agent: spec,
      clock,
      fetch: env.fetch,
      replicas: settings.replicas,
      ...(settings.strategy === undefined || !managed ? {} : { strategy: settings.strategy }),
      ...(settings.expiry && managed ? { ttlSeconds: settings.ttlSeconds } : {}),
      ...(redis.url === undefined || !managed ? {} : { redisUrl: redis.url }),
      baseEnv: { LOG_LEVEL: 'warn', ...settings.agentEnv },
    });
    try {
      let interrupted = false;
      const exploration = await exploreRace({
        cluster,
        clock,
        fetch: env.fetch,
        calls: settings.calls,
        runs: settings.runs,
        seed: settings.seed,
        ...(settings.path === undefined ? {} : { path: settings.path }),
        payload: settings.payload,
        expiry: settings.expiry,
        timeouts: { ...env.timeouts, ...(settings.exportQuietMs === undefined ? {} : { exportQuietMs: settings.exportQuietMs }) },
        ...(env.signal === undefined ? {} : { signal: env.signal }),
        onRun: (summary) => {
          if (env.signal?.aborted) interrupted = true;
          env.onRun?.(summary);
        },
      });
      const ce = exploration.counterexample;
      return {
        schemaVersion: RACE_RECORD_SCHEMA_VERSION,
        kind: 'race',
        kit: { ...KIT },
        command: raceReplayCommand({ ...settings, path: undefined }),
        settings: {
          calls: settings.calls,
          runs: settings.runs,
          seed: settings.seed,
          ...(settings.path === undefined ? {} : { path: settings.path }),
          payload: settings.payload,
          expiry: settings.expiry && cluster.ttlMs !== undefined,
        },
        agent: raceAgentRecord(settings, cluster),
        holds: exploration.holds,
        numRuns: exploration.numRuns,
        numShrinks: exploration.numShrinks,
        durationMs: exploration.durationMs,
        runs: exploration.runs,
        ...(ce === undefined
          ? {}
          : {
              counterexample: {
                path: ce.path,
                calls: ce.calls,
                steps: stepLabels(ce.plan),
                timeline: ce.timeline,
                diagnosis: ce.diagnosis,
                replay: raceReplayCommand({ ...settings, expiry: settings.expiry && cluster.ttlMs !== undefined }, ce.path),
                plan: ce.plan,
                observation: ce.observation,
                judgement: ce.judgement,
              },
            }),
        ...(exploration.error === undefined ? {} : { error: exploration.error }),
        ...(interrupted || env.signal?.aborted ? { interrupted: true } : {}),
      };
    } finally {
      await cluster.close();
    }
  } finally {
    await redis.local?.stop();
  }
}

