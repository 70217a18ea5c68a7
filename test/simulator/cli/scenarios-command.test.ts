import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { CliIo } from '../../../simulator/cli/cli-command.ts';
import { COMMANDS } from '../../../simulator/cli/commands.ts';
import { scenariosCommand } from '../../../simulator/cli/scenarios-command.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function bufferIo(cwd: string): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (chunk: string) => (out += chunk) },
    stderr: { write: (chunk: string) => (err += chunk) },
    stdin: (async function* () {})(),
    env: {},
    cwd,
    out: () => out,
    err: () => err,
  };
}

/** A temporary working directory with these files (paths relative to it). */
async function workdir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'relaysim-lint-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

const good = (id: string, title = 'A title') => `id: ${id}\ntitle: ${title}\ntags: [core]\ncaller:\n  - say: "Hi"\n  - hangUp: {}\n`;

describe('relaysim scenarios lint', () => {
  it('is in the command table', () => {
    expect(COMMANDS).toContain(scenariosCommand);
  });

  it('prints ok for each valid file in scenarios/ by default and exits 0', async () => {
    const cwd = await workdir({ 'scenarios/b-two.yaml': good('b-two'), 'scenarios/a-one.yaml': good('a-one'), 'scenarios/README.md': '# x' });
    const io = bufferIo(cwd);
    expect(await scenariosCommand.run(['lint'], io)).toBe(0);
    expect(io.out()).toBe('ok scenarios/a-one.yaml\nok scenarios/b-two.yaml\n2 files checked, all valid\n');
    expect(io.err()).toBe('');
  });

  it('prints each problem as file:line:column and exits 1', async () => {
    const cwd = await workdir({
      'lib/ok-file.yaml': good('ok-file'),
      'lib/broken.yaml': 'id: broken\ntitle: T\ncaller:\n  - sya: "Hi"\n',
      'lib/old.yml': good('old'),
    });
    const io = bufferIo(cwd);
    expect(await scenariosCommand.run(['lint', 'lib'], io)).toBe(1);
    expect(io.out().split('\n')).toEqual([
      "lib/broken.yaml:4:5: unknown key 'sya' (did you mean 'say'?); allowed: say, waitForReply, bargeIn, press, silence, hangUp, waitForEnd, sendRaw, waitForGreeting (key: caller[0].sya)",
      'ok lib/ok-file.yaml',
      'lib/old.yml:1:1: scenario files must end in .yaml (this one would be skipped); rename it',
      '3 files checked, 2 with problems (2 problems)',
      '',
    ]);
  });

  it('checks single files and several paths, and prints only problems with --quiet', async () => {
    const cwd = await workdir({ 'a/one.yaml': good('one'), 'b/two.yaml': 'id: wrong\ntitle: T\ncaller: [hangUp: {}]\n' });
    const io = bufferIo(cwd);
    expect(await scenariosCommand.run(['lint', '--quiet', 'a/one.yaml', 'b'], io)).toBe(1);
    expect(io.out()).toBe(
      "b/two.yaml:1:5: id 'wrong' must equal the file name without .yaml ('two'); rename one of them (key: id)\n2 files checked, 1 with problems (1 problem)\n",
    );
  });

  it('reports the same id in two folders', async () => {
    const cwd = await workdir({ 'a/same.yaml': good('same'), 'b/same.yaml': good('same') });
    const io = bufferIo(cwd);
    expect(await scenariosCommand.run(['lint', 'a', 'b'], io)).toBe(1);
    expect(io.out()).toContain("b/same.yaml:1:1: duplicate scenario id 'same' (also in a/same.yaml) (key: id)\n");
  });

  it('exits 1 when there is nothing to check', async () => {
    const cwd = await workdir({ 'empty/README.md': '# none' });
    const io = bufferIo(cwd);
    expect(await scenariosCommand.run(['lint', 'empty'], io)).toBe(1);
    expect(io.err()).toContain('no *.yaml scenario files in empty');
  });

  it.each([
    [['lint', 'missing.yaml'], 'no such file or folder: missing.yaml'],
    [['lint', '--frob'], "Unknown option '--frob'"],
    [[], 'missing subcommand (lint or list)'],
    [['check'], "unknown subcommand 'check'"],
    [['list', 'a', 'b'], 'list takes at most one folder'],
  ])('exits 2 with usage for %j', async (args, message) => {
    const cwd = await workdir({});
    const io = bufferIo(cwd);
    expect(await scenariosCommand.run(args, io)).toBe(2);
    expect(io.err()).toContain(message);
    expect(io.err()).toContain('Usage: relaysim scenarios');
  });

  it('prints usage on --help and exits 0', async () => {
    const io = bufferIo(root);
    expect(await scenariosCommand.run(['--help'], io)).toBe(0);
    expect(io.out()).toContain('relaysim scenarios lint [files or folders...]');
  });

  it('finds the shipped scenarios valid', async () => {
    const io = bufferIo(root);
    expect(await scenariosCommand.run(['lint', 'scenarios', 'test/fixtures/scenarios'], io)).toBe(0);
    expect(io.out()).toContain('ok scenarios/barge-in-mid-answer.yaml\n');
    expect(io.out()).toContain('ok test/fixtures/scenarios/lab-results-handoff.yaml\n');
  });
});

describe('relaysim scenarios list', () => {
  it('prints id, tags and title in columns', async () => {
    const cwd = await workdir({ 'scenarios/a-one.yaml': good('a-one', 'First'), 'scenarios/long-name-two.yaml': good('long-name-two', 'Second') });
    const io = bufferIo(cwd);
    expect(await scenariosCommand.run(['list'], io)).toBe(0);
    expect(io.out()).toBe('ID             TAGS  TITLE\na-one          core  First\nlong-name-two  core  Second\n');
  });

  it('refuses to list a library with problems and says how to find them', async () => {
    const cwd = await workdir({ 'lib/bad.yaml': 'id: bad\n' });
    const io = bufferIo(cwd);
    expect(await scenariosCommand.run(['list', 'lib'], io)).toBe(1);
    expect(io.err()).toContain("lib/bad.yaml:1:1: missing required key 'title'");
    expect(io.err()).toContain('relaysim scenarios lint lib');
    expect(io.out()).toBe('');
  });
});
