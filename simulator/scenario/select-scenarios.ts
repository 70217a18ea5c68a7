import { SimErrors } from '../core/errors.ts';
import type { Scenario } from './schema.ts';

/** Which scenarios to run: ids or globs (`barge-*`, `?` = one character), and/or tags. */
export interface ScenarioSelection {
  /** A scenario is selected when its id matches any of these; absent or empty = all. */
  readonly ids?: readonly string[];
  /** A scenario is selected when it has any of these tags; absent or empty = all. */
  readonly tags?: readonly string[];
}

/**
 * The scenarios of `library` matching both criteria, in library order. Every id pattern and every
 * tag must match at least one scenario, else SIM_ERR_SCENARIO_NOT_FOUND (a typo must not run nothing).
 */
export function selectScenarios(library: readonly Scenario[], selection: ScenarioSelection): readonly Scenario[] {
  const ids = selection.ids ?? [];
  const tags = selection.tags ?? [];
  const matchers = ids.map((pattern) => ({ pattern, re: globToRegExp(pattern) }));
  for (const { pattern, re } of matchers) {
    if (!library.some((s) => re.test(s.id))) {
      throw new SimErrors.SIM_ERR_SCENARIO_NOT_FOUND(`id '${pattern}'`, library.map((s) => s.id).join(', ') || 'none');
    }
  }
  for (const tag of tags) {
    if (!library.some((s) => s.tags.includes(tag))) {
      const known = [...new Set(library.flatMap((s) => s.tags))].sort();
      throw new SimErrors.SIM_ERR_SCENARIO_NOT_FOUND(`tag '${tag}'`, `tags ${known.join(', ') || 'none'}`);
    }
  }
  return Object.freeze(
    library.filter(
      (s) => (matchers.length === 0 || matchers.some(({ re }) => re.test(s.id))) && (tags.length === 0 || tags.some((t) => s.tags.includes(t))),
    ),
  );
}

/** `*` any run of characters, `?` one character, everything else literal; anchored. */
export function globToRegExp(glob: string): RegExp {
  const body = [...glob].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`);
}
