import { describe, expect, it } from 'vitest';
import { summariseAllocations } from '../../bench/heapprofile-summary.ts';

interface Frame {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly Frame[];
}

const frame = (functionName: string, url: string, selfSize: number, children: readonly Frame[] = []): Frame => ({
  callFrame: { functionName, url, lineNumber: 9 },
  selfSize,
  children,
});

describe('summariseAllocations', () => {
  it('adds self sizes per function and per package or project folder', () => {
    const root = frame('(root)', '', 0, [
      frame('streamTurn', 'file:///repo/agent/session/relay-session.ts', 300, [
        frame('iterSSEChunks', 'file:///repo/node_modules/openai/core/streaming.mjs', 500),
        frame('send', 'file:///repo/node_modules/ws/lib/sender.js', 100),
      ]),
      frame('streamTurn', 'file:///repo/agent/session/relay-session.ts', 100),
      frame('fetch', 'node:internal/deps/undici/undici', 0),
    ]);
    const summary = summariseAllocations(root, 10);
    expect(summary.totalBytes).toBe(1000);
    expect(summary.functions).toEqual([
      { name: 'iterSSEChunks openai/core/streaming.mjs:10', bytes: 500, percent: 50 },
      { name: 'streamTurn agent/session/relay-session.ts:10', bytes: 400, percent: 40 },
      { name: 'send ws/lib/sender.js:10', bytes: 100, percent: 10 },
    ]);
    expect(summary.groups.map((g) => [g.name, g.bytes])).toEqual([
      ['openai', 500],
      ['agent/session', 400],
      ['ws', 100],
    ]);
  });

  it('keeps only the top rows', () => {
    const root = frame('(root)', '', 0, [frame('a', 'file:///repo/agent/x/a.ts', 3), frame('b', 'file:///repo/agent/x/b.ts', 2), frame('c', 'file:///repo/agent/x/c.ts', 1)]);
    expect(summariseAllocations(root, 2).functions.map((f) => f.name)).toEqual(['a agent/x/a.ts:10', 'b agent/x/b.ts:10']);
  });
});
