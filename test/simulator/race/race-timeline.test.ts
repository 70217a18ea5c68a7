import { describe, expect, it } from 'vitest';
import { raceTimeline, routingDiagnosis } from '../../../simulator/race/race-timeline.ts';
import { judgeRace } from '../../../simulator/race/race-verdict.ts';
import { ObservationBuilder } from './observation-builder.ts';

describe('raceTimeline', () => {
  it('reads as the steps in order, the hang-up and one verdict per call', () => {
    const obs = new ObservationBuilder(2).register(0).register(1).arrive(1).arrive(0).exported(1, 0).exported(0, 1).build();
    expect(raceTimeline(obs, judgeRace(obs), { replicas: 1, sharedRegistry: false })).toEqual([
      'register A (from +15550100001) → HTTP 200',
      'register B (from +15550100002) → HTTP 200',
      'call B arrives (from +15550100002)',
      'call A arrives (from +15550100001)',
      'hang up every call; collect the exports',
      "A exported with B's id ✗",
      "B exported with A's id ✗",
    ]);
  });

  it('shows replicas, waits, unregistered calls and findings beyond the per-call verdicts', () => {
    const obs = new ObservationBuilder(2)
      .ttl(1_000)
      .register(0, { replica: 0 })
      .register(0, { replica: 1, duplicate: true, outcome: 'network-error' })
      .arrive(0, { webhookReplica: 1, socketReplica: 0, expiryWaitMs: 1_300 })
      .arrive(1, { webhookReplica: 0, socketReplica: 1 })
      .exported(0, 0)
      .exported(1, 0)
      .build();
    const lines = raceTimeline(obs, judgeRace(obs), { replicas: 2, sharedRegistry: false });
    expect(lines).toContain('register A (from +15550100001) → HTTP 200, replica 1');
    expect(lines).toContain('register A again (from +15550100001) → network-error, replica 2');
    expect(lines).toContain('wait 1300 ms (past the 1000 ms TTL)');
    expect(lines).toContain('call A arrives (from +15550100001) → webhook on replica 2, socket on replica 1');
    expect(lines).toContain('(B is never registered)');
    expect(lines).toContain("A's id was used by A and B ✗");
    expect(lines).toContain('register A again got no answer: TypeError: fetch failed ✗');
  });
});

describe('routingDiagnosis', () => {
  const split = () => new ObservationBuilder(2).register(0, { replica: 0 }).register(1, { replica: 1 }).arrive(0, { webhookReplica: 0, socketReplica: 1 }).arrive(1, { webhookReplica: 0, socketReplica: 1 }).exported(1, 1).build();

  it('says why when a registration and its call went to different replicas with in-memory registries', () => {
    const obs = split();
    expect(routingDiagnosis(obs, judgeRace(obs), { replicas: 2, sharedRegistry: false })).toEqual([
      'registration of A went to replica 1, call A went to replica 2: replicas do not share the in-memory registry; set REDIS_URL',
    ]);
  });

  it('says nothing with one replica, a shared registry, or when routing was not the cause', () => {
    const obs = split();
    expect(routingDiagnosis(obs, judgeRace(obs), { replicas: 1, sharedRegistry: false })).toEqual([]);
    expect(routingDiagnosis(obs, judgeRace(obs), { replicas: 2, sharedRegistry: true })).toEqual([]);
    const same = new ObservationBuilder(2).register(0, { replica: 0 }).register(1, { replica: 1 }).arrive(1, { socketReplica: 1 }).arrive(0, { socketReplica: 0 }).exported(1, 0).exported(0, 1).build();
    expect(routingDiagnosis(same, judgeRace(same), { replicas: 2, sharedRegistry: false })).toEqual([]);
  });
});
