import { KIT } from '../scenario/run-record.ts';
import type { RaceAgentChoice, RaceRedisChoice } from './race-settings.ts';
import type { RaceObservation } from './race-observation.ts';
import type { RacePlan } from './race-plan.ts';
import type { RaceRunSummary } from './race-explorer.ts';
import type { RaceJudgement } from './race-verdict.ts';

/** Version of the race record's JSON shape. */
export const RACE_RECORD_SCHEMA_VERSION = 1;

/** How the agents were set up for a race. */
export interface RaceAgentRecord {
  readonly mode: RaceAgentChoice['kind'];
  /** The module, command or URL the user named (absent: the reference agent). */
  readonly target?: string;
  readonly replicas: number;
  readonly sharedRegistry: boolean;
  readonly redis: RaceRedisChoice['kind'];
  readonly strategy?: string;
  /** The TTL the kit set, when it set one. */
  readonly ttlMs?: number;
  /** How many times the replicas were started (they restart after a run that may leave state). */
  readonly generations: number;
  /** The first replica's environment, secrets redacted. */
  readonly env: Readonly<Record<string, string>>;
}

/** The shrunk counterexample as saved. */
export interface RaceCounterexampleRecord {
  readonly path: string;
  readonly calls: number;
  readonly steps: readonly string[];
  readonly timeline: readonly string[];
  readonly diagnosis: readonly string[];
  readonly replay: string;
  readonly plan: RacePlan;
  readonly observation: RaceObservation;
  readonly judgement: RaceJudgement;
}

/** What `relaysim race` saves (`--out`, default `relaysim-report/race.json`). */
export interface RaceRecord {
  readonly schemaVersion: typeof RACE_RECORD_SCHEMA_VERSION;
  readonly kind: 'race';
  readonly kit: typeof KIT;
  /** Replays the whole exploration. */
  readonly command: string;
  readonly settings: {
    readonly calls: number;
    readonly runs: number;
    readonly seed: number;
    readonly path?: string;
    readonly payload: string;
    readonly expiry: boolean;
  };
  readonly agent: RaceAgentRecord;
  readonly holds: boolean;
  readonly numRuns: number;
  readonly numShrinks: number;
  readonly durationMs: number;
  readonly runs: readonly RaceRunSummary[];
  readonly counterexample?: RaceCounterexampleRecord;
  /** Set when the race could not be judged (the agent died, a kit bug). */
  readonly error?: string;
  /** Set when SIGINT stopped the race early. */
  readonly interrupted?: boolean;
}

/** Secrets (`*_KEY`, `*_TOKEN`, passwords in URLs) replaced by `<redacted>`. */
export function redactRaceEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(env).sort()) {
    const value = env[key] ?? '';
    out[key] = /(_KEY|_TOKEN|SECRET|PASSWORD)$/i.test(key) ? '<redacted>' : value.replace(/\/\/([^@/]*):([^@/]*)@/, '//$1:<redacted>@');
  }
  return out;
}
