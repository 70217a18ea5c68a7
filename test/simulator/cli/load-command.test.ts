import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../simulator/cli/cli-command.ts';
import { runCli } from '../../../simulator/cli/run-cli.ts';
import { memoryIo } from './cli-test-io.ts';

const defaults = { agentModuleUrl: pathToFileURL('agent/embed.ts').href };

describe('relaysim load', () => {
  it.each([[['--concurrency', 'x']], [['--calls', '1', '--duration', '1']], [['--unknown']], [['--prompts', '5']]])('exits 2 with the usage on %j', async (argv) => {
    const { io, stderr, stdout } = memoryIo(process.cwd());
    expect(await runCli(['load', ...argv], { ...io, defaults })).toBe(EXIT.USAGE);
    expect(stderr()).toContain('Usage: relaysim load');
    expect(stdout()).toBe('');
  });

  it('exits 2 when no agent is named and no default module is known', async () => {
    const { io, stderr } = memoryIo(process.cwd());
    expect(await runCli(['load', '-n', '1'], io)).toBe(EXIT.USAGE);
    expect(stderr()).toContain('no agent named');
  });

  it('exits 2 for an agent module without startEmbeddedAgent', async () => {
    const { io, stderr } = memoryIo(process.cwd());
    expect(await runCli(['load', '--agent-module', 'simulator/load/rss-slope.ts'], { ...io, defaults })).toBe(EXIT.USAGE);
    expect(stderr()).toContain('startEmbeddedAgent');
  });

  it('prints its help', async () => {
    const { io, stdout } = memoryIo(process.cwd());
    expect(await runCli(['load', '--help'], { ...io, defaults })).toBe(EXIT.OK);
    expect(stdout()).toContain('--concurrency N');
  });

  it('runs a tiny load and prints the result as JSON (progress on stderr)', async () => {
    const { io, stdout, stderr } = memoryIo(process.cwd());
    const code = await runCli(['load', '-c', '2', '-n', '4', '--prompts', '1', '--json', '--sample-ms', '20'], { ...io, defaults });
    const result = JSON.parse(stdout()) as { ok: boolean; calls: { completed: number }; agent: { target: string } };
    expect(code).toBe(EXIT.OK);
    expect(result.ok).toBe(true);
    expect(result.calls.completed).toBe(4);
    expect(result.agent.target).toBe('agent/embed.ts');
    expect(stderr()).toContain('4/4');
  }, 30_000);
});
