import { describe, expect, it } from 'vitest';
import { parseHttpDate, parseRetryAfterMs } from '../../../agent/tracing/retry-after.ts';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('parseRetryAfterMs', () => {
  it('reads delta-seconds as milliseconds', () => {
    expect(parseRetryAfterMs('3', NOW)).toBe(3000);
    expect(parseRetryAfterMs(' 0 ', NOW)).toBe(0);
    expect(parseRetryAfterMs('120', NOW)).toBe(120_000);
  });

  it('reads an IMF-fixdate relative to the given now', () => {
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 12:00:07 GMT', NOW)).toBe(7000);
  });

  it('gives 0 for a date already past', () => {
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 11:59:00 GMT', NOW)).toBe(0);
  });

  it('returns undefined for a missing or malformed header', () => {
    for (const bad of [null, undefined, '', 'soon', '1.5', '-3', '2026-01-01T12:00:07Z', 'Thu, 01 Foo 2026 12:00:07 GMT']) {
      expect(parseRetryAfterMs(bad, NOW), String(bad)).toBeUndefined();
    }
  });
});

describe('parseHttpDate', () => {
  it('accepts the three HTTP-date forms of RFC 9110', () => {
    const expected = Date.UTC(1994, 10, 6, 8, 49, 37);
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(expected);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(expected);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(expected);
  });

  it('reads a two-digit RFC 850 year below 70 as 20xx', () => {
    expect(parseHttpDate('Thursday, 01-Jan-26 12:00:00 GMT')).toBe(NOW);
  });
});
