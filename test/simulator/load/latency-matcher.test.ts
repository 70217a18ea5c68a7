import { describe, expect, it } from 'vitest';
import { LatencyMatcher } from '../../../simulator/load/latency-matcher.ts';

describe('LatencyMatcher', () => {
  it('pairs chunks and text frames by content in order and returns each latency', () => {
    const m = new LatencyMatcher();
    m.chunkWritten('Hello', 10);
    m.chunkWritten(' there', 11);
    expect(m.textReceived('Hello', 10.4)).toBeCloseTo(0.4);
    expect(m.textReceived(' there', 12)).toBeCloseTo(1);
    expect(m.counts()).toEqual({ matched: 2, unmatchedFrames: 0, unmatchedChunks: 0 });
  });

  it('matches repeated tokens to the oldest unmatched chunk', () => {
    const m = new LatencyMatcher();
    m.chunkWritten(' the', 1);
    m.chunkWritten(' the', 5);
    expect(m.textReceived(' the', 6)).toBe(5);
    expect(m.textReceived(' the', 6)).toBe(1);
  });

  it('counts a chunk the agent never sent as skipped once a later one matches', () => {
    const m = new LatencyMatcher();
    m.chunkWritten('a', 1);
    m.chunkWritten('b', 2);
    expect(m.textReceived('b', 3)).toBe(1);
    expect(m.counts()).toEqual({ matched: 1, unmatchedFrames: 0, unmatchedChunks: 1 });
  });

  it('counts frames no chunk explains and ignores empty tokens and chunks', () => {
    const m = new LatencyMatcher();
    m.chunkWritten('', 1);
    expect(m.textReceived('', 2)).toBeUndefined();
    expect(m.textReceived("I'm sorry", 3)).toBeUndefined();
    m.chunkWritten('late', 4);
    expect(m.counts()).toEqual({ matched: 0, unmatchedFrames: 1, unmatchedChunks: 1 });
  });

  it('stays correct over long replies (old chunks are dropped as it goes)', () => {
    const m = new LatencyMatcher();
    let total = 0;
    for (let i = 0; i < 500; i++) {
      m.chunkWritten(`t${i}`, i);
      total += m.textReceived(`t${i}`, i + 0.5) ?? 100;
    }
    expect(total).toBeCloseTo(250);
    expect(m.counts().matched).toBe(500);
  });
});
