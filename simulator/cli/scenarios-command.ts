import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { duplicateIdProblems, misnamedProblem, scenarioFolder, validateScenario } from '../scenario/load-scenario.ts';
import { formatProblem, type ScenarioProblem, sortProblems } from '../scenario/scenario-problem.ts';
import type { Scenario } from '../scenario/schema.ts';
import { EXIT, type CliCommand, type CliIo } from './cli-command.ts';

const DEFAULT_DIR = 'scenarios';

const USAGE = `Usage: relaysim scenarios <lint | list> [options]

  relaysim scenarios lint [files or folders...]
      Checks scenario files (YAML syntax, keys and types, rules between keys). Prints
      'ok <file>' for each good file and 'file:line:column: message (key: path)' for each
      problem. Folders are searched for *.yaml (not recursively). Default: ${DEFAULT_DIR}/
  relaysim scenarios list [folder]
      Prints id, tags and title of every scenario in the folder (default ${DEFAULT_DIR}/).

Options:
  -q, --quiet    lint: print problems only, no 'ok' lines.
  -h, --help     Show this help.

The file format is described in docs/scenarios.md.
Exit codes: 0 all files valid, 1 problems found (or nothing to check), 2 usage error.`;

/** A file to check: the name shown to the user and the path read. */
interface Target {
  readonly shown: string;
  readonly path: string;
}

/** What linting a set of files found. */
interface LintOutcome {
  readonly checked: readonly { readonly target: Target; readonly problems: readonly ScenarioProblem[] }[];
  readonly scenarios: readonly Scenario[];
  readonly crossFile: readonly ScenarioProblem[];
}

const OPTIONS = { quiet: { type: 'boolean', short: 'q' }, help: { type: 'boolean', short: 'h' } } as const;

function parse(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true });
  } catch (error) {
    return (error as Error).message;
  }
}

function usageError(io: CliIo, message: string): number {
  io.stderr.write(`relaysim scenarios: ${message}\n\n${USAGE}\n`);
  return EXIT.USAGE;
}

/** Expands the command line's paths into files; a path that does not exist is a usage error (a string). */
async function targets(paths: readonly string[], io: CliIo): Promise<{ files: Target[]; misnamed: Target[] } | string> {
  const files: Target[] = [];
  const misnamed: Target[] = [];
  for (const shown of paths) {
    const path = resolve(io.cwd, shown);
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) return `no such file or folder: ${shown}`;
    if (info.isDirectory()) {
      const folder = await scenarioFolder(path);
      files.push(...folder.files.map((f) => ({ shown: join(shown, basename(f)), path: f })));
      misnamed.push(...folder.misnamed.map((f) => ({ shown: join(shown, basename(f)), path: f })));
    } else {
      files.push({ shown, path });
    }
  }
  return { files, misnamed };
}

async function lintTargets(files: readonly Target[], misnamed: readonly Target[]): Promise<LintOutcome> {
  const checked: { target: Target; problems: readonly ScenarioProblem[] }[] = [];
  const scenarios: Scenario[] = [];
  for (const target of files) {
    const text = await readFile(target.path, 'utf8').catch((error: Error) => error);
    if (text instanceof Error) {
      checked.push({ target, problems: [{ file: target.shown, line: 1, column: 1, key: '', pointer: '', message: `cannot read the file: ${text.message}` }] });
      continue;
    }
    const result = validateScenario(text, target.shown);
    if (result.ok) scenarios.push(result.scenario);
    checked.push({ target, problems: result.ok ? [] : result.problems });
  }
  for (const target of misnamed) checked.push({ target, problems: [misnamedProblem(target.shown)] });
  checked.sort((a, b) => (a.target.shown < b.target.shown ? -1 : a.target.shown > b.target.shown ? 1 : 0));
  return { checked, scenarios, crossFile: duplicateIdProblems(scenarios) };
}

