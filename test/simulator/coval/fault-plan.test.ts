import { describe, expect, it, vi } from 'vitest';
import { SimErrors } from '../../../simulator/core/errors.ts';
import { ManualClock } from '../../../simulator/core/manual-clock.ts';
import { FaultPlans } from '../../../simulator/coval/fault-plan.ts';
import { CLEAN_JSON, fakeCoval, JSON_HEADERS, listen, SIM } from './coval-test-kit.ts';

const post = (fake: ReturnType<typeof fakeCoval>, headers: Record<string, string> = JSON_HEADERS) =>
  fake.app.inject({ method: 'POST', url: '/v1/traces', headers, payload: CLEAN_JSON });

describe('FaultPlans', () => {
  it('prefers a simulation plan over the global one and falls back to normal handling', () => {
    const plans = new FaultPlans();
    plans.set({ steps: [{ kind: 'status', status: 500 }] });
    plans.set({ steps: [{ kind: 'status', status: 429 }] }, 'a');
    expect(plans.take('a')).toMatchObject({ scope: 'simulation', index: 0, step: { status: 429 } });
    expect(plans.take('a')).toBeUndefined();
    expect(plans.take('b')).toMatchObject({ scope: 'global', step: { status: 500 } });
    expect(plans.take(undefined)).toBeUndefined();
  });

  it("keeps answering with the last step under then: 'repeat-last'", () => {
    const plans = new FaultPlans();
    plans.set({ steps: [{ kind: 'pass' }, { kind: 'reset' }], then: 'repeat-last' });
    expect([1, 2, 3].map(() => plans.take('x')?.step.kind)).toEqual(['pass', 'reset', 'reset']);
  });

  it('rejects malformed plans with SIM_ERR_COVAL_FAULT_PLAN_INVALID', () => {
    const plans = new FaultPlans();
    expect(() => plans.set({ steps: [{ kind: 'status', status: 99 }] })).toThrow(SimErrors.SIM_ERR_COVAL_FAULT_PLAN_INVALID);
    expect(() => plans.set({ steps: [{ kind: 'pass', delayMs: -1 }] })).toThrow(/delayMs must be a finite number >= 0/);
    expect(() => plans.set({ steps: [{ kind: 'explode' } as never] })).toThrow(/kind must be/);
  });
});

