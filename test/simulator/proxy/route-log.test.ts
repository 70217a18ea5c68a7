import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../simulator/core/manual-clock.ts';
import { RouteLog } from '../../../simulator/proxy/route-log.ts';

describe('RouteLog', () => {
  it('numbers records in arrival order and stamps them on the clock', () => {
    const clock = new ManualClock({ startMs: 100 });
    const log = new RouteLog(clock);
    const first = log.open('http', 'POST', '/register-simulation');
    clock.advance(5);
    const second = log.open('ws', 'GET', '/ws');
    log.respond(second, 101);
    clock.advance(3);
    log.end(second, 'completed');
    expect(first).toMatchObject({ seq: 0, target: -1, startedAt: 100 });
    expect(second).toMatchObject({ seq: 1, kind: 'ws', status: 101, startedAt: 105, respondedAt: 105, endedAt: 108, outcome: 'completed' });
    expect(log.records).toEqual([first, second]);
  });

  it('keeps the first outcome', () => {
    const log = new RouteLog(new ManualClock());
    const record = log.open('http', 'GET', '/');
    log.end(record, 'target-failed', 'ECONNREFUSED');
    log.end(record, 'proxy-closed');
    expect(record).toMatchObject({ outcome: 'target-failed', error: 'ECONNREFUSED' });
  });

  it('resolves settled for routes that end later, that already ended and that have not arrived yet', async () => {
    const log = new RouteLog(new ManualClock());
    const early = log.open('http', 'GET', '/a');
    log.end(early, 'completed');
    const pendingLater = log.settled(1);
    const later = log.open('http', 'GET', '/b');
    const pendingTwice = log.settled(1);
    let resolved = false;
    void pendingLater.then(() => (resolved = true));
    await Promise.resolve();
    expect(resolved).toBe(false);
    log.end(later, 'client-aborted');
    expect(await log.settled(0)).toBe(early);
    expect(await pendingLater).toBe(later);
    expect(await pendingTwice).toBe(later);
  });
});
