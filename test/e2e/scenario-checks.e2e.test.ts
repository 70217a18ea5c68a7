/**
 * The check engine over real RunRecords: every scenario of the library against the embedded
 * reference agent. The reference agent must pass every MUST check of every scenario (only the
 * checks a scenario lists under `expect.failingChecks` may fail), the listed failing checks must
 * fail, and the checks a scenario lists under `expect.checks` must pass.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentTarget, createAgentTarget } from '../../simulator/agent-target/agent-target.ts';
import type { CheckResult } from '../../simulator/checks/check-result.ts';
import { checkExpectations, evaluateRecord, isFailing } from '../../simulator/checks/evaluate-checks.ts';
import { loadScenarioLibrary } from '../../simulator/scenario/load-scenario.ts';
import type { RunRecord } from '../../simulator/scenario/run-record.ts';
import { runScenarios } from '../../simulator/scenario/run-scenario.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EMBED = pathToFileURL(`${ROOT}agent/embed.ts`).href;
const SEED = Number(process.env.RELAYSIM_E2E_SEED ?? 20_260_402);
const scenarios = await loadScenarioLibrary(`${ROOT}scenarios`);
const runs = new Map<string, { record: RunRecord; results: CheckResult[] }>();
let target: AgentTarget;

const line = (r: CheckResult) => `${r.checkId}${r.call === undefined ? '' : ` (call ${r.call})`}: ${r.outcome}: ${r.message}`;

describe(`checks over the scenario library against the embedded reference agent (seed ${SEED})`, () => {
  beforeAll(async () => {
    target = createAgentTarget({ kind: 'embedded', moduleUrl: EMBED });
    const done = await runScenarios(scenarios, { seed: SEED, target, concurrency: 4 });
    for (const record of done) runs.set(record.scenario.id, { record, results: evaluateRecord(record) });
  }, 180_000);

  afterAll(async () => {
    await target?.close();
  }, 30_000);

  it.each(scenarios.map((s) => s.id))('%s: no MUST check fails except the expected ones', (id) => {
    const run = runs.get(id);
    expect(run, `no record for ${id}`).toBeDefined();
    if (!run) return;
    const allowed = new Set(run.record.scenario.expect.failingChecks);
    const failing = run.results.filter((r) => isFailing(r) && !allowed.has(r.checkId));
    expect(failing.map(line), run.record.replay).toEqual([]);
  });

  it.each(scenarios.map((s) => s.id))('%s: the checks it lists behave as listed', (id) => {
    const run = runs.get(id);
    if (!run) throw new Error(`no record for ${id}`);
    const unmet = checkExpectations(run.record, run.results).filter((e) => !e.met);
    expect(unmet.map((e) => `${e.checkId} expected to ${e.expected}: ${e.detail}`), run.record.replay).toEqual([]);
  });
});
