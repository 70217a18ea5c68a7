import { describe, expect, it } from 'vitest';
import type { DialRecord } from '../../../simulator/coval/dialer.ts';
import type { RelaySessionRecord } from '../../../simulator/twilio/relay-session-record.ts';
import { planCalls, scenarioRandom } from '../../../simulator/scenario/call-plan.ts';
import type { CallState } from '../../../simulator/scenario/drive-call.ts';
import { parseScenario } from '../../../simulator/scenario/load-scenario.ts';
import { callRecordOf, isClean } from '../../../simulator/scenario/run-record-parts.ts';

const SCENARIO = parseScenario(
  `id: parts
title: One call, two steps
caller:
  - say: "Hello?"
  - waitForReply: { timeoutMs: 3000 }
`,
  'parts.yaml',
);
const PLAN = planCalls(SCENARIO, scenarioRandom(SCENARIO, 3))[0] as CallState['plan'];

function dial(status: number): DialRecord {
  return { simulationOutputId: PLAN.simulationOutputId, url: 'http://agent/register', payload: {}, requestHeaders: {}, sentAtMs: 0, durationMs: 0, outcome: 'response', status };
}

// Only `end` matters to isClean; the rest of a session record is irrelevant here.
const ENDED = { end: { cause: 'caller-hangup' } } as unknown as RelaySessionRecord;

function state(over: Partial<CallState>): CallState {
  return { plan: PLAN, dials: [], arrivalPosition: 0, steps: [], ...over };
}

describe('isClean', () => {
  it('is clean when every accepted registration was exported and every socket ended', () => {
    expect(isClean([state({ dials: [dial(200)], relay: ENDED, export: { expected: true, status: 'received', waitedMs: 1 } })])).toBe(true);
    expect(isClean([state({ dials: [dial(400)], relay: ENDED, export: { expected: false, status: 'none', waitedMs: 0 } })])).toBe(true);
  });

  it('is not clean when an accepted registration was never exported, a stray export came, or a socket never ended', () => {
    expect(isClean([state({ dials: [dial(200)], relay: ENDED, export: { expected: true, status: 'missing', waitedMs: 1 } })])).toBe(false);
    expect(isClean([state({ dials: [], relay: ENDED, export: { expected: false, status: 'unexpected', waitedMs: 1 } })])).toBe(false);
    expect(isClean([state({ dials: [dial(200)], export: { expected: true, status: 'received', waitedMs: 1 } })])).toBe(false);
  });
});

describe('callRecordOf', () => {
  it('lists every step of a call that was never placed as skipped, and no export owed', () => {
    const record = callRecordOf(state({ arrivalPosition: 0 }));
    expect(record.steps.map((s) => [s.index, s.kind, s.outcome, s.detail])).toEqual([
      [0, 'say', 'skipped', 'the call was not placed'],
      [1, 'waitForReply', 'skipped', 'the call was not placed'],
    ]);
    expect(record.export).toEqual({ expected: false, status: 'none', waitedMs: 0 });
    expect(record.callSid).toBe(PLAN.call.callSid);
    expect(record.simulationOutputId).toBe(PLAN.simulationOutputId);
  });

  it('keeps the steps a call played and copies its registration headers', () => {
    const steps = [{ index: 0, kind: 'say', startedAtMs: 1, endedAtMs: 2, outcome: 'ok' }] as unknown as CallState['steps'];
    const s = state({ steps, dials: [dial(200)] });
    const record = callRecordOf(s);
    expect(record.steps).toBe(steps);
    expect(record.registration.dials).toEqual([dial(200)]);
    expect(record.registration.headers).not.toBe(PLAN.spec.registration.headers);
    expect(record.registration.headers).toEqual(PLAN.spec.registration.headers);
  });
});
