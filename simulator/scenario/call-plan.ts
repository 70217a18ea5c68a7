/**
 * Call planning: everything a run draws from its seed before anything runs (every call's ids and
 * the arrival order), so a replay with the same seed places the same calls in the same order.
 */
import { createSeededIds, type IdGenerator } from '../core/ids.ts';
import { createSeededRandom, type Random } from '../core/random.ts';
import { type InboundCall, createInboundCall } from '../twilio/call-params.ts';
import type { Scenario, ScenarioCall } from './schema.ts';

/** The called number of every simulated call unless the scenario names one. */
export const DEFAULT_AGENT_NUMBER = '+15550100999';

/** The seeded identity of one call, drawn before anything runs. */
export interface PlannedCall {
  readonly spec: ScenarioCall;
  readonly call: InboundCall;
  readonly ids: IdGenerator;
  readonly simulationOutputId: string;
}

/** The arrival order: fixed, or a seeded Fisher–Yates shuffle of the call indices. */
export function arrivalOrderOf(scenario: Scenario, random: Random): number[] {
  if (scenario.arrival.kind === 'fixed') return [...scenario.arrival.order];
  const order = scenario.calls.map((c) => c.index);
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

/** Draws every call's ids from the seed: `random.derive('call-<i>')` per call, so calls do not shift each other. */
export function planCalls(scenario: Scenario, random: Random): PlannedCall[] {
  const accountSid = createSeededIds(random.derive('account')).sid('AC');
  return scenario.calls.map((spec) => {
    const callRandom = random.derive(`call-${spec.index}`);
    const ids = createSeededIds(callRandom.derive('twilio'));
    const simulationOutputId = createSeededIds(callRandom.derive('coval')).simulationOutputId();
    const drawn = createInboundCall(ids, { accountSid, to: spec.to ?? DEFAULT_AGENT_NUMBER });
    const call = spec.from === undefined ? drawn : { ...drawn, from: spec.from };
    return { spec, call, ids, simulationOutputId };
  });
}

/** The run's root random stream: one seed, a stream per scenario id. */
export function scenarioRandom(scenario: Scenario, seed: number): Random {
  return createSeededRandom(seed).derive(`scenario:${scenario.id}`);
}