describe('fake Coval fault injection', () => {
  it('answers 503 with Retry-After, then accepts the retry, recording both attempts', async () => {
    const fake = fakeCoval();
    fake.faults.set({ steps: [{ kind: 'status', status: 503, retryAfter: 1 }] }, SIM);
    const first = await post(fake);
    expect(first.statusCode).toBe(503);
    expect(first.headers['retry-after']).toBe('1');
    expect(first.json()).toEqual({ error: { code: 'INTERNAL', message: 'Database routing is temporarily unavailable. Please retry.', details: [] } });
    const second = await post(fake);
    expect(second.statusCode).toBe(200);
    expect(fake.store.attempts().map((a) => [a.status, a.outcome])).toEqual([[503, 'fault-status'], [200, 'accepted']]);
    expect(fake.store.batches(SIM)).toHaveLength(1);
  });

  it('a scripted 2xx is Coval accepting the batch: stored as usual and answered with that status', async () => {
    const fake = fakeCoval();
    fake.faults.set({ steps: [{ kind: 'status', status: 202 }, { kind: 'status', status: 201, retryAfter: 3 }] }, SIM);
    const first = await post(fake);
    expect(first.statusCode).toBe(202);
    expect(first.json()).toEqual({ status: 'ok', simulation_output_id: SIM });
    const second = await post(fake);
    expect([second.statusCode, second.headers['retry-after']]).toEqual([201, '3']);
    expect(fake.store.batches(SIM)).toHaveLength(2);
    expect(fake.store.batches(SIM)[0]?.spanCount).toBeGreaterThan(0);
    expect(fake.store.attempts().map((a) => [a.status, a.outcome, a.reason])).toEqual([
      [202, 'accepted', 'fault plan (simulation) step 0: 202'],
      [201, 'accepted', 'fault plan (simulation) step 1: 201'],
    ]);
  });

  it("a scripted 2xx does not skip Coval's checks: a request they refuse is still refused", async () => {
    const fake = fakeCoval();
    fake.faults.set({ steps: [{ kind: 'status', status: 200 }] }, SIM);
    const refused = await post(fake, { ...JSON_HEADERS, 'x-api-key': 'wrong' });
    expect(refused.statusCode).toBe(401);
    expect(fake.store.batches(SIM)).toHaveLength(0);
    expect(fake.store.attempts().map((a) => [a.status, a.outcome, a.rule])).toEqual([[401, 'rejected', 'OTLP-COVAL-API-KEY']]);
  });

  it('can inject 429, 500 and 400 from a global plan', async () => {
    const fake = fakeCoval();
    fake.faults.set({ steps: [429, 500, 400].map((status) => ({ kind: 'status' as const, status })) });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(fake)).statusCode);
    expect(statuses).toEqual([429, 500, 400, 200]);
  });

  it('adds latency on the injected clock before answering', async () => {
    const clock = new ManualClock();
    const fake = fakeCoval({ clock });
    fake.faults.set({ steps: [{ kind: 'pass', delayMs: 1000 }] });
    let done = false;
    const pending = post(fake).then((r) => {
      done = true;
      return r;
    });
    await vi.waitFor(() => expect(clock.pendingTimers).toBe(1));
    await clock.advanceAsync(999);
    expect(done).toBe(false);
    await clock.advanceAsync(1);
    expect((await pending).statusCode).toBe(200);
    expect(fake.store.attempts()[0]).toMatchObject({ delayMs: 1000, outcome: 'accepted' });
  });

  it('counts a delayed request as in flight and tells subscribers when it starts, is recorded and ends', async () => {
    const clock = new ManualClock();
    const fake = fakeCoval({ clock });
    fake.faults.set({ steps: [{ kind: 'status', status: 400, delayMs: 500 }] });
    const seen: string[] = [];
    const unsubscribe = fake.store.subscribe((id) => seen.push(`${id}:${fake.store.inFlight(id)}:${fake.store.attempts(id ?? undefined).length}`));
    const pending = post(fake);
    await vi.waitFor(() => expect(clock.pendingTimers).toBe(1));
    expect(fake.store.inFlight(SIM)).toBe(1);
    await clock.advanceAsync(500);
    expect((await pending).statusCode).toBe(400);
    expect(fake.store.inFlight(SIM)).toBe(0);
    expect(seen).toEqual([`${SIM}:1:0`, `${SIM}:1:1`, `${SIM}:0:1`]);
    unsubscribe();
    await post(fake);
    expect(seen).toHaveLength(3);
  });

  it('resets the connection without an answer', async () => {
    const fake = fakeCoval();
    fake.faults.set({ steps: [{ kind: 'reset' }] }, SIM);
    const base = await listen(fake);
    await expect(fetch(`${base}/v1/traces`, { method: 'POST', headers: JSON_HEADERS, body: CLEAN_JSON })).rejects.toThrow();
    const retry = await fetch(`${base}/v1/traces`, { method: 'POST', headers: JSON_HEADERS, body: CLEAN_JSON });
    expect(retry.status).toBe(200);
    expect(fake.store.attempts().map((a) => [a.status, a.outcome])).toEqual([[null, 'fault-reset'], [200, 'accepted']]);
  });
});

describe('waitForBatch', () => {
  it('resolves on the first accepted batch, ignoring faulted attempts', async () => {
    const fake = fakeCoval({ clock: new ManualClock() });
    fake.faults.set({ steps: [{ kind: 'status', status: 503 }] });
    const waiting = fake.waitForBatch(SIM, { timeoutMs: 30_000 });
    await post(fake);
    await post(fake);
    await expect(waiting).resolves.toMatchObject({ index: 0, simulationId: SIM, spanCount: 7 });
    await expect(fake.waitForBatch(SIM, { timeoutMs: 1 })).resolves.toMatchObject({ index: 0 });
  });

  it('times out on the clock with an error naming the simulation and what arrived', async () => {
    const clock = new ManualClock();
    const fake = fakeCoval({ clock });
    fake.faults.set({ steps: [{ kind: 'status', status: 503 }] });
    await post(fake);
    const waiting = fake.waitForBatch(SIM, { timeoutMs: 5000 });
    const settled = expect(waiting).rejects.toMatchObject({
      code: 'SIM_ERR_WAIT_TIMEOUT',
      message: expect.stringContaining(`simulation '${SIM}' at fake Coval POST /v1/traces (1 attempt(s), last 503 fault-status)`) as unknown as string,
    });
    clock.advance(4999);
    clock.advance(1);
    await settled;
    expect(clock.pendingTimers).toBe(0);
  });
});
