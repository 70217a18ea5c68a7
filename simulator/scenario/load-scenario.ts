import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CHECKS } from '../checks/catalogue.ts';
import { SimErrors } from '../core/errors.ts';
import { normaliseScenario } from './normalise-scenario.ts';
import { keyPath, type ScenarioProblem, scenarioInvalidError, sortProblems } from './scenario-problem.ts';
import { type ScenarioRuleOptions, scenarioRuleProblems } from './scenario-rules.ts';
import { type Scenario, type ScenarioFile, scenarioFileSchema } from './schema.ts';
import { type PointerProblem, schemaProblems, show } from './schema-problems.ts';
import { YamlSource } from './yaml-positions.ts';

/** Options of the loader. */
export interface LoadScenarioOptions {
  /** `expect.checks` and `expect.failingChecks` must name ids from this set (default: the check catalogue). */
  readonly knownCheckIds?: ReadonlySet<string>;
}

/** Every id of the check catalogue: what a scenario may list under `expect`. */
const CATALOGUE_IDS: ReadonlySet<string> = new Set(CHECKS.map((c) => c.id));

/** A scenario text checked: the normalised scenario, or every problem found. */
export type ScenarioResult =
  | { readonly ok: true; readonly scenario: Scenario }
  | { readonly ok: false; readonly problems: readonly ScenarioProblem[] };

/** Scenario files in a folder: the `*.yaml` ones to load, and names that look like scenarios but would be skipped. */
export interface ScenarioFolder {
  readonly files: readonly string[];
  readonly misnamed: readonly string[];
}

/**
 * Checks a scenario text (YAML syntax, schema, cross-field rules) without throwing. `fileName` is
 * used in problems; when it ends in `.yaml` the id must equal its base name.
 */
export function validateScenario(text: string, fileName: string, options: LoadScenarioOptions = {}): ScenarioResult {
  const source = new YamlSource(text);
  const problem = (p: PointerProblem): ScenarioProblem => ({
    file: fileName,
    ...source.locate(p.pointer, p.target),
    key: keyPath(p.pointer),
    pointer: p.pointer,
    message: p.message,
  });
  const syntax: ScenarioProblem[] = source
    .syntaxProblems()
    .map((s) => ({ file: fileName, line: s.line, column: s.column, key: '', pointer: '', message: `YAML: ${s.message}` }));
  if (syntax.length > 0) return { ok: false, problems: syntax };
  const built = source.toValue();
  if (!built.ok) {
    const { line, column, message } = built.problem;
    return { ok: false, problems: [{ file: fileName, line, column, key: '', pointer: '', message: `YAML: ${message}` }] };
  }
  const value = built.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const what = value === null || value === undefined ? 'an empty file' : show(value);
    return { ok: false, problems: [problem({ pointer: '', target: 'value', message: `expected a scenario (a mapping with id, title and caller), got ${what}` })] };
  }
  const shape = schemaProblems(scenarioFileSchema, value);
  if (shape.length > 0) return { ok: false, problems: sortProblems(shape.map(problem)) };
  const file = value as ScenarioFile;
  const match = /^(.*)\.yaml$/.exec(basename(fileName));
  const rules: ScenarioRuleOptions = {
    ...(match?.[1] !== undefined ? { expectedId: match[1] } : {}),
    knownCheckIds: options.knownCheckIds ?? CATALOGUE_IDS,
  };
  const semantic = scenarioRuleProblems(file, rules);
  if (semantic.length > 0) return { ok: false, problems: sortProblems(semantic.map(problem)) };
  return { ok: true, scenario: normaliseScenario(file, fileName) };
}

/** Parses and validates a scenario text; throws SIM_ERR_SCENARIO_INVALID carrying every problem. */
export function parseScenario(text: string, fileName: string, options: LoadScenarioOptions = {}): Scenario {
  const result = validateScenario(text, fileName, options);
  if (!result.ok) throw scenarioInvalidError(fileName, result.problems);
  return result.scenario;
}

/** Reads one scenario file; throws SIM_ERR_SCENARIO_READ_FAILED or SIM_ERR_SCENARIO_INVALID. */
export async function loadScenarioFile(path: string, options: LoadScenarioOptions = {}): Promise<Scenario> {
  return parseScenario(await readText(path), path, options);
}

/** Reads a file as UTF-8; throws SIM_ERR_SCENARIO_READ_FAILED naming the path. */
export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new SimErrors.SIM_ERR_SCENARIO_READ_FAILED(path, (error as Error).message);
  }
}

/** Lists a folder's scenario files (sorted, not recursive); `.yml` files are reported as misnamed, not ignored. */
export async function scenarioFolder(dir: string): Promise<ScenarioFolder> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch (error) {
    throw new SimErrors.SIM_ERR_SCENARIO_READ_FAILED(dir, (error as Error).message);
  }
  const sorted = names.sort();
  return {
    files: sorted.filter((n) => n.endsWith('.yaml')).map((n) => join(dir, n)),
    misnamed: sorted.filter((n) => n.endsWith('.yml')).map((n) => join(dir, n)),
  };
}

/** The problem reported for a `.yml` file, which the library would otherwise skip. */
export function misnamedProblem(file: string): ScenarioProblem {
  return { file, line: 1, column: 1, key: '', pointer: '', message: 'scenario files must end in .yaml (this one would be skipped); rename it' };
}

/** Problems across files: the same id in two files (only possible across folders). */
export function duplicateIdProblems(scenarios: readonly Scenario[]): ScenarioProblem[] {
  const first = new Map<string, string>();
  const out: ScenarioProblem[] = [];
  for (const s of scenarios) {
    const other = first.get(s.id);
    if (other === undefined) first.set(s.id, s.file);
    else out.push({ file: s.file, line: 1, column: 1, key: 'id', pointer: '/id', message: `duplicate scenario id '${s.id}' (also in ${other})` });
  }
  return out;
}

/**
 * Loads every `*.yaml` in a folder, sorted by file name, ids unique. Throws SIM_ERR_SCENARIO_INVALID
 * with the problems of all files at once, or SIM_ERR_SCENARIO_READ_FAILED.
 */
export async function loadScenarioLibrary(dir: string, options: LoadScenarioOptions = {}): Promise<readonly Scenario[]> {
  const folder = await scenarioFolder(dir);
  const problems: ScenarioProblem[] = folder.misnamed.map(misnamedProblem);
  const scenarios: Scenario[] = [];
  for (const file of folder.files) {
    const result = validateScenario(await readText(file), file, options);
    if (result.ok) scenarios.push(result.scenario);
    else problems.push(...result.problems);
  }
  problems.push(...duplicateIdProblems(scenarios));
  if (problems.length > 0) throw scenarioInvalidError(`library ${dir}`, problems);
  return Object.freeze(scenarios);
}
