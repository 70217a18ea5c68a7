import { describe, expect, it } from 'vitest';
import { SimErrors } from '../../../simulator/core/errors.ts';
import { parseScenario } from '../../../simulator/scenario/load-scenario.ts';
import { globToRegExp, selectScenarios } from '../../../simulator/scenario/select-scenarios.ts';

const scenario = (id: string, tags: string[]) =>
  parseScenario(`id: ${id}\ntitle: T\ntags: [${tags.join(', ')}]\ncaller: [hangUp: {}]\n`, `${id}.yaml`);

const library = [
  scenario('barge-in-greeting', ['interrupt']),
  scenario('barge-in-mid-answer', ['interrupt', 'core']),
  scenario('greeting-and-one-question', ['core']),
  scenario('two-callers', ['correlation']),
];
const ids = (list: readonly { id: string }[]) => list.map((s) => s.id);

describe('selectScenarios', () => {
  it('selects everything when nothing is asked for', () => {
    expect(ids(selectScenarios(library, {}))).toEqual(ids(library));
  });

  it('selects by exact id or glob, keeping library order', () => {
    expect(ids(selectScenarios(library, { ids: ['two-callers', 'barge-in-*'] }))).toEqual(['barge-in-greeting', 'barge-in-mid-answer', 'two-callers']);
    expect(ids(selectScenarios(library, { ids: ['two-caller?'] }))).toEqual(['two-callers']);
  });

  it('selects by any of the tags, and intersects with ids', () => {
    expect(ids(selectScenarios(library, { tags: ['core', 'correlation'] }))).toEqual(['barge-in-mid-answer', 'greeting-and-one-question', 'two-callers']);
    expect(ids(selectScenarios(library, { ids: ['barge-in-*'], tags: ['core'] }))).toEqual(['barge-in-mid-answer']);
  });

  it('throws SIM_ERR_SCENARIO_NOT_FOUND for an id or tag that matches nothing', () => {
    expect(() => selectScenarios(library, { ids: ['barge-inn'] })).toThrow(SimErrors.SIM_ERR_SCENARIO_NOT_FOUND);
    expect(() => selectScenarios(library, { ids: ['barge-inn'] })).toThrow(/available: barge-in-greeting, barge-in-mid-answer/);
    expect(() => selectScenarios(library, { tags: ['nope'] })).toThrow(/tag 'nope'.*tags core, correlation, interrupt/);
  });
});

describe('globToRegExp', () => {
  it('treats only * and ? as wildcards', () => {
    expect(globToRegExp('a.b*').test('a.bcd')).toBe(true);
    expect(globToRegExp('a.b*').test('axbcd')).toBe(false);
    expect(globToRegExp('a?c').test('abc')).toBe(true);
    expect(globToRegExp('a?c').test('abbc')).toBe(false);
  });
});
