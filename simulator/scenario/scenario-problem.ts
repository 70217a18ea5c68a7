import type { FastifyError } from '@fastify/error';
import { SimErrors } from '../core/errors.ts';
import { pointerSegments } from './yaml-positions.ts';

/** One thing wrong with a scenario file, at a 1-based line and column. */
export interface ScenarioProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The offending key path as people read it (`calls[0].caller[2].bargeIn`); '' for the whole file. */
  readonly key: string;
  /** The same path as a JSON pointer (`/calls/0/caller/2/bargeIn`). */
  readonly pointer: string;
  readonly message: string;
}

/** The error thrown for invalid scenarios: SIM_ERR_SCENARIO_INVALID with every problem found. */
export type ScenarioInvalidError = FastifyError & { readonly problems: readonly ScenarioProblem[] };

/** `/calls/0/caller/2` -> `calls[0].caller[2]`. */
export function keyPath(pointer: string): string {
  let out = '';
  for (const segment of pointerSegments(pointer)) {
    if (/^(0|[1-9][0-9]*)$/.test(segment)) out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** `file:line:column: message (key: path)`, the one-line form the loader and the lint command print. */
export function formatProblem(problem: ScenarioProblem): string {
  const key = problem.key === '' ? '' : ` (key: ${problem.key})`;
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}${key}`;
}

/** Problems sorted by file, line, column, then message (the order they are printed in). */
export function sortProblems(problems: readonly ScenarioProblem[]): ScenarioProblem[] {
  return [...problems].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

/** Builds SIM_ERR_SCENARIO_INVALID carrying `problems` (sorted). */
export function scenarioInvalidError(what: string, problems: readonly ScenarioProblem[]): ScenarioInvalidError {
  const sorted = Object.freeze(sortProblems(problems).map((p) => Object.freeze({ ...p })));
  const error = new SimErrors.SIM_ERR_SCENARIO_INVALID(what, sorted.map(formatProblem).join('\n'));
  return Object.assign(error, { problems: sorted });
}

/** The problems carried by a SIM_ERR_SCENARIO_INVALID error; undefined for any other value. */
export function scenarioProblemsOf(error: unknown): readonly ScenarioProblem[] | undefined {
  if (!(error instanceof SimErrors.SIM_ERR_SCENARIO_INVALID)) return undefined;
  const problems: unknown = (error as { problems?: unknown }).problems;
  return Array.isArray(problems) ? (problems as ScenarioProblem[]) : undefined;
}
