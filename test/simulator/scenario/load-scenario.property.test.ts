import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { validateScenario } from '../../../simulator/scenario/load-scenario.ts';
import { fcOptions } from '../../support/fc-config.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const valid = readFileSync(resolve(root, 'test/fixtures/scenarios/lab-results-handoff.yaml'), 'utf8');

/** Every problem must point inside the text (a line that exists, a column on it or just after it). */
function assertPositionsInside(text: string, fileName: string): void {
  const result = validateScenario(text, fileName);
  if (result.ok) return;
  const lines = text.split('\n');
  expect(result.problems.length).toBeGreaterThan(0);
  for (const p of result.problems) {
    expect(p.file).toBe(fileName);
    expect(p.line).toBeGreaterThanOrEqual(1);
    expect(p.line).toBeLessThanOrEqual(lines.length + 1);
    expect(p.column).toBeGreaterThanOrEqual(1);
    expect(p.column).toBeLessThanOrEqual((lines[p.line - 1] ?? '').length + 1);
    expect(p.message.length).toBeGreaterThan(0);
  }
}

const edit = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(':', '-', ' ', '\n', '{', '}', '[', ']', '"', "'", '#', '&a', '*a', '\t', 'x', '5', 'null', '!!str ') }),
);

describe('validateScenario under arbitrary input', () => {
  it('never throws on random edits of a valid file and keeps every position inside the text', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 6 }), (edits) => {
        let text = valid;
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = e.kind === 'delete' ? text.slice(0, at) + text.slice(at + e.length) : text.slice(0, at) + e.text + text.slice(at);
        }
        assertPositionsInside(text, 'lab-results-handoff.yaml');
      }),
      fcOptions({ numRuns: 300 }, 'scenario edits'),
    );
  });

  it('never throws on arbitrary YAML data', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        assertPositionsInside(stringify(value), 'any.yaml');
      }),
      fcOptions({ numRuns: 200 }, 'scenario json values'),
    );
  });
});
