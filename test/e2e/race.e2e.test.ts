/**
 * `relaysim race` end to end over real sockets, against the embedded reference agent (and its
 * replicas behind the round-robin proxy, with a real redis-server where asked): FIFO is caught and
 * shrunk to at most two calls, and the printed replay command reproduces that counterexample
 * exactly; two replicas with in-memory registries fail with the routing explained, and pass when
 * they share Redis; caller-id with caller numbers passes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { raceCommand } from '../../simulator/cli/race-command.ts';
import type { RaceRecord } from '../../simulator/race/race-record.ts';
import { tempFiles } from '../simulator/cli/cli-test-io.ts';
import { kitIo, NODE, ROOT } from '../simulator/cli/kit-io.ts';

async function race(args: readonly string[], ctx: TestContext): Promise<{ code: number; stdout: string; stderr: string; record: RaceRecord }> {
  const dir = await tempFiles({}, ctx.onTestFinished);
  const out = join(dir, 'race.json');
  const { io, stdout, stderr } = kitIo(ROOT);
  const code = await raceCommand.run([...args, '--out', out], io);
  const text = await readFile(out, 'utf8').catch((error: Error) => {
    throw new Error(`relaysim race ${args.join(' ')} wrote no record (exit ${code}): ${error.message}\n${stdout()}\n${stderr()}`);
  });
  return { code, stdout: stdout(), stderr: stderr(), record: JSON.parse(text) as RaceRecord };
}

/** Splits a one-line command as a POSIX shell would (plain words, '…' and "…" quoting). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      current += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (ch === '"') {
      const end = line.indexOf('"', i + 1);
      current += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (ch === '\\') {
      current += line[++i] ?? '';
      inWord = true;
    } else if (ch === ' ') {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

// Concurrent: each test has its own agents and fakes, and every race step waits for the agent's
// evidence (decision 0800), so how busy the machine is changes the time taken, not the verdicts.
describe.concurrent('relaysim race', () => {
  it('finds the FIFO mis-correlation, shrinks it to at most two calls, and its replay command reproduces it exactly', async (ctx) => {
    const found = await race(['--strategy', 'fifo', '--calls', '3'], ctx);
    expect(found.code, found.stdout + found.stderr).toBe(1);
    const ce = found.record.counterexample;
    expect(ce).toBeDefined();
    expect(ce?.calls).toBeLessThanOrEqual(2);
    expect(found.stdout).toContain('TIMELINE (the order the agent saw)');
    expect(found.stdout).toMatch(/exported with [AB]'s id ✗/);
    const replayLine = /^REPLAY {2}(.+)$/m.exec(found.stdout)?.[1] ?? '';
    expect(replayLine).toBe(ce?.replay);
    const words = shellWords(replayLine);
    expect(words.slice(0, 3)).toEqual(['npx', 'relaysim', 'race']);
    expect(words).toEqual(expect.arrayContaining(['--seed', '--path', '--calls', '3', '--strategy', 'fifo']));

    const replayed = await race(words.slice(3), ctx);
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(1);
    expect(replayed.record.runs).toHaveLength(1);
    expect(replayed.record.runs[0]?.phase).toBe('replay');
    expect(replayed.stdout).toContain(`✗ the replayed interleaving breaks the correlation contract (${ce?.calls} call`);
    expect(replayed.record.counterexample?.plan).toEqual(ce?.plan);
    expect(replayed.record.counterexample?.timeline).toEqual(ce?.timeline);
    expect(replayed.record.counterexample?.replay).toBe(ce?.replay);
    for (const line of ce?.timeline ?? []) expect(replayed.stdout).toContain(line);
  }, 60_000);

  it('fails two replicas with in-memory registries and says why; passes them sharing a real redis-server', async (ctx) => {
    const memory = await race(['--replicas', '2', '--runs', '15'], ctx);
    expect(memory.code, memory.stdout + memory.stderr).toBe(1);
    expect(memory.stdout).toMatch(/registration of [A-C] went to replica \d, call [A-C] went to replica \d: replicas do not share the in-memory registry; set REDIS_URL/);
    expect(memory.record.agent).toMatchObject({ replicas: 2, sharedRegistry: false, redis: 'none' });
    expect(memory.record.counterexample?.diagnosis.length).toBeGreaterThan(0);

    const redis = await race(['--replicas', '2', '--runs', '15', '--redis'], ctx);
    expect(redis.code, redis.stdout + redis.stderr).toBe(0);
    expect(redis.stdout).toContain('2 replicas behind a round-robin proxy, sharing Redis');
    expect(redis.stdout).toContain('✓ the correlation contract held for 15 interleavings');
    expect(redis.record).toMatchObject({ holds: true, numRuns: 15, agent: { replicas: 2, sharedRegistry: true, redis: 'local' } });
    expect(redis.record.agent.env.REDIS_URL).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(redis.record.runs.every((r) => r.pass)).toBe(true);
  }, 60_000);

  it('passes caller-id with caller numbers, calls arriving after their TTL included', async (ctx) => {
    const r = await race(['--strategy', 'caller-id', '--payload', 'id+from', '--runs', '25'], ctx);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.record).toMatchObject({ holds: true, numRuns: 25, settings: { expiry: true }, agent: { strategy: 'caller-id', ttlMs: 1000 } });
    expect(r.record.agent.env.SIMULATION_TTL_SECONDS).toBe('1');
    expect(r.record.agent.env.CORRELATION_STRATEGY).toBe('caller-id');
    // Seed 1 generates waits past the TTL: those calls' registrations expired, and they exported nothing.
    expect(r.record.runs.filter((run) => run.steps.includes('wait past the TTL')).length).toBeGreaterThan(0);
  }, 60_000);

  it('drives a spawned agent the same way', async (ctx) => {
    const r = await race(['--spawn', `${NODE} agent/main.ts`, '--strategy', 'fifo', '--calls', '2', '--runs', '30', '--no-expiry'], ctx);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.record.agent.mode).toBe('spawn');
    expect(r.record.counterexample?.calls).toBe(2);
    expect(r.record.counterexample?.replay).toContain(`--spawn "${NODE} agent/main.ts"`);
  }, 60_000);
});
