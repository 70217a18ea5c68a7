import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { duplicateIdProblems, loadScenarioFile, loadScenarioLibrary } from '../scenario/load-scenario.ts';
import { scenarioInvalidError } from '../scenario/scenario-problem.ts';
import type { Scenario } from '../scenario/schema.ts';
import { selectScenarios } from '../scenario/select-scenarios.ts';
import type { CliIo } from './cli-command.ts';

/** A selection that cannot be made: the message for stderr (a usage/configuration error). */
export interface SelectionProblem {
  readonly problem: string;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Loads the scenario files and folders in `paths` (default: the kit's library from
 * `io.defaults.scenarioDir`, else `./scenarios`) and selects by id/glob and tag.
 */
export async function loadSelection(
  paths: readonly string[],
  selection: { readonly scenarios: readonly string[]; readonly tags: readonly string[] },
  io: CliIo,
): Promise<readonly Scenario[] | SelectionProblem> {
  const sources = paths.length > 0 ? paths.map((p) => resolve(io.cwd, p)) : [io.defaults?.scenarioDir ?? resolve(io.cwd, 'scenarios')];
  const library: Scenario[] = [];
  try {
    for (const source of sources) {
      const info = await stat(source).catch(() => undefined);
      if (info === undefined) return { problem: `no such scenario file or folder: ${source}` };
      if (info.isDirectory()) library.push(...(await loadScenarioLibrary(source)));
      else library.push(await loadScenarioFile(source));
    }
    const duplicates = duplicateIdProblems(library);
    if (duplicates.length > 0) throw scenarioInvalidError(sources.join(', '), duplicates);
  } catch (error) {
    return { problem: `${messageOf(error)}\nCheck the files with: relaysim scenarios lint ${paths.join(' ') || sources.join(' ')}` };
  }
  if (library.length === 0) return { problem: `no scenarios in ${sources.join(', ')}` };
  try {
    return selectScenarios(library, { ids: selection.scenarios, tags: selection.tags });
  } catch (error) {
    return { problem: messageOf(error) };
  }
}

/** True when loading or selecting failed. */
export function isSelectionProblem(value: unknown): value is SelectionProblem {
  return typeof value === 'object' && value !== null && 'problem' in value;
}
