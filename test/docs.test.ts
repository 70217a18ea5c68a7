/**
 * Docs drift: the check tables (docs/checks.md and the README) equal the catalogue, and the CLI
 * docs match the CLI (every option, every command, the environment `serve` prints, and every
 * `npx relaysim run …` line parses).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { COMMANDS } from '../simulator/cli/commands.ts';
import { isUsageProblem, parseRunOptions, DEFAULT_REPORT_DIR } from '../simulator/cli/run-options.ts';
import { RUN_USAGE } from '../simulator/cli/run-usage.ts';
import { serveCommand } from '../simulator/cli/serve-command.ts';
import { CHECKS } from '../simulator/checks/catalogue.ts';
import { memoryIo } from './simulator/cli/cli-test-io.ts';

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const unescape = (s: string): string => s.replace(/\\\|/g, '|').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const CATALOGUE = CHECKS.map((c) => [c.id, c.title, c.level, c.source]);

/** The rows `| id | title | level | source |` of a markdown check table (the id may be in backticks). */
function checkRows(markdown: string): string[][] {
  return [...markdown.matchAll(/^\| `?([A-Z][A-Z0-9-]+)`? \| (.+?) \| (MUST|SHOULD|INFO) \| (.+?) \|$/gm)].map((m) => [m[1] ?? '', unescape(m[2] ?? ''), m[3] ?? '', unescape(m[4] ?? '')]);
}

/** The README text between `<!-- checks:start -->` and `<!-- checks:end -->`. */
function readmeChecks(): string {
  const readme = read('README.md');
  const start = readme.indexOf('<!-- checks:start -->');
  const end = readme.indexOf('<!-- checks:end -->');
  expect(start, 'README.md needs the check table between <!-- checks:start --> and <!-- checks:end -->').toBeGreaterThanOrEqual(0);
  expect(end, 'README.md needs <!-- checks:end --> after <!-- checks:start -->').toBeGreaterThan(start);
  return readme.slice(start, end);
}

/** Shell words of a command line, as /bin/sh splits them. */
function shellWords(line: string): string[] {
  return execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' }).split('\0').slice(0, -1);
}

const CLI_DOCS = ['docs/cli.md', 'docs/test-your-agent.md', 'docs/ci.md'] as const;

describe('check tables', () => {
  it('docs/checks.md lists the catalogue row for row (id, title, level, source)', () => {
    expect(checkRows(read('docs/checks.md'))).toEqual(CATALOGUE);
  });

  it('README.md lists the catalogue row for row between the checks markers', () => {
    expect(checkRows(readmeChecks())).toEqual(CATALOGUE);
  });
});

describe('CLI docs', () => {
  const cli = read('docs/cli.md');

  it('docs/cli.md documents every option of relaysim run', () => {
    const options = [...new Set([...RUN_USAGE.matchAll(/(?<![\w-])--[a-z][a-z-]+/g)].map((m) => m[0]))];
    expect(options.length).toBeGreaterThan(25);
    for (const option of options) expect(cli, `docs/cli.md does not mention ${option}`).toMatch(new RegExp(`\`(-\\w, )?${option}(?![a-z-])`));
  });

  it('docs/cli.md lists every command in its command table', () => {
    for (const command of COMMANDS) expect(cli, `docs/cli.md has no row for ${command.name}`).toMatch(new RegExp(`^\\| \\[?\`${command.name}\``, 'm'));
  });

  it('docs/cli.md shows exactly the environment serve prints, and test-your-agent.md explains each variable', async () => {
    const { io, stdout } = memoryIo('/');
    await serveCommand.run(['--print-env'], io);
    expect(cli).toContain(`\`\`\`\n${stdout()}\`\`\``);
    const guide = read('docs/test-your-agent.md');
    for (const line of stdout().trim().split('\n')) expect(guide).toContain(`\`${line.slice(0, line.indexOf('='))}\``);
  });

  it('every `npx relaysim run …` line in the CLI docs is a valid run command', () => {
    const lines = CLI_DOCS.flatMap((doc) => [...read(doc).matchAll(/npx relaysim run\b([^\n`#]*)/g)].map((m) => ({ doc, args: (m[1] ?? '').replace(/\\$/, '').trim() })));
    expect(lines.length).toBeGreaterThan(8);
    for (const { doc, args } of lines) {
      if (/[<…]|\$\{\{/.test(args)) continue; // placeholders
      const parsed = parseRunOptions(shellWords(args));
      expect(isUsageProblem(parsed) ? parsed.usage : 'ok', `${doc}: npx relaysim run ${args}`).toBe('ok');
    }
  });

  it('docs/ci.md holds a GitHub Actions workflow that runs relaysim, reads the JUnit report and keeps the HTML report', () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(read('docs/ci.md'))?.[1];
    expect(yaml).toBeDefined();
    const workflow = parseYaml(yaml ?? '') as { jobs: Record<string, { steps: { uses?: string; run?: string; with?: Record<string, unknown>; if?: string }[] }> };
    const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
    const run = steps.find((s) => s.run?.startsWith('npx relaysim run'));
    expect(run).toBeDefined();
    const junit = steps.find((s) => s.uses?.startsWith('dorny/test-reporter'));
    expect(junit?.with).toMatchObject({ path: `${DEFAULT_REPORT_DIR}/junit.xml`, reporter: 'java-junit' });
    expect(junit?.if).toContain('!cancelled()');
    const artifact = steps.find((s) => s.uses?.startsWith('actions/upload-artifact'));
    expect(artifact?.with).toMatchObject({ path: `${DEFAULT_REPORT_DIR}/` });
    expect(artifact?.if).toContain('!cancelled()');
  });
});
