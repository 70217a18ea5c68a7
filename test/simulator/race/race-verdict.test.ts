import { describe, expect, it } from 'vitest';
import { judgeRace, TTL_TOLERANCE_MS } from '../../../simulator/race/race-verdict.ts';
import { ObservationBuilder } from './observation-builder.ts';

const lines = (o: ReturnType<typeof judgeRace>) => o.verdicts.map((v) => v.line);
const kinds = (o: ReturnType<typeof judgeRace>) => o.violations.map((v) => v.kind);

describe('judgeRace', () => {
  it('passes when every call exports with its own id', () => {
    const j = judgeRace(new ObservationBuilder(2).register(0).register(1).arrive(1).arrive(0).exported(0, 0).exported(1, 1).build());
    expect(j.pass).toBe(true);
    expect(lines(j)).toEqual(['A exported with its own id ✓', 'B exported with its own id ✓']);
    expect(j.violations).toEqual([]);
  });

  it('names swapped ids from the exporting call and reports both calls', () => {
    const j = judgeRace(new ObservationBuilder(2).register(0).register(1).arrive(1).arrive(0).exported(1, 0).exported(0, 1).build());
    expect(j.pass).toBe(false);
    expect(lines(j)).toEqual(["A exported with B's id ✗", "B exported with A's id ✗"]);
    expect(kinds(j)).toEqual(['wrong-id', 'wrong-id']);
    expect(j.violations[0]?.calls).toEqual([0, 1]);
  });

  it('requires an unregistered call to export nothing, and flags the id it stole', () => {
    const quiet = judgeRace(new ObservationBuilder(2).register(0).arrive(1).arrive(0).exported(0, 0).build());
    expect(quiet.pass).toBe(true);
    expect(quiet.verdicts[1]).toMatchObject({ expected: 'none', reason: 'never registered', ok: true, line: 'B exported nothing ✓ (never registered)' });

    const stolen = judgeRace(new ObservationBuilder(2).register(0).arrive(1).arrive(0).exported(1, 0).build());
    expect(stolen.pass).toBe(false);
    expect(lines(stolen)).toEqual(['A exported nothing, although its registration was live ✗', "B exported with A's id ✗"]);
    expect(kinds(stolen)).toEqual(['missing-export', 'wrong-id']);
  });

  it('treats a refused registration (an HTTP answer) as no registration', () => {
    const j = judgeRace(new ObservationBuilder(1).register(0, { status: 503 }).arrive(0).build());
    expect(j.pass).toBe(true);
    expect(j.verdicts[0]).toMatchObject({ expected: 'none', reason: 'registration refused' });
  });

  it('counts a duplicate sent before the arrival when the first registration failed, and reports the failure', () => {
    const j = judgeRace(new ObservationBuilder(1).register(0, { outcome: 'network-error' }).register(0, { duplicate: true }).arrive(0).exported(0, 0).build());
    expect(j.verdicts[0]).toMatchObject({ expected: 'own', ok: true });
    expect(kinds(j)).toEqual(['registration-failed']);
    expect(j.violations[0]?.message).toBe('register A got no answer: TypeError: fetch failed ✗');
    expect(j.pass).toBe(false);
  });

  it('ignores a duplicate sent after the arrival when deciding what the call is owed', () => {
    const j = judgeRace(new ObservationBuilder(1).arrive(0).register(0).build());
    expect(j.verdicts[0]).toMatchObject({ expected: 'none', reason: 'never registered', ok: true });
  });

  it('judges expiry from the measured ages, with an undecided band around the TTL', () => {
    const ttl = 1_000;
    const expired = judgeRace(new ObservationBuilder(1).ttl(ttl).register(0).wait(ttl + TTL_TOLERANCE_MS + 1).arrive(0).build());
    expect(expired.verdicts[0]).toMatchObject({ expected: 'none', reason: 'registration expired', ok: true });

    const claimedAnyway = judgeRace(new ObservationBuilder(1).ttl(ttl).register(0).wait(ttl + 200).arrive(0).exported(0, 0).build());
    expect(claimedAnyway.pass).toBe(false);
    expect(kinds(claimedAnyway)).toEqual(['expired-id-used']);
    expect(lines(claimedAnyway)).toEqual(['A exported with its own id, although its registration had expired ✗']);

    const boundary = new ObservationBuilder(1).ttl(ttl).register(0).wait(ttl - 10).arrive(0);
    expect(judgeRace(boundary.build()).verdicts[0]).toMatchObject({ expected: 'own-or-none', ok: true });
    expect(judgeRace(boundary.exported(0, 0).build()).pass).toBe(true);

    const live = judgeRace(new ObservationBuilder(1).ttl(ttl).register(0).wait(ttl - 200).arrive(0).build());
    expect(live.verdicts[0]).toMatchObject({ expected: 'own', ok: false });
  });

  it('flags an id used by two calls and an export no call of the run owns', () => {
    const j = judgeRace(new ObservationBuilder(2).register(0).register(1).arrive(0).arrive(1).exported(0, 0).exported(1, 0).exported(undefined, 1).exported(undefined, 'sim-leftover').build());
    expect(kinds(j)).toContain('id-reused');
    expect(j.violations.find((v) => v.kind === 'id-reused')?.message).toBe("A's id was used by A and B ✗");
    expect(j.violations.filter((v) => v.kind === 'orphan-export').map((v) => v.message)).toEqual([
      "an export under B's id belongs to no call of this run ✗",
      'an export under an unknown id (sim-leftover) belongs to no call of this run ✗',
    ]);
  });

  it('fails a run whose arrival did not get through or that stopped early', () => {
    const failed = judgeRace(new ObservationBuilder(1).register(0).arrive(0, { failure: 'the relay handshake failed (403)' }).build());
    expect(kinds(failed)).toEqual(['arrival-failed', 'missing-export']);
    expect(judgeRace(new ObservationBuilder(1).register(0).arrive(0).exported(0, 0).error('an agent replica exited').build()).pass).toBe(false);
  });
});
