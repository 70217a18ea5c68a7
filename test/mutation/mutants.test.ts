/**
 * Proof that the checks catch real bugs: every mutant of test/mutation/mutants.ts (the reference
 * agent with one planted bug) runs its scenario through the real runner over real sockets and must
 * be reported by the intended check id, while the unmodified reference agent passes every check of
 * the same scenarios.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentTarget, createAgentTarget } from '../../simulator/agent-target/agent-target.ts';
import type { CheckResult } from '../../simulator/checks/check-result.ts';
import { evaluateRecord, isFailing } from '../../simulator/checks/evaluate-checks.ts';
import { loadScenarioLibrary } from '../../simulator/scenario/load-scenario.ts';
import type { RunRecord } from '../../simulator/scenario/run-record.ts';
import { type RunnerTimeouts, runScenario } from '../../simulator/scenario/run-scenario.ts';
import type { Scenario } from '../../simulator/scenario/schema.ts';
import { MUTANT_ENV, REFERENCE } from './mutant-embed.ts';
import { type Catch, type Mutant, MUTANTS } from './mutants.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EMBED = pathToFileURL(`${ROOT}test/mutation/mutant-embed.ts`).href;
const SEED = Number(process.env.RELAYSIM_MUTATION_SEED ?? 20_260_501);
/**
 * Runs at once; each holds an agent and the fakes on real sockets. The runs wait on simulated
 * speech and on deadlines for what a mutant never sends, not on CPU (decision 0905), so the pool
 * is as wide as the longest few runs allow.
 */
const CONCURRENCY = 12;
/** Several mutants never deliver a trace; waiting the default 8 s for each would dominate the suite. */
const TIMEOUTS: Partial<RunnerTimeouts> = { exportDeadlineMs: 4_000 };

const scenarios = new Map<string, Scenario>(
  [...(await loadScenarioLibrary(`${ROOT}scenarios`)), ...(await loadScenarioLibrary(`${ROOT}test/fixtures/scenarios`))].map((s) => [s.id, s]),
);
const scenarioIds = [...new Set(MUTANTS.map((m) => m.scenario))].sort();

interface Judged {
  readonly record: RunRecord;
  readonly results: readonly CheckResult[];
}

const reference = new Map<string, Judged>();
const mutated = new Map<string, Judged>();
const targets: AgentTarget[] = [];

function scenario(id: string): Scenario {
  const found = scenarios.get(id);
  if (found === undefined) throw new Error(`no scenario '${id}' in scenarios/ or test/fixtures/scenarios/`);
  return found;
}

async function judge(s: Scenario, target: AgentTarget): Promise<Judged> {
  const record = await runScenario(s, { seed: SEED, target, timeouts: TIMEOUTS });
  return { record, results: evaluateRecord(record) };
}

/** Runs `tasks` with at most {@link CONCURRENCY} at a time. */
async function pool(tasks: readonly (() => Promise<void>)[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) await (tasks[next++] as () => Promise<void>)();
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** The results a catch names: one call's, the scenario-level ones, or each call's. */
function resultsAt(judged: Judged, c: Catch): CheckResult[] {
  const own = judged.results.filter((r) => r.checkId === c.checkId);
  if (c.at === 'scenario') return own.filter((r) => r.call === undefined);
  if (c.at === 'every-call') return own.filter((r) => r.call !== undefined);
  return own.filter((r) => r.call === c.at);
}

function describeResults(results: readonly CheckResult[]): string {
  return results.map((r) => `  ${r.checkId} ${r.call === undefined ? 'scenario' : `call ${r.call}`}: ${r.outcome} (${r.message})`).join('\n') || '  (none)';
}

function context(judged: Judged): string {
  const events = judged.record.events.map((e) => `  ${Math.round(e.atMs)} ms ${e.kind}: ${e.message}`).join('\n');
  return `${judged.record.replay}\noutcome: ${JSON.stringify(judged.record.outcome)}\nevents:\n${events}`;
}

beforeAll(async () => {
  const referenceTarget = createAgentTarget({ kind: 'embedded', moduleUrl: EMBED }, { baseEnv: { [MUTANT_ENV]: REFERENCE } });
  targets.push(referenceTarget);
  const tasks: (() => Promise<void>)[] = [];
  for (const mutant of MUTANTS) {
    const target = createAgentTarget({ kind: 'embedded', moduleUrl: EMBED }, { baseEnv: { [MUTANT_ENV]: mutant.id } });
    targets.push(target);
    tasks.push(async () => void mutated.set(mutant.id, await judge(scenario(mutant.scenario), target)));
  }
  for (const id of scenarioIds) tasks.push(async () => void reference.set(id, await judge(scenario(id), referenceTarget)));
  await pool(tasks);
}, 150_000);

afterAll(async () => {
  await Promise.all(targets.map((t) => t.close()));
}, 30_000);

describe(`mutation suite (seed ${SEED})`, () => {
  it('has at least the 17 required mutants, each with a known scenario and at least one catching check', () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(17);
    expect(new Set(MUTANTS.map((m) => m.id)).size).toBe(MUTANTS.length);
    for (const m of MUTANTS) {
      expect(scenarios.has(m.scenario), `${m.id}: scenario ${m.scenario}`).toBe(true);
      expect(m.caught.length, m.id).toBeGreaterThan(0);
    }
  });

  it.each(scenarioIds)('the unmodified reference agent passes every check on %s', (id) => {
    const judged = reference.get(id);
    expect(judged, `no reference run of ${id}`).toBeDefined();
    if (judged === undefined) return;
    expect(judged.record.outcome, context(judged)).toEqual({ status: 'completed' });
    // No fail, no warning and no MUST check left unjudged.
    const failing = judged.results.filter((r) => isFailing(r) || r.outcome === 'warn');
    expect(failing, `${context(judged)}\n${describeResults(failing)}`).toEqual([]);
    // Every check a mutant of this scenario relies on must really be judged here, and pass.
    const relied = new Set(MUTANTS.filter((m) => m.scenario === id).flatMap((m) => m.caught.map((c) => c.checkId)));
    for (const checkId of relied) {
      const own = judged.results.filter((r) => r.checkId === checkId);
      const bad = own.filter((r) => r.outcome !== 'pass' && r.outcome !== 'skip');
      expect(bad, `${checkId} on the reference agent:\n${describeResults(own)}`).toEqual([]);
      expect(own.some((r) => r.outcome === 'pass'), `${checkId} never passed on the reference agent:\n${describeResults(own)}`).toBe(true);
    }
  });

  it.each(MUTANTS.map((m): [string, Mutant] => [m.id, m]))('mutant %s is caught', (_id, mutant) => {
    const judged = mutated.get(mutant.id);
    expect(judged, `no run of mutant ${mutant.id}`).toBeDefined();
    if (judged === undefined) return;
    expect(judged.record.outcome, context(judged)).toEqual({ status: 'completed' });
    for (const c of mutant.caught) {
      const at = resultsAt(judged, c);
      const own = judged.results.filter((r) => r.checkId === c.checkId);
      const where = typeof c.at === 'number' ? `call ${c.at}` : c.at;
      expect(at.length, `${mutant.id}: no ${c.checkId} result for ${where}:\n${describeResults(own)}\n${context(judged)}`).toBeGreaterThan(0);
      for (const r of at) {
        expect(r.outcome, `${mutant.id} (${mutant.fault}): ${c.checkId} at ${where} should be ${c.outcome}:\n${describeResults(own)}\n${context(judged)}`).toBe(c.outcome);
      }
    }
  });
});
