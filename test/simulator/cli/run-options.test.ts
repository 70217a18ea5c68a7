import { describe, expect, it } from 'vitest';
import { DEFAULT_CONCURRENCY, DEFAULT_FAKE_PORTS, DEFAULT_REPORT_DIR, DEFAULT_SEED, isUsageProblem, parseRunOptions, type RunOptions } from '../../../simulator/cli/run-options.ts';

function parsed(args: string[]): RunOptions {
  const result = parseRunOptions(args);
  if (isUsageProblem(result)) throw new Error(`unexpected usage problem: ${result.usage}`);
  return result;
}

function problem(args: string[]): string {
  const result = parseRunOptions(args);
  if (!isUsageProblem(result)) throw new Error(`expected a usage problem for ${args.join(' ')}`);
  return result.usage;
}

describe('parseRunOptions', () => {
  it('defaults to the embedded reference agent, the whole library, the default seed and the report folder', () => {
    const o = parsed([]);
    expect(o.agent).toEqual({ kind: 'embedded' });
    expect(o).toMatchObject({
      paths: [],
      scenarios: [],
      tags: [],
      seed: DEFAULT_SEED,
      seedGiven: false,
      repeat: 1,
      concurrency: DEFAULT_CONCURRENCY,
      strict: false,
      checkDeterminism: false,
      reportDir: DEFAULT_REPORT_DIR,
      noReport: false,
      agentEnv: {},
      agentPaths: {},
    });
    expect(o.json).toBeUndefined();
  });

  it('reads selections, seeds, repetition, reports and paths', () => {
    const o = parsed([
      'my-scenarios',
      '-s', 'barge-*', '--scenario', 'dtmf-menu-choice', '-t', 'core', '--seed', '4294967295', '--repeat', '3', '-j', '2',
      '--strict', '--json', 'out/r.json', '--junit', 'out/j.xml', '--html', 'out/html', '--report-dir', 'rep',
      '--webhook-path', '/voice', '--register-path', '/coval/register', '--health-path', '/healthz', '--ws-path', '/relay',
      '--check-determinism', '--start-timeout', '45', '-v',
    ]);
    expect(o).toMatchObject({
      paths: ['my-scenarios'],
      scenarios: ['barge-*', 'dtmf-menu-choice'],
      tags: ['core'],
      seed: 4_294_967_295,
      seedGiven: true,
      repeat: 3,
      concurrency: 2,
      strict: true,
      verbose: true,
      json: 'out/r.json',
      junit: 'out/j.xml',
      html: 'out/html',
      reportDir: 'rep',
      checkDeterminism: true,
      startTimeoutS: 45,
      agentPaths: { webhook: '/voice', register: '/coval/register', health: '/healthz', ws: '/relay' },
    });
  });

  it('runs fewer scenarios at once by default with --spawn, where each starts an agent process', () => {
    expect(parsed([]).concurrency).toBe(16);
    expect(parsed(['--spawn', 'python3 agent.py']).concurrency).toBe(4);
    expect(parsed(['--spawn', 'python3 agent.py', '-j', '9']).concurrency).toBe(9);
  });

  it('names the agent by --spawn, --agent-module or --agent-url (with fake ports and public URL)', () => {
    expect(parsed(['--spawn', 'python3 agent.py', '--agent-env', 'A=1', '--agent-env', 'B=x=y']).agent).toEqual({ kind: 'spawn', command: 'python3 agent.py' });
    expect(parsed(['--spawn', 'x', '--agent-env', 'A=1', '--agent-env', 'B=x=y']).agentEnv).toEqual({ A: '1', B: 'x=y' });
    expect(parsed(['--agent-module', 'my/agent.ts']).agent).toEqual({ kind: 'embedded', module: 'my/agent.ts' });
    expect(parsed(['--agent-url', 'http://127.0.0.1:8080/']).agent).toEqual({ kind: 'url', url: 'http://127.0.0.1:8080', openaiPort: DEFAULT_FAKE_PORTS.openai, covalPort: DEFAULT_FAKE_PORTS.coval });
    expect(parsed(['--agent-url', 'http://a:1', '--openai-port', '5000', '--coval-port', '5001', '--public-url', 'https://agent.example']).agent).toEqual({
      kind: 'url',
      url: 'http://a:1',
      openaiPort: 5000,
      covalPort: 5001,
      publicUrl: 'https://agent.example',
    });
  });

  it.each([
    [['--frobnicate'], "Unknown option '--frobnicate'"],
    [['--seed'], "Option '--seed <value>' argument missing"],
    [['--seed', 'abc'], '--seed must be an integer from 0 to 4294967295'],
    [['--seed=-1'], '--seed must be an integer from 0 to 4294967295'],
    [['--seed', '4294967296'], '--seed must be an integer from 0 to 4294967295'],
    [['--repeat', '0'], '--repeat must be an integer from 1 to 1000'],
    [['--concurrency', '2.5'], '--concurrency must be an integer from 1 to 64'],
    [['--spawn', 'a', '--agent-url', 'http://x'], 'choose one agent: --spawn and --agent-url cannot be combined'],
    [['--agent-module', 'a.ts', '--spawn', 'b'], 'choose one agent: --agent-module and --spawn cannot be combined'],
    [['--spawn', '  '], '--spawn needs a command'],
    [['--agent-url', 'localhost:8080'], '--agent-url must be an http:// or https:// URL'],
    [['--agent-url', 'not a url'], '--agent-url must be an absolute URL'],
    [['--agent-url', 'http://x/?a=1'], '--agent-url must not have a query or fragment'],
    [['--agent-url', 'http://x', '--openai-port', '4011'], '--openai-port and --coval-port must differ (both 4011)'],
    [['--agent-url', 'http://x', '--coval-port', '70000'], '--coval-port must be an integer from 1 to 65535'],
    [['--openai-port', '5000'], '--openai-port applies to --agent-url only'],
    [['--public-url', 'https://x'], '--public-url applies to --agent-url only'],
    [['--agent-url', 'http://x', '--agent-env', 'A=1'], '--agent-env needs an agent the kit starts'],
    [['--agent-url', 'http://x', '--check-determinism'], '--check-determinism needs an agent the kit starts fresh'],
    [['--agent-env', 'NOEQUALS'], "--agent-env takes NAME=value (actual: 'NOEQUALS')"],
    [['--agent-env', '1A=x'], '--agent-env takes NAME=value'],
    [['--webhook-path', 'webhook'], '--webhook-path must be a path starting with /'],
    [['--ws-path', '/ws?x=1'], '--ws-path must be a path starting with /'],
    [['--no-report', '--json', 'r.json'], '--no-report cannot be combined'],
    [['--report-dir', ''], '--report-dir needs a path'],
    [['--start-timeout', '0'], '--start-timeout must be an integer from 1 to 600'],
  ])('refuses %j', (args, message) => {
    expect(problem(args)).toContain(message);
  });
});
