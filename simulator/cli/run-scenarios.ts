import type { AgentTarget } from '../agent-target/agent-target.ts';
import { checkExpectations, evaluateRecord } from '../checks/evaluate-checks.ts';
import type { Clock } from '../core/clock.ts';
import { expectationsOf, scenarioOutcome, type ScenarioRun } from '../report/run-report.ts';
import { runScenario } from '../scenario/run-scenario.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Progress } from './progress.ts';

/** Inputs of {@link runSelection}. */
export interface SelectionRun {
  readonly scenarios: readonly Scenario[];
  readonly target: AgentTarget;
  readonly seed: number;
  readonly strict: boolean;
  readonly concurrency: number;
  readonly clock: Clock;
  readonly fetch: typeof globalThis.fetch;
  readonly replay: (scenario: Scenario, seed: number) => string;
  readonly progress: Progress;
  /** When it aborts, no further scenario starts. */
  readonly signal?: AbortSignal;
}

/** What a pass produced: the runs that finished, in selection order. */
export interface SelectionResult {
  readonly runs: readonly ScenarioRun[];
  readonly interrupted: boolean;
}

/**
 * Runs the scenarios at most `concurrency` at a time, judges each record as it arrives (so progress
 * can show the outcome) and returns them in selection order.
 */
export async function runSelection(o: SelectionRun): Promise<SelectionResult> {
  const runs: (ScenarioRun | undefined)[] = new Array(o.scenarios.length).fill(undefined);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < o.scenarios.length && o.signal?.aborted !== true) {
      const index = next++;
      const scenario = o.scenarios[index] as Scenario;
      o.progress.started(scenario.id);
      const started = o.clock.now();
      const record = await runScenario(scenario, { seed: o.seed, target: o.target, clock: o.clock, fetch: o.fetch, replay: o.replay });
      const results = evaluateRecord(record, { strict: o.strict });
      const durationMs = o.clock.now() - started;
      const outcome = scenarioOutcome(record, results, expectationsOf(record), record.outcome.status === 'completed' ? checkExpectations(record, results) : [], o.strict);
      runs[index] = { record, results, durationMs };
      o.progress.finished(scenario.id, outcome, durationMs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, o.scenarios.length) }, worker));
  const done = runs.filter((r): r is ScenarioRun => r !== undefined);
  // Runs that finished after an abort saw their agents stopped under them: their verdicts mean nothing.
  return { runs: done, interrupted: o.signal?.aborted === true || done.length < o.scenarios.length };
}
