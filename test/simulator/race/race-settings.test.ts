import { describe, expect, it } from 'vitest';
import { raceReplayCommand, RACE_DEFAULTS, type RaceSettings, shellArg } from '../../../simulator/race/race-settings.ts';

const base: RaceSettings = {
  calls: 3,
  runs: 50,
  seed: 7,
  payload: 'id+from',
  replicas: 1,
  redis: { kind: 'none' },
  expiry: true,
  ttlSeconds: RACE_DEFAULTS.ttlSeconds,
  agent: { kind: 'embedded' },
  agentEnv: {},
  startTimeoutS: RACE_DEFAULTS.startTimeoutS,
};

describe('raceReplayCommand', () => {
  it('repeats everything that shapes the generator and the agent, with the path', () => {
    expect(raceReplayCommand({ ...base, strategy: 'fifo' }, '3:1:0')).toBe('npx relaysim race --seed 7 --path 3:1:0 --calls 3 --payload id+from --strategy fifo');
    expect(raceReplayCommand({ ...base, replicas: 2, redis: { kind: 'local' }, expiry: false }, '0')).toBe('npx relaysim race --seed 7 --path 0 --calls 3 --payload id+from --replicas 2 --no-expiry --redis');
    expect(raceReplayCommand({ ...base, ttlSeconds: 2, exportQuietMs: 500 }, '1')).toBe('npx relaysim race --seed 7 --path 1 --calls 3 --payload id+from --ttl 2 --export-quiet-ms 500');
  });

  it('names spawned and URL agents, extra variables and Redis URLs', () => {
    expect(raceReplayCommand({ ...base, agent: { kind: 'spawn', command: 'python3 agent.py --port $PORT' }, agentEnv: { LOG_LEVEL: 'debug' }, redis: { kind: 'url', url: 'redis://127.0.0.1:6380' } }, '2')).toBe(
      "npx relaysim race --seed 7 --path 2 --calls 3 --payload id+from --spawn 'python3 agent.py --port $PORT' --agent-env LOG_LEVEL=debug --redis-url redis://127.0.0.1:6380",
    );
    expect(raceReplayCommand({ ...base, expiry: false, agent: { kind: 'url', url: 'http://127.0.0.1:8080', openaiPort: 5000, covalPort: 4011 } }, '0')).toBe(
      'npx relaysim race --seed 7 --path 0 --calls 3 --payload id+from --no-expiry --agent-url http://127.0.0.1:8080 --openai-port 5000',
    );
  });

  it('without a path replays the whole exploration (runs included when not the default)', () => {
    expect(raceReplayCommand({ ...base, runs: 10 })).toBe('npx relaysim race --seed 7 --calls 3 --runs 10 --payload id+from');
  });
});

describe('shellArg', () => {
  it('quotes only what the shell would change', () => {
    expect(shellArg('id+from')).toBe('id+from');
    expect(shellArg('node agent.ts')).toBe('"node agent.ts"');
    expect(shellArg("it's $HOME")).toBe(`'it'\\''s $HOME'`);
    expect(shellArg('')).toBe('""');
  });
});
