import { randomInt } from 'node:crypto';
import type { Parameters } from 'fast-check';

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`${name} must be an integer (actual: '${raw}')`);
  return value;
}

/**
 * fast-check parameters for every property in the suite: the seed comes from `FC_SEED` or a fresh
 * one, `FC_PATH` replays one counterexample, `FC_NUM_RUNS` scales the run count. The seed is printed
 * up front so even a passing run can be reproduced, and fast-check prints seed and path on failure.
 */
export function fcOptions<T>(defaults: Parameters<T> = {}, label = ''): Parameters<T> {
  const seed = envInt('FC_SEED') ?? randomInt(0, 2 ** 31 - 1);
  const path = process.env.FC_PATH;
  const numRuns = envInt('FC_NUM_RUNS') ?? defaults.numRuns;
  console.info(`[fast-check]${label ? ` ${label}:` : ''} seed=${seed}${path ? ` path=${path}` : ''} (replay: FC_SEED=${seed}${path ? ` FC_PATH=${path}` : ''})`);
  return {
    ...defaults,
    seed,
    ...(path ? { path, endOnFailure: true } : {}),
    ...(numRuns === undefined ? {} : { numRuns }),
  };
}
