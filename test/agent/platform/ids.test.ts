import { describe, expect, it } from 'vitest';
import { createSeededIds, cryptoIds } from '../../../agent/platform/ids.ts';
import { createSeededRandom } from '../../../agent/platform/random.ts';

describe('createSeededIds', () => {
  it('makes lowercase hex ids of OTLP lengths, deterministic from the seed', () => {
    const a = createSeededIds(createSeededRandom(3));
    const b = createSeededIds(createSeededRandom(3));
    const first = [a.traceId(), a.spanId()];
    expect(first).toEqual([b.traceId(), b.spanId()]);
    expect(first[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(first[1]).toMatch(/^[0-9a-f]{16}$/);
  });

  it('never returns an all-zero id, even when the generator draws only zeros at first', () => {
    let calls = 0;
    const zeroThenOne = { next: () => 0, int: () => (calls++ < 8 ? 0 : 1) };
    const ids = createSeededIds(zeroThenOne);
    expect(ids.spanId()).toBe('0101010101010101');
  });
});

describe('cryptoIds', () => {
  it('makes distinct lowercase hex ids of OTLP lengths', () => {
    const traces = new Set(Array.from({ length: 50 }, () => cryptoIds.traceId()));
    expect(traces.size).toBe(50);
    for (const id of traces) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(cryptoIds.spanId()).toMatch(/^[0-9a-f]{16}$/);
  });
});