function problemCount(outcome: LintOutcome): number {
  return outcome.checked.reduce((n, c) => n + c.problems.length, 0) + outcome.crossFile.length;
}

async function lint(paths: readonly string[], quiet: boolean, io: CliIo): Promise<number> {
  const found = await targets(paths.length > 0 ? paths : [DEFAULT_DIR], io);
  if (typeof found === 'string') return usageError(io, found);
  if (found.files.length === 0 && found.misnamed.length === 0) {
    io.stderr.write(`relaysim scenarios lint: no *.yaml scenario files in ${paths.join(', ') || DEFAULT_DIR}\n`);
    return EXIT.FAIL;
  }
  const outcome = await lintTargets(found.files, found.misnamed);
  for (const { target, problems } of outcome.checked) {
    if (problems.length === 0) {
      if (!quiet) io.stdout.write(`ok ${target.shown}\n`);
    } else {
      for (const problem of sortProblems(problems)) io.stdout.write(`${formatProblem(problem)}\n`);
    }
  }
  for (const problem of outcome.crossFile) io.stdout.write(`${formatProblem(problem)}\n`);
  const count = problemCount(outcome);
  const bad = outcome.checked.filter((c) => c.problems.length > 0).length;
  const files = `${outcome.checked.length} file${outcome.checked.length === 1 ? '' : 's'}`;
  io.stdout.write(count === 0 ? `${files} checked, all valid\n` : `${files} checked, ${bad} with problems (${count} problem${count === 1 ? '' : 's'})\n`);
  return count === 0 ? EXIT.OK : EXIT.FAIL;
}

async function list(paths: readonly string[], io: CliIo): Promise<number> {
  if (paths.length > 1) return usageError(io, 'list takes at most one folder');
  const dir = paths[0] ?? DEFAULT_DIR;
  const info = await stat(resolve(io.cwd, dir)).catch(() => undefined);
  if (!info?.isDirectory()) return usageError(io, `no such folder: ${dir}`);
  const found = await targets([dir], io);
  if (typeof found === 'string') return usageError(io, found);
  const outcome = await lintTargets(found.files, found.misnamed);
  if (problemCount(outcome) > 0) {
    for (const { problems } of outcome.checked) for (const p of sortProblems(problems)) io.stderr.write(`${formatProblem(p)}\n`);
    for (const p of outcome.crossFile) io.stderr.write(`${formatProblem(p)}\n`);
    io.stderr.write(`relaysim scenarios list: fix the problems above (relaysim scenarios lint ${dir})\n`);
    return EXIT.FAIL;
  }
  const rows = outcome.scenarios.map((s) => [s.id, s.tags.join(','), s.title] as const);
  const idWidth = Math.max(2, ...rows.map((r) => r[0].length));
  const tagWidth = Math.max(4, ...rows.map((r) => r[1].length));
  io.stdout.write(`${'ID'.padEnd(idWidth)}  ${'TAGS'.padEnd(tagWidth)}  TITLE\n`);
  for (const [id, tags, title] of rows) io.stdout.write(`${id.padEnd(idWidth)}  ${tags.padEnd(tagWidth)}  ${title}\n`);
  return EXIT.OK;
}

/** `relaysim scenarios lint|list`: checks scenario files and lists the library. */
export const scenariosCommand: CliCommand = {
  name: 'scenarios',
  summary: 'Lint scenario files (file:line:column problems) or list the scenario library',
  usage: USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const parsed = parse(args);
    if (typeof parsed === 'string') return usageError(io, parsed);
    if (parsed.values.help) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.OK;
    }
    const [sub, ...rest] = parsed.positionals;
    if (sub === 'lint') return lint(rest, parsed.values.quiet === true, io);
    if (sub === 'list') {
      if (parsed.values.quiet) return usageError(io, '--quiet applies to lint only');
      return list(rest, io);
    }
    return usageError(io, sub === undefined ? 'missing subcommand (lint or list)' : `unknown subcommand '${sub}'`);
  },
};
