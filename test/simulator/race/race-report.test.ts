import { describe, expect, it } from 'vitest';
import type { RaceMatrixRecord } from '../../../simulator/race/race-matrix.ts';
import type { RaceRecord } from '../../../simulator/race/race-record.ts';
import { matrixReportText, raceReportText } from '../../../simulator/race/race-report.ts';
import { raceTimeline } from '../../../simulator/race/race-timeline.ts';
import { judgeRace } from '../../../simulator/race/race-verdict.ts';
import { wilsonInterval } from '../../../simulator/race/wilson.ts';
import { ObservationBuilder } from './observation-builder.ts';

function record(over: Partial<RaceRecord> = {}): RaceRecord {
  return {
    schemaVersion: 1,
    kind: 'race',
    kit: { name: 'relaysim', version: '0.1.0' },
    command: 'npx relaysim race --seed 1 --calls 3 --payload id+from',
    settings: { calls: 3, runs: 50, seed: 1, payload: 'id+from', expiry: true },
    agent: { mode: 'embedded', replicas: 1, sharedRegistry: false, redis: 'none', strategy: 'fifo', ttlMs: 1000, generations: 1, env: {} },
    holds: true,
    numRuns: 50,
    numShrinks: 0,
    durationMs: 4_321,
    runs: [],
    ...over,
  };
}

describe('raceReportText', () => {
  it('reports a property that held, with the record path', () => {
    const text = raceReportText(record(), 'relaysim-report/race.json');
    expect(text).toBe(
      'relaysim race: 50 interleavings of up to 3 calls, payload id+from, strategy fifo, 1 replica, expiry on (TTL 1 s), seed 1 (embedded reference agent)\n' +
        '✓ the correlation contract held for 50 interleavings in 4.3 s\n' +
        'RECORD  relaysim-report/race.json\n',
    );
  });

  it('prints the numbered timeline, the diagnosis and the replay line of a counterexample', () => {
    const obs = new ObservationBuilder(2).register(0).register(1).arrive(1).arrive(0).exported(1, 0).exported(0, 1).build();
    const judgement = judgeRace(obs);
    const timeline = raceTimeline(obs, judgement, { replicas: 1, sharedRegistry: false });
    const text = raceReportText(
      record({
        holds: false,
        numShrinks: 4,
        runs: [
          { index: 1, phase: 'generate', steps: [], pass: true, violations: [], durationMs: 1 },
          { index: 2, phase: 'generate', steps: [], pass: false, violations: [], durationMs: 1 },
        ],
        counterexample: { path: '1:0', calls: 2, steps: [], timeline, diagnosis: ['because'], replay: 'npx relaysim race --seed 1 --path 1:0', plan: { calls: [] }, observation: obs, judgement },
      }),
    );
    expect(text).toContain('✗ the correlation contract broke (first at interleaving 2); shrunk 4 times to 2 calls in 4.3 s');
    expect(text).toContain('TIMELINE (the order the agent saw)\n   1  register A (from +15550100001) → HTTP 200\n');
    expect(text).toContain("   7  B exported with A's id ✗\n");
    expect(text).toContain('WHY\n  because\n');
    expect(text).toContain('REPLAY  npx relaysim race --seed 1 --path 1:0\n');
  });
});

describe('matrixReportText', () => {
  it('prints one row per cell with the Wilson interval and the shrunk counterexamples', () => {
    const m: RaceMatrixRecord = {
      schemaVersion: 1,
      kind: 'race-matrix',
      kit: { name: 'relaysim', version: '0.1.0' },
      command: 'npx relaysim race --matrix',
      settings: { runs: 20, calls: 3, seed: 1, redis: 'none' },
      cells: [
        { strategy: 'caller-id', payload: 'id+from', replicas: 1, runs: 20, failures: 0, rate: 0, interval: wilsonInterval(0, 20), durationMs: 1 },
        {
          strategy: 'fifo',
          payload: 'id',
          replicas: 2,
          runs: 20,
          failures: 7,
          rate: 0.35,
          interval: wilsonInterval(7, 20),
          durationMs: 1,
          counterexample: { calls: 2, path: '0:1', steps: ['register A', 'register B', 'call A arrives'], findings: ['A exported nothing ✗'], diagnosis: ['why not'], replay: 'npx relaysim race --seed 1 --path 0:1' },
        },
      ],
      durationMs: 61_000,
    };
    const text = matrixReportText(m);
    expect(text).toContain('strategy   payload  replicas  failed  rate  95% CI (Wilson)\n');
    expect(text).toContain('caller-id  id+from  1         0/20    0%    0%–16%\n');
    expect(text).toContain('fifo       id       2         7/20    35%   18%–57%\n');
    expect(text).toContain('  fifo · id · 2 replicas (2 calls): register A, register B, call A arrives → A exported nothing ✗\n      why: why not\n      replay: npx relaysim race --seed 1 --path 0:1\n');
    expect(text).toContain('2 cells in 61.0 s');
  });
});

describe('raceReportText for a replay', () => {
  it('says whether the replayed interleaving reproduced', () => {
    const held = raceReportText(record({ settings: { calls: 3, runs: 50, seed: 1, path: '2:0', payload: 'id+from', expiry: true }, numRuns: 1 }));
    expect(held).toContain('replaying path 2:0 (up to 3 calls)');
    expect(held).toContain('✓ the replayed interleaving kept the correlation contract (the counterexample did not reproduce)');
  });
});
