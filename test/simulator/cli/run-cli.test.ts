import { describe, expect, it } from 'vitest';
import type { CliCommand } from '../../../simulator/cli/cli-command.ts';
import { COMMANDS } from '../../../simulator/cli/commands.ts';
import { cliUsage, runCli } from '../../../simulator/cli/run-cli.ts';
import { memoryIo } from './cli-test-io.ts';

const boom: CliCommand = { name: 'boom', summary: 'always throws', usage: 'Usage: relaysim boom', run: async () => Promise.reject(new Error('kaput')) };

describe('runCli', () => {
  it('prints the command list for --help and exits 0', async () => {
    const { io, stdout } = memoryIo('/');
    expect(await runCli(['--help'], io)).toBe(0);
    expect(stdout()).toBe(`${cliUsage()}\n`);
    for (const c of COMMANDS) expect(stdout()).toMatch(new RegExp(`^  ${c.name} +${c.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  });

  it('prints a command usage for help <command>', async () => {
    const { io, stdout } = memoryIo('/');
    expect(await runCli(['help', 'validate'], io)).toBe(0);
    expect(stdout()).toContain('Usage: relaysim validate <file | -> [options]');
  });

  it('answers no arguments, an unknown command and an unknown option with usage and exit 2', async () => {
    for (const argv of [[], ['frobnicate'], ['--frobnicate'], ['help', 'frobnicate']]) {
      const { io, stderr, stdout } = memoryIo('/');
      expect(await runCli(argv, io)).toBe(2);
      expect(stderr()).toContain('Usage: relaysim <command> [options]');
      expect(stdout()).toBe('');
    }
    const { io, stderr } = memoryIo('/');
    await runCli(['frobnicate'], io);
    expect(stderr()).toMatch(/^relaysim: unknown command 'frobnicate'/);
  });

  it('turns a crashing command into exit 1 with the error on stderr', async () => {
    const { io, stderr } = memoryIo('/');
    expect(await runCli(['boom'], io, [boom])).toBe(1);
    expect(stderr()).toContain('relaysim boom: internal error: Error: kaput');
  });
});
