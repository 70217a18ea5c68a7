import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../agent/platform/manual-clock.ts';
import { OpenCalls } from '../../../agent/routes/open-calls.ts';

function socket() {
  const closes: Array<[number, string]> = [];
  return { closes, close: (code: number, reason: string) => closes.push([code, reason]) };
}

describe('OpenCalls', () => {
  it('counts calls until each finishes; finish is idempotent', () => {
    const calls = new OpenCalls(new ManualClock());
    const a = calls.open(socket());
    calls.open(socket());
    expect(calls.size).toBe(2);
    a.finish();
    a.finish();
    expect(calls.size).toBe(1);
  });

  it('whenIdle resolves true when the last call finishes before the timeout', async () => {
    const clock = new ManualClock();
    const calls = new OpenCalls(clock);
    const call = calls.open(socket());
    const idle = calls.whenIdle(1_000);
    clock.advance(999);
    call.finish();
    expect(await idle).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('whenIdle resolves false exactly at the timeout when a call is still open', async () => {
    const clock = new ManualClock();
    const calls = new OpenCalls(clock);
    calls.open(socket());
    let result: boolean | undefined;
    void calls.whenIdle(1_000).then((r) => {
      result = r;
    });
    await clock.advanceAsync(999);
    expect(result).toBeUndefined();
    await clock.advanceAsync(1);
    expect(result).toBe(false);
  });

  it('cutAll closes every open socket with 1001', () => {
    const calls = new OpenCalls(new ManualClock());
    const a = socket();
    const b = socket();
    calls.open(a);
    calls.open(b).finish();
    expect(calls.cutAll('bye')).toBe(1);
    expect(a.closes).toEqual([[1001, 'bye']]);
    expect(b.closes).toEqual([]);
  });

  it('stops accepting for good', () => {
    const calls = new OpenCalls(new ManualClock());
    calls.stopAccepting();
    expect(calls.accepting).toBe(false);
  });
});
