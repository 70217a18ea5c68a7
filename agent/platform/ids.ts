import { randomBytes } from 'node:crypto';
import type { Random } from './random.ts';

/** Generates OTLP trace and span ids (lowercase hex, never all zero). */
export interface IdGenerator {
  /** 16 random bytes as 32 lowercase hex characters. */
  traceId(): string;
  /** 8 random bytes as 16 lowercase hex characters. */
  spanId(): string;
}

const ZERO = /^0+$/;

function nonZeroHex(bytes: number, fill: (n: number) => string): string {
  // An all-zero id is invalid in OTLP; the chance is 2^-64 at worst, but never emit one.
  for (;;) {
    const hex = fill(bytes);
    if (!ZERO.test(hex)) return hex;
  }
}

function hexFrom(random: Random, bytes: number): string {
  let out = '';
  for (let i = 0; i < bytes; i++) out += random.int(0, 255).toString(16).padStart(2, '0');
  return out;
}

/** A deterministic {@link IdGenerator} driven by a seeded {@link Random}. */
export function createSeededIds(random: Random): IdGenerator {
  return {
    traceId: () => nonZeroHex(16, (n) => hexFrom(random, n)),
    spanId: () => nonZeroHex(8, (n) => hexFrom(random, n)),
  };
}

/** The production {@link IdGenerator}, backed by node:crypto. */
export const cryptoIds: IdGenerator = {
  traceId: () => nonZeroHex(16, (n) => randomBytes(n).toString('hex')),
  spanId: () => nonZeroHex(8, (n) => randomBytes(n).toString('hex')),
};
