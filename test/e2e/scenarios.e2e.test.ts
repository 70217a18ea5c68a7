/**
 * Every scenario of the library against the embedded reference agent, run once, judged twice:
 * each run must complete and meet its own `expect` block, and the check engine must agree: no MUST
 * check fails except those listed under `expect.failingChecks` (which must fail), and the checks
 * listed under `expect.checks` pass. One shared agent target; scenarios with the same env reuse
 * agents. `npm start` (test/e2e/cli-start.e2e.test.ts) runs the library again with seed 1.
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
const SEED = Number(process.env.RELAYSIM_E2E_SEED ?? 20_260_401);
const scenarios = await loadScenarioLibrary(`${ROOT}scenarios`);
const runs = new Map<string, { record: RunRecord; results: CheckResult[] }>();
let target: AgentTarget;

function failures(record: RunRecord): string[] {
  const out: string[] = [];
  for (const e of record.expectations) if (!e.pass) out.push(`${e.expectation}: ${e.evidence}`);
  for (const call of record.calls) {
    for (const e of call.expectations) if (!e.pass) out.push(`${call.name}: ${e.expectation}: ${e.evidence}`);
    for (const step of call.steps) if (step.outcome === 'timeout' || step.outcome === 'error') out.push(`${call.name} step ${step.index} (${step.kind}) ${step.outcome}: ${step.detail}`);
  }
  return out;
}

const line = (r: CheckResult) => `${r.checkId}${r.call === undefined ? '' : ` (call ${r.call})`}: ${r.outcome}: ${r.message}`;

function runOf(id: string): { record: RunRecord; results: CheckResult[] } {
  const run = runs.get(id);
  if (run === undefined) throw new Error(`no record for ${id}`);
  return run;
}

describe(`scenario library against the embedded reference agent (seed ${SEED})`, () => {
  beforeAll(async () => {
    target = createAgentTarget({ kind: 'embedded', moduleUrl: EMBED });
    // 16 at once, like `relaysim run`: the runs wait on simulated speech, not CPU (decision 0905).
    const done = await runScenarios(scenarios, { seed: SEED, target, concurrency: 16 });
    for (const record of done) runs.set(record.scenario.id, { record, results: evaluateRecord(record) });
  }, 180_000);

  afterAll(async () => {
    await target?.close();
  }, 30_000);

  it('finds the library and runs every scenario of it', () => {
    expect(scenarios.length).toBeGreaterThan(0);
    expect([...runs.keys()].sort()).toEqual(scenarios.map((s) => s.id).sort());
  });

  it.each(scenarios.map((s) => s.id))('%s completes and meets its expectations', (id) => {
    const { record } = runOf(id);
    expect(record.outcome, record.replay).toEqual({ status: 'completed' });
    expect(failures(record), `${record.replay}\n${failures(record).join('\n')}`).toEqual([]);
    expect(record.calls.length).toBe(record.scenario.calls.length);
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });

  it.each(scenarios.map((s) => s.id))('%s: no MUST check fails except the expected ones', (id) => {
    const run = runOf(id);
    const allowed = new Set(run.record.scenario.expect.failingChecks);
    const failing = run.results.filter((r) => isFailing(r) && !allowed.has(r.checkId));
    expect(failing.map(line), run.record.replay).toEqual([]);
  });

  it.each(scenarios.map((s) => s.id))('%s: the checks it lists behave as listed', (id) => {
    const run = runOf(id);
    const unmet = checkExpectations(run.record, run.results).filter((e) => !e.met);
    expect(unmet.map((e) => `${e.checkId} expected to ${e.expected}: ${e.detail}`), run.record.replay).toEqual([]);
  });
});
