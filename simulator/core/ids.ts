import type { Random } from './random.ts';

/** Generates every id a simulated call needs, deterministically from a seeded {@link Random}. */
export interface IdGenerator {
  /** 16 bytes as 32 lowercase hex characters, never all zero. */
  traceId(): string;
  /** 8 bytes as 16 lowercase hex characters, never all zero. */
  spanId(): string;
  /** A Twilio-style SID: the two-letter prefix then 32 lowercase hex characters (e.g. `CA…`). */
  sid(prefix: 'CA' | 'VX' | 'AC' | 'AP'): string;
  /** A Coval-style simulation output id (UUID v4 layout). */
  simulationOutputId(): string;
  /** A US test number in the 555-01xx fictional range, E.164. */
  phoneNumber(): string;
}

function hex(random: Random, bytes: number): string {
  let out = '';
  for (let i = 0; i < bytes; i++) out += random.int(0, 255).toString(16).padStart(2, '0');
  return out;
}

function nonZeroHex(random: Random, bytes: number): string {
  for (;;) {
    const value = hex(random, bytes);
    if (/[^0]/.test(value)) return value;
  }
}

/** An {@link IdGenerator} whose every id follows from the given seeded {@link Random}. */
export function createSeededIds(random: Random): IdGenerator {
  return {
    traceId: () => nonZeroHex(random, 16),
    spanId: () => nonZeroHex(random, 8),
    sid: (prefix) => prefix + hex(random, 16),
    simulationOutputId: () => {
      const h = hex(random, 16);
      const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
    phoneNumber: () => `+1555${String(random.int(2_000_000, 9_999_999))}`,
  };
}
