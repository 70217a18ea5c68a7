import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../simulator/core/manual-clock.ts';
import { type IngestAttempt, TraceStore } from '../../../simulator/coval/trace-store.ts';
import { EXPORT_REJECTION_SETTLE_MS, type ExportWaitResult, isPermanentRejection, waitForExport } from '../../../simulator/scenario/export-wait.ts';
import { covalCall } from '../../support/otlp-fixtures.ts';

const SIM = 'sim-1';
const DEADLINE = 8_000;
const SETTLE = 1_500;

function attempt(store: TraceStore, status: number | null, simulationId: string = SIM): IngestAttempt {
  const a: IngestAttempt = {
    seq: store.nextSeq(),
    receivedAtMs: 0,
    method: 'POST',
    simulationId,
    contentType: 'application/json',
    contentEncoding: null,
    bodyBytes: 10,
    status,
    outcome: status === null ? 'fault-reset' : status === 200 ? 'accepted' : 'fault-status',
    delayMs: 0,
  };
  store.recordAttempt(a);
  return a;
}

function storeBatch(store: TraceStore, seq: number): void {
  store.addBatch({
    seq,
    simulationId: SIM,
    target: 'simulation',
    receivedAtMs: 0,
    contentType: 'application/json',
    contentEncoding: null,
    encoding: 'json',
    headers: {},
    bodyBase64: '',
    request: covalCall(),
    findings: [],
    spanCount: 1,
  });
}

function start(clock: ManualClock, store: TraceStore) {
  let result: ExportWaitResult | undefined;
  const pending = waitForExport({ store, simulationId: SIM, clock, deadlineMs: DEADLINE, settleMs: SETTLE }).then((r) => {
    result = r;
    return r;
  });
  return { pending, current: () => result };
}

describe('waitForExport', () => {
  it('the settle constant is long enough for a retry after the usual first backoff (1 s + 20 % jitter)', () => {
    expect(EXPORT_REJECTION_SETTLE_MS).toBeGreaterThan(1_200);
    expect(EXPORT_REJECTION_SETTLE_MS).toBeLessThan(DEADLINE);
  });

  it('classifies statuses: only 2xx, 429, 502, 503, 504 and resets may be followed by more', () => {
    const store = new TraceStore(new ManualClock());
    for (const status of [400, 401, 403, 404, 413, 500]) expect(isPermanentRejection(attempt(store, status)), String(status)).toBe(true);
    for (const status of [200, 202, 429, 502, 503, 504, null]) expect(isPermanentRejection(attempt(store, status)), String(status)).toBe(false);
  });

  it('gives up after the settle period once a non-retryable answer is left unretried', async () => {
    const clock = new ManualClock();
    const store = new TraceStore(clock);
    const wait = start(clock, store);
    await clock.advanceAsync(300);
    const refused = attempt(store, 400);
    await clock.advanceAsync(SETTLE - 1);
    expect(wait.current()).toBeUndefined();
    await clock.advanceAsync(1);
    expect(await wait.pending).toEqual({ kind: 'rejected', attempt: refused });
    expect(clock.now()).toBe(300 + SETTLE);
    expect(clock.pendingTimers).toBe(0);
  });

  it('counts the settle period from the start of the wait when the refusal came before it', async () => {
    const clock = new ManualClock();
    const store = new TraceStore(clock);
    const refused = attempt(store, 413);
    const wait = start(clock, store);
    await clock.advanceAsync(SETTLE);
    expect(await wait.pending).toEqual({ kind: 'rejected', attempt: refused });
  });

  it('a wrong retry inside the settle window is waited for: an accepted retry is received', async () => {
    const clock = new ManualClock();
    const store = new TraceStore(clock);
    const wait = start(clock, store);
    attempt(store, 400);
    await clock.advanceAsync(1_000);
    const retry = attempt(store, 200);
    storeBatch(store, retry.seq);
    await clock.advanceAsync(0);
    expect((await wait.pending).kind).toBe('received');
    expect(store.attempts(SIM).map((a) => a.status)).toEqual([400, 200]);
  });

  it('a refused retry restarts the settle period from its own answer', async () => {
    const clock = new ManualClock();
    const store = new TraceStore(clock);
    const wait = start(clock, store);
    attempt(store, 400);
    await clock.advanceAsync(1_000);
    const second = attempt(store, 401);
    await clock.advanceAsync(SETTLE - 1);
    expect(wait.current()).toBeUndefined();
    await clock.advanceAsync(1);
    expect(await wait.pending).toEqual({ kind: 'rejected', attempt: second });
    expect(clock.now()).toBe(1_000 + SETTLE);
  });

  it('a request still being handled (e.g. held by a fault delay) holds off the early stop', async () => {
    const clock = new ManualClock();
    const store = new TraceStore(clock);
    const wait = start(clock, store);
    attempt(store, 400);
    await clock.advanceAsync(500);
    store.requestStarted(SIM);
    await clock.advanceAsync(SETTLE * 2);
    expect(wait.current()).toBeUndefined();
    store.requestEnded(SIM);
    await clock.advanceAsync(SETTLE);
    expect((await wait.pending).kind).toBe('rejected');
  });

  it('a retryable answer or a reset does not stop the wait early; the deadline does', async () => {
    for (const status of [503, null]) {
      const clock = new ManualClock();
      const store = new TraceStore(clock);
      const wait = start(clock, store);
      attempt(store, status);
      await clock.advanceAsync(DEADLINE - 1);
      expect(wait.current(), String(status)).toBeUndefined();
      await clock.advanceAsync(1);
      const result = await wait.pending;
      expect(result.kind).toBe('missing');
      expect(result.kind === 'missing' && result.reason).toMatch(/first accepted OTLP batch/);
    }
  });

  it("other simulations' refusals do not count", async () => {
    const clock = new ManualClock();
    const store = new TraceStore(clock);
    const wait = start(clock, store);
    attempt(store, 400, 'other-sim');
    await clock.advanceAsync(SETTLE * 2);
    expect(wait.current()).toBeUndefined();
    await clock.advanceAsync(DEADLINE);
    expect((await wait.pending).kind).toBe('missing');
  });
});
