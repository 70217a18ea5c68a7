/**
 * Every scenario of the library against the embedded reference agent: each run must complete and
 * meet its own `expect` block. One shared agent target; scenarios with the same env reuse agents.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentTarget, createAgentTarget } from '../../simulator/agent-target/agent-target.ts';
import { loadScenarioLibrary } from '../../simulator/scenario/load-scenario.ts';
import type { RunRecord } from '../../simulator/scenario/run-record.ts';
import { runScenarios } from '../../simulator/scenario/run-scenario.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EMBED = pathToFileURL(`${ROOT}agent/embed.ts`).href;
const SEED = Number(process.env.RELAYSIM_E2E_SEED ?? 20_260_401);
const scenarios = await loadScenarioLibrary(`${ROOT}scenarios`);
const records = new Map<string, RunRecord>();
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

describe(`scenario library against the embedded reference agent (seed ${SEED})`, () => {
  beforeAll(async () => {
    target = createAgentTarget({ kind: 'embedded', moduleUrl: EMBED });
    const done = await runScenarios(scenarios, { seed: SEED, target, concurrency: 4 });
    for (const record of done) records.set(record.scenario.id, record);
  }, 180_000);

  afterAll(async () => {
    await target?.close();
  }, 30_000);

  it('finds the library', () => {
    expect(scenarios.length).toBeGreaterThan(0);
  });

  it.each(scenarios.map((s) => s.id))('%s completes and meets its expectations', (id) => {
    const record = records.get(id);
    expect(record, `no record for ${id}`).toBeDefined();
    if (record === undefined) return;
    expect(record.outcome, record.replay).toEqual({ status: 'completed' });
    expect(failures(record), `${record.replay}\n${failures(record).join('\n')}`).toEqual([]);
    expect(record.calls.length).toBe(record.scenario.calls.length);
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });
});
