/**
 * docs/scenarios.md is the reference people outside the team write scenarios from: it must name
 * every key the schema accepts, state the defaults the loader applies, and its examples must load.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { validateScenario } from '../../../simulator/scenario/load-scenario.ts';
import { formatProblem } from '../../../simulator/scenario/scenario-problem.ts';
import { CALLER_STEP_KINDS, SCENARIO_DEFAULTS, scenarioFileSchema } from '../../../simulator/scenario/schema.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const doc = readFileSync(resolve(root, 'docs/scenarios.md'), 'utf8');

/** Every property name reachable in a schema (record keys are the user's, not ours). */
function keysOf(schema: TSchema, out = new Set<string>()): Set<string> {
  const s = schema as { properties?: Record<string, TSchema>; items?: TSchema; anyOf?: TSchema[]; patternProperties?: Record<string, TSchema> };
  for (const [key, child] of Object.entries(s.properties ?? {})) {
    out.add(key);
    keysOf(child, out);
  }
  if (s.items) keysOf(s.items, out);
  for (const variant of s.anyOf ?? []) keysOf(variant, out);
  for (const child of Object.values(s.patternProperties ?? {})) keysOf(child, out);
  return out;
}

describe('docs/scenarios.md', () => {
  it.each([...keysOf(scenarioFileSchema)].sort())('documents the key %s', (key) => {
    expect(doc).toMatch(new RegExp(`\`(?:[\\w.]+\\.)?${key}\`|\\b${key}:`));
  });

  it.each(CALLER_STEP_KINDS)('documents the step %s in the step table', (kind) => {
    expect(doc).toContain(`| \`${kind}\` |`);
  });

  it('states the defaults the loader applies', () => {
    const r = SCENARIO_DEFAULTS.registration;
    expect(doc).toContain(`| \`payload\` | \`id\` \\| \`id+from\` \\| \`id+from+to\` \\| \`none\` | \`${r.payload}\` |`);
    expect(doc).toContain(`| \`apiKey\` | \`valid\` \\| \`wrong\` \\| \`missing\` | \`${r.apiKey}\` |`);
    expect(doc).toContain(`| \`repeat\` | integer 1–100 | \`${r.repeat}\` |`);
    expect(doc).toContain(`| \`speechRate\` | number > 0 | \`${SCENARIO_DEFAULTS.twilio.speechRate}\` |`);
    expect(doc).toContain(`default **${SCENARIO_DEFAULTS.waitTimeoutMs}**`);
    expect(doc).toContain(`\`lang\` default \`${SCENARIO_DEFAULTS.sayLang}\``);
    expect(doc).toContain(`\`${SCENARIO_DEFAULTS.arrival}\` (default)`);
  });

  const examples = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((m) => m[1] ?? '')
    .filter((text) => /^id: /m.test(text));

  it('has complete examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
  });

  it.each(examples.map((text) => [/^id: (\S+)/m.exec(text)?.[1] ?? '?', text]))('example %s loads', (id, text) => {
    const result = validateScenario(text, `${id}.yaml`);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
  });
});
