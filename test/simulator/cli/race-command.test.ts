import { describe, expect, it } from 'vitest';
import { parseRaceOptions, raceCommand, type RaceCommandOptions } from '../../../simulator/cli/race-command.ts';
import { memoryIo } from './cli-test-io.ts';

function parsed(args: string[]): RaceCommandOptions {
  const result = parseRaceOptions(args, () => 4242);
  if ('usage' in result) throw new Error(`unexpected usage problem: ${result.usage}`);
  return result;
}

function problem(args: string[]): string {
  const result = parseRaceOptions(args, () => 4242);
  if (!('usage' in result)) throw new Error(`expected a usage problem for ${args.join(' ')}`);
  return result.usage;
}

describe('parseRaceOptions', () => {
  it('has the documented defaults: embedded agent, 3 calls, 50 runs, seed 1, id+from, one replica, expiry on', () => {
    const o = parsed([]);
    expect(o).toMatchObject({ matrix: false, json: false, out: 'relaysim-report/race.json', seedDrawn: false });
    expect(o.settings).toEqual({
      calls: 3,
      runs: 50,
      seed: 1,
      payload: 'id+from',
      replicas: 1,
      redis: { kind: 'none' },
      expiry: true,
      ttlSeconds: 1,
      agent: { kind: 'embedded' },
      agentEnv: {},
      startTimeoutS: 20,
    });
  });

  it('reads every race option', () => {
    const o = parsed(['--calls', '4', '--runs', '9', '--seed', '12', '--path', '3:0:1', '--payload', 'id', '--strategy', 'fifo', '--replicas', '2', '--redis', '--no-expiry', '--export-quiet-ms', '300', '--out', 'x.json', '--json']);
    expect(o.json).toBe(true);
    expect(o.out).toBe('x.json');
    expect(o.settings).toMatchObject({ calls: 4, runs: 9, seed: 12, path: '3:0:1', payload: 'id', strategy: 'fifo', replicas: 2, redis: { kind: 'local' }, expiry: false, exportQuietMs: 300 });
    expect(parsed(['--redis-url', 'redis://127.0.0.1:6390']).settings.redis).toEqual({ kind: 'url', url: 'redis://127.0.0.1:6390' });
    expect(parsed(['--spawn', 'node agent/main.ts', '--agent-env', 'A=1']).settings).toMatchObject({ agent: { kind: 'spawn', command: 'node agent/main.ts' }, agentEnv: { A: '1' } });
  });

  it('draws a seed for --seed random and says so', () => {
    const o = parsed(['--seed', 'random']);
    expect(o.seedDrawn).toBe(true);
    expect(o.settings.seed).toBe(4242);
  });

  it('turns the matrix on with its own defaults and without expiry', () => {
    const o = parsed(['--matrix', '--redis']);
    expect(o).toMatchObject({ matrix: true, out: 'relaysim-report/race-matrix.json' });
    expect(o.settings).toMatchObject({ runs: 20, expiry: false, redis: { kind: 'local' } });
  });

  it('disables expiry and the kit-started options for an agent given by URL', () => {
    expect(parsed(['--agent-url', 'http://127.0.0.1:8080']).settings).toMatchObject({ expiry: false, agent: { kind: 'url', url: 'http://127.0.0.1:8080', openaiPort: 4010, covalPort: 4011 } });
    expect(problem(['--agent-url', 'http://127.0.0.1:8080', '--strategy', 'fifo'])).toContain('--strategy needs an agent the kit starts');
    expect(problem(['--agent-url', 'http://127.0.0.1:8080', '--replicas', '2'])).toContain('--replicas needs an agent the kit starts');
    expect(problem(['--agent-url', 'http://127.0.0.1:8080', '--matrix'])).toContain('--matrix starts agents per cell');
  });

  it('rejects bad values and combinations with a message naming the option', () => {
    expect(problem(['--calls', '0'])).toBe("--calls must be an integer from 1 to 26 (actual: '0')");
    expect(problem(['--replicas', '17'])).toContain('--replicas must be an integer from 1 to 16');
    expect(problem(['--payload', 'from'])).toBe("--payload must be one of id, id+from, id+from+to (actual: 'from')");
    expect(problem(['--strategy', 'lifo'])).toBe("--strategy must be one of fifo, caller-id-fallback, caller-id (actual: 'lifo')");
    expect(problem(['--path', '1:2'])).toContain('pass the --seed it was found with');
    expect(problem(['--seed', '1', '--path', 'a'])).toContain("--path must be fast-check's path");
    expect(problem(['--redis', '--redis-url', 'redis://x'])).toContain('pass only one of them');
    expect(problem(['--redis-url', 'http://x'])).toContain('--redis-url must be a redis://');
    expect(problem(['--matrix', '--strategy', 'fifo'])).toContain('--strategy cannot be combined with --matrix');
    expect(problem(['--spawn', 'x', '--agent-module', 'y.ts'])).toContain('choose one agent');
    expect(problem(['--openai-port', '5000'])).toBe('--openai-port applies to --agent-url only');
    expect(problem(['--frobnicate'])).toContain("Unknown option '--frobnicate'");
  });
});

describe('raceCommand', () => {
  it('prints its usage for --help and exits 2 with it for a usage error', async () => {
    const help = memoryIo('/');
    expect(await raceCommand.run(['--help'], help.io)).toBe(0);
    expect(help.stdout()).toContain('Usage: relaysim race [options]');
    const bad = memoryIo('/');
    expect(await raceCommand.run(['--calls', 'many'], bad.io)).toBe(2);
    expect(bad.stderr()).toContain("relaysim race: --calls must be an integer from 1 to 26 (actual: 'many')");
    expect(bad.stderr()).toContain('Usage: relaysim race [options]');
  });

  it('is a usage error to name no agent when the entry point knows no default', async () => {
    const { io, stderr } = memoryIo('/tmp');
    expect(await raceCommand.run(['--runs', '1', '--out', '/tmp/relaysim-race-unused.json'], io)).toBe(2);
    expect(stderr()).toContain('no agent named and no default agent module known');
  });
});
