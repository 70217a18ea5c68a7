/** One race run over real sockets against the embedded reference agent (and replicas of it). */
import { describe, expect, it, onTestFinished } from 'vitest';
import { systemClock } from '../../../simulator/core/clock.ts';
import { type RaceCluster, startRaceCluster } from '../../../simulator/race/race-cluster.ts';
import { leavesState } from '../../../simulator/race/race-explorer.ts';
import type { RaceCallPlan, RacePlan } from '../../../simulator/race/race-plan.ts';
import { runRacePlan } from '../../../simulator/race/race-run.ts';
import { raceTimeline, routingDiagnosis } from '../../../simulator/race/race-timeline.ts';
import { judgeRace } from '../../../simulator/race/race-verdict.ts';

const EMBED_URL = new URL('../../../agent/embed.ts', import.meta.url).href;

async function cluster(strategy: string, replicas = 1): Promise<RaceCluster> {
  const c = await startRaceCluster({ agent: { kind: 'embedded', moduleUrl: EMBED_URL }, clock: systemClock, fetch, replicas, strategy, baseEnv: { LOG_LEVEL: 'warn' } });
  onTestFinished(() => c.close());
  return c;
}

/** A call registered at step time `registerAt` that arrives `arriveAfter` later. */
const call = ([registerAt, arriveAfter]: [number, number], over: Partial<RaceCallPlan> = {}): RaceCallPlan => ({ registerAt, arriveAfter, registration: 'once', gapMs: 0, expire: false, ...over });
/** register A, register B, call B arrives, call A arrives. */
const reversed: RacePlan = { calls: [call([0, 1]), call([0, 0])] };
const inOrder: RacePlan = { calls: [call([0, 0]), call([0, 0])] };

describe('runRacePlan', () => {
  it('lets the agent see exactly the generated order: fifo swaps the ids of calls arriving out of registration order', async () => {
    const c = await cluster('fifo');
    const obs = await runRacePlan(reversed, { cluster: c, payload: 'id+from', clock: systemClock, fetch, runSeed: 1 });
    const j = judgeRace(obs);
    expect(raceTimeline(obs, j, { replicas: 1, sharedRegistry: false })).toEqual([
      'register A (from +15550100001) → HTTP 200',
      'register B (from +15550100002) → HTTP 200',
      'call B arrives (from +15550100002)',
      'call A arrives (from +15550100001)',
      'hang up every call; collect the exports',
      "A exported with B's id ✗",
      "B exported with A's id ✗",
    ]);
    // Each export is traced back to its call by call.sid, whatever id it carries.
    expect(obs.exports.map((e) => e.callSid).sort()).toEqual(obs.calls.map((x) => x.callSid).sort());
    expect(leavesState(obs, j)).toBe(true);

    await c.restart();
    const ok = await runRacePlan(inOrder, { cluster: c, payload: 'id+from', clock: systemClock, fetch, runSeed: 2 });
    const okJudgement = judgeRace(ok);
    expect(okJudgement.pass).toBe(true);
    expect(leavesState(ok, okJudgement)).toBe(false);
    expect(ok.steps.map((s) => s.kind)).toEqual(['register', 'register', 'arrive', 'arrive']);
  });

  it('gives an unregistered call nothing under caller-id and stops waiting after the quiet window', async () => {
    const c = await cluster('caller-id');
    const obs = await runRacePlan({ calls: [call([0, 0]), call([0, 0], { registration: 'missing' })] }, { cluster: c, payload: 'id+from', clock: systemClock, fetch, runSeed: 3, timeouts: { exportQuietMs: 50 } });
    const j = judgeRace(obs);
    expect(j.pass).toBe(true);
    expect(j.verdicts.map((v) => v.line)).toEqual(['A exported with its own id ✓', 'B exported nothing ✓ (never registered)']);
    expect(obs.exportWaitMs).toBeLessThan(2_000);
  });

  it('routes registrations and calls independently over two replicas and explains the lost registration', async () => {
    const c = await cluster('caller-id', 2);
    const obs = await runRacePlan(inOrder, { cluster: c, payload: 'id+from', clock: systemClock, fetch, runSeed: 4 });
    const j = judgeRace(obs);
    // Round-robin from the run's first request: reg A → 1, reg B → 2, webhook A → 1, socket A → 2, webhook B → 1, socket B → 2.
    expect(obs.steps.map((s) => (s.kind === 'register' ? s.replica : [s.webhookReplica, s.socketReplica]))).toEqual([0, 1, [0, 1], [0, 1]]);
    expect(j.pass).toBe(false);
    expect(j.verdicts.map((v) => v.line)).toEqual(['A exported nothing, although its registration was live ✗', 'B exported with its own id ✓']);
    expect(routingDiagnosis(obs, j, { replicas: 2, sharedRegistry: false })).toEqual([
      'registration of A went to replica 1, call A went to replica 2: replicas do not share the in-memory registry; set REDIS_URL',
    ]);
  });
});
