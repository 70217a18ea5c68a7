import { randomBytes, randomInt } from 'node:crypto';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** The simulator's only source of randomness: ids, caller numbers, chunking, jitter, orders. */
export interface Random {
  /** A uniform float in [0, 1). */
  next(): number;
  /** A uniform integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** An independent stream derived from this one's seed and `label`, unaffected by later draws. */
  derive(label: string): Random;
}

/** FNV-1a over the label, mixed with the seed: stable across runs and platforms. */
function mixSeed(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h | 0;
}

/** A deterministic {@link Random} from a 32-bit seed, built on pure-rand's xoroshiro128+. */
export function createSeededRandom(seed: number): Random {
  const rng = xoroshiro128plus(seed | 0);
  return {
    next: () => uniformFloat64(rng),
    int: (min, max) => uniformInt(rng, min, max),
    derive: (label) => createSeededRandom(mixSeed(seed, label)),
  };
}

/** A non-reproducible {@link Random} backed by node:crypto, for picking a seed when none is given. */
export const cryptoRandom: Random = {
  next: () => randomBytes(6).readUIntBE(0, 6) / 2 ** 48,
  int: (min, max) => randomInt(min, max + 1),
  derive: () => cryptoRandom,
};

/** Picks a fresh 31-bit seed; callers print it so the run can be replayed. */
export function freshSeed(): number {
  return randomInt(0, 2 ** 31 - 1);
}
