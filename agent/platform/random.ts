import { randomBytes, randomInt } from 'node:crypto';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** The agent's only source of randomness (retry jitter, ids in tests). */
export interface Random {
  /** A uniform float in [0, 1). */
  next(): number;
  /** A uniform integer in [min, max], both included. */
  int(min: number, max: number): number;
}

/** A deterministic {@link Random} from a 32-bit seed, built on pure-rand's xoroshiro128+. */
export function createSeededRandom(seed: number): Random {
  const rng = xoroshiro128plus(seed | 0);
  return {
    next: () => uniformFloat64(rng),
    int: (min, max) => uniformInt(rng, min, max),
  };
}

/** The production {@link Random}, backed by node:crypto. */
export const cryptoRandom: Random = {
  next: () => randomBytes(6).readUIntBE(0, 6) / 2 ** 48,
  int: (min, max) => randomInt(min, max + 1),
};
