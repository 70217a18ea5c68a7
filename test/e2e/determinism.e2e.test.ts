/**
 * Same scenario, same seed, twice against the embedded reference agent: the normalised RunRecords
 * are deep-equal (architecture §4), including a barge-in at a fixed playback offset and four
 * overlapping calls (their LLM requests and exports interleave by timing; decisions 0951, 0952).
 * Not here: a barge-in racing a token stream (barge-in-mid-answer), whose frame interleaving
 * depends on timing by nature (decision 0407).
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createAgentTarget } from '../../simulator/agent-target/agent-target.ts';
import { loadScenarioFile } from '../../simulator/scenario/load-scenario.ts';
import { normaliseRecord } from '../../simulator/scenario/normalise-record.ts';
import { runScenario } from '../../simulator/scenario/run-scenario.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const target = createAgentTarget({ kind: 'embedded', moduleUrl: pathToFileURL(`${ROOT}agent/embed.ts`).href });
const SCENARIOS = ['greeting-and-one-question', 'barge-in-during-greeting', 'four-callers-out-of-order-with-numbers'];

describe('determinism of runs against the embedded reference agent', () => {
  afterAll(() => target.close(), 30_000);

  // Concurrently: equal records must not depend on what else the machine is doing, and the runs
  // mostly wait on real time (speech, exports), so together they take as long as the slowest.
  it.concurrent.each(SCENARIOS)('%s: two runs with the same seed give equal normalised records', async (id) => {
    const scenario = await loadScenarioFile(`${ROOT}scenarios/${id}.yaml`);
    const [first, second] = await Promise.all([runScenario(scenario, { seed: 11, target }), runScenario(scenario, { seed: 11, target })]);
    expect(first.outcome.status).toBe('completed');
    expect(first.agent.instance?.id).not.toBe(second.agent.instance?.id);
    expect(normaliseRecord(second)).toEqual(normaliseRecord(first));
  }, 60_000);

  it.concurrent('a different seed gives different ids', async () => {
    const scenario = await loadScenarioFile(`${ROOT}scenarios/greeting-and-one-question.yaml`);
    const [a, b] = await Promise.all([runScenario(scenario, { seed: 1, target }), runScenario(scenario, { seed: 2, target })]);
    expect(a.calls[0]?.simulationOutputId).not.toBe(b.calls[0]?.simulationOutputId);
    expect(a.calls[0]?.callSid).not.toBe(b.calls[0]?.callSid);
    expect(normaliseRecord(a)).not.toEqual(normaliseRecord(b));
  }, 60_000);
});
