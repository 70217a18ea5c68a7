/**
 * A scenario written from docs/scenarios.md by someone outside the team (test/fixtures/scenarios/)
 * loads and runs against the embedded reference agent, meeting its own expectations and checks;
 * the same file with one mistake is refused with file:line:column.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createAgentTarget } from '../../simulator/agent-target/agent-target.ts';
import { checkExpectations, evaluateRecord, isFailing } from '../../simulator/checks/evaluate-checks.ts';
import { loadScenarioFile, validateScenario } from '../../simulator/scenario/load-scenario.ts';
import { runScenario } from '../../simulator/scenario/run-scenario.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FILE = `${ROOT}test/fixtures/scenarios/lab-results-handoff.yaml`;

describe('a scenario written outside the team', () => {
  it('loads, runs against the reference agent and meets its expectations and listed checks', async () => {
    const scenario = await loadScenarioFile(FILE);
    const target = createAgentTarget({ kind: 'embedded', moduleUrl: pathToFileURL(`${ROOT}agent/embed.ts`).href });
    onTestFinished(() => target.close());
    const record = await runScenario(scenario, { seed: 7, target });
    expect(record.outcome).toEqual({ status: 'completed' });
    const unmet = [...record.expectations, ...record.calls.flatMap((c) => c.expectations)].filter((e) => !e.pass);
    expect(unmet.map((e) => `${e.expectation}: ${e.evidence}`)).toEqual([]);
    const results = evaluateRecord(record);
    expect(results.filter((r) => isFailing(r)).map((r) => `${r.checkId}: ${r.message}`)).toEqual([]);
    expect(checkExpectations(record, results).every((e) => e.met)).toBe(true);
  }, 60_000);

  it('is refused with file:line:column when a key is misspelt', async () => {
    const text = (await readFile(FILE, 'utf8')).replace(/^calls:/m, 'callz:');
    const line = text.split('\n').findIndex((l) => l.startsWith('callz:')) + 1;
    const result = validateScenario(text, 'lab-results-handoff.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.some((p) => p.file === 'lab-results-handoff.yaml' && p.line === line && p.column === 1 && p.key === 'callz')).toBe(true);
  });
});
