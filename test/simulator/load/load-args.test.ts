import { describe, expect, it } from 'vitest';
import { isLoadUsageProblem, parseLoadArgs } from '../../../simulator/load/load-args.ts';

describe('parseLoadArgs', () => {
  it('defaults to the embedded agent, a closed loop of 1000 calls at concurrency 50', () => {
    expect(parseLoadArgs([])).toMatchObject({ concurrency: 50, calls: 1000, prompts: 2, warmup: 0, rampMs: 0, thinkMs: 0, firstTokenMs: 5, interTokenMs: 1, json: false, agent: { kind: 'embedded' } });
  });

  it('reads every option', () => {
    const args = parseLoadArgs(['-c', '500', '-d', '2.5', '--rate', '100', '--warmup', '10', '--prompts', '1', '--think-ms', '250', '--first-token-ms', '0', '--inter-token-ms', '0.5', '--seed', '9', '--sample-ms', '100', '--timeout-ms', '2000', '--json', '--spawn', 'node agent/main.ts', '--agent-env', 'LOG_LEVEL=warn']);
    expect(args).toEqual({
      help: false,
      json: true,
      concurrency: 500,
      durationS: 2.5,
      rate: 100,
      warmup: 10,
      rampMs: 0,
      prompts: 1,
      thinkMs: 250,
      firstTokenMs: 0,
      interTokenMs: 0.5,
      seed: 9,
      sampleMs: 100,
      timeoutMs: 2000,
      agent: { kind: 'spawn', command: 'node agent/main.ts' },
      agentEnv: { LOG_LEVEL: 'warn' },
    });
  });

  it('takes an agent URL with its fake ports and pid', () => {
    expect(parseLoadArgs(['--agent-url', 'http://127.0.0.1:8080/', '--openai-port', '5000', '--coval-port', '5001', '--agent-pid', '1234'])).toMatchObject({
      agent: { kind: 'url', url: 'http://127.0.0.1:8080', openaiPort: 5000, covalPort: 5001, pid: 1234 },
    });
  });

  it.each([
    [['--concurrency', '0'], '--concurrency must be an integer'],
    [['--calls', 'many'], '--calls must be an integer'],
    [['--calls', '5', '--duration', '3'], 'not both'],
    [['--rate', '5', '--ramp-ms', '100'], '--ramp-ms spreads'],
    [['--prompts', '3'], '--prompts must be an integer from 1 to 2'],
    [['--rate', '0'], '--rate must be a number above 0'],
    [['--think-ms=-1'], '--think-ms must be a number'],
    [['--spawn', 'x', '--agent-url', 'http://h'], 'choose one agent'],
    [['--spawn', ' '], '--spawn needs a command'],
    [['--agent-url', 'ftp://h'], 'http:// or https://'],
    [['--agent-url', 'http://h', '--agent-env', 'A=1'], '--agent-env needs an agent the kit starts'],
    [['--agent-url', 'http://h', '--openai-port', '4011'], 'must differ'],
    [['--agent-pid', '12'], 'applies to --agent-url only'],
    [['--agent-env', 'no-equals'], 'NAME=value'],
    [['--bogus'], "Unknown option '--bogus'"],
    [['positional'], 'positional'],
  ])('rejects %j', (argv, message) => {
    const result = parseLoadArgs(argv);
    expect(isLoadUsageProblem(result)).toBe(true);
    expect(isLoadUsageProblem(result) ? result.usage : '').toContain(message);
  });
});
