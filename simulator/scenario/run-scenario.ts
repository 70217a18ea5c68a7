/**
 * The run entry point: leases an agent, has the call driver place the scenario's calls and
 * assembles the RunRecord. Planning, driving and the record's parts live in their own files;
 * their public names are re-exported here so callers keep one import.
 */
import type { AgentLease, AgentTarget } from '../agent-target/agent-target.ts';
import { isSkipped } from '../agent-target/agent-target.ts';
import { probeHealth } from '../agent-target/security-probes.ts';
import { type Clock, sleep, systemClock } from '../core/clock.ts';
import { SimErrors } from '../core/errors.ts';
import type { RunFakes } from '../fakes/fake-stack.ts';
import { arrivalOrderOf, planCalls, scenarioRandom } from './call-plan.ts';
import { AgentExitedSignal, type CallState, drive, errorText } from './drive-call.ts';
import { evaluateExpectations } from './expectations.ts';
import { attributeLlmRequests } from './llm-attribution.ts';
import { type AgentRecord, type CallRecord, KIT, RUN_RECORD_SCHEMA_VERSION, type RunEvent, type RunOutcome, type RunRecord } from './run-record.ts';
import { agentRecordOf, callRecordOf, covalRecordOf, isClean } from './run-record-parts.ts';
import { DEFAULT_RUNNER_TIMEOUTS, type RunnerTimeouts } from './runner-timeouts.ts';
import type { Scenario } from './schema.ts';

export { arrivalOrderOf, DEFAULT_AGENT_NUMBER, planCalls, scenarioRandom } from './call-plan.ts';
export { DEFAULT_RUNNER_TIMEOUTS, type RunnerTimeouts } from './runner-timeouts.ts';

/** Options of {@link runScenario}. */
export interface RunScenarioOptions {
  /** Drives every id, caller number, arrival shuffle and the fake LLM (architecture §4). */
  readonly seed: number;
  readonly target: AgentTarget;
  /** Default: the system clock (agents run on real time). */
  readonly clock?: Clock;
  readonly fetch?: typeof globalThis.fetch;
  readonly timeouts?: Partial<RunnerTimeouts>;
  /** The one-line replay command; default `relaysim run <file> --seed <seed>`. */
  readonly replay?: (scenario: Scenario, seed: number) => string;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Runs one scenario against the target's agent and returns its RunRecord (architecture §3): the
 * registrations in call order, the calls arriving in the scenario's arrival order behind barriers,
 * each caller script played, then the call-complete contract (socket closed, and a trace batch
 * arrived or the export deadline passed). Never throws for what the agent does; infrastructure
 * failures give `outcome.status: 'error'` with the reason.
 */
export async function runScenario(scenario: Scenario, options: RunScenarioOptions): Promise<RunRecord> {
  const clock = options.clock ?? systemClock;
  const fetch = options.fetch ?? globalThis.fetch;
  const timeouts: RunnerTimeouts = { ...DEFAULT_RUNNER_TIMEOUTS, ...options.timeouts };
  if (!Number.isInteger(options.seed)) throw new SimErrors.SIM_ERR_RUNNER_OPTIONS_INVALID(`seed must be an integer (actual: ${String(options.seed)})`);
  const seed = options.seed;
  const random = scenarioRandom(scenario, seed);
  const plans = planCalls(scenario, random);
  const arrivalOrder = arrivalOrderOf(scenario, random.derive('arrival'));
  const startedAtMs = clock.now();
  const timebase = { nowMs: startedAtMs, epochMs: clock.epochMs() };
  const events: RunEvent[] = [];
  const event = (kind: RunEvent['kind'], message: string, call?: number): void => {
    events.push({ atMs: clock.now(), kind, message, ...(call === undefined ? {} : { call }) });
  };
  const states: CallState[] = plans.map((plan) => ({ plan, dials: [], arrivalPosition: arrivalOrder.indexOf(plan.spec.index), steps: [] }));
  event('run-start', `scenario ${scenario.id}, seed ${seed}, arrival order [${arrivalOrder.join(', ')}]`);

  let lease: AgentLease | undefined;
  let fakes: RunFakes | undefined;
  let outcome: RunOutcome = { status: 'completed' };
  let agentRecord: AgentRecord = {
    mode: options.target.mode,
    baseUrl: '',
    publicUrl: '',
    paths: { webhook: '', register: '' },
    signing: { twilioAuthToken: false },
    env: {},
  };
  let reusable = false;
  let healthAfter: { status: number | null; detail: string } | undefined;

  try {
    let leased: Awaited<ReturnType<AgentTarget['lease']>>;
    try {
      leased = await options.target.lease({ env: scenario.agent.env, simulationIds: plans.map((p) => p.simulationOutputId) });
    } catch (error) {
      const process = (error as { process?: AgentRecord['process'] }).process;
      if (process !== undefined) agentRecord = { ...agentRecord, process };
      throw error;
    }
    if (isSkipped(leased)) {
      outcome = { status: 'skipped', reason: leased.skipped };
      event('note', `skipped: ${leased.skipped}`);
    } else {
      lease = leased;
      const agent = lease.agent;
      agentRecord = agentRecordOf(agent, lease);
      fakes = await lease.stack.beginRun({
        random: random.derive('openai'),
        script: scenario.llm,
        acceptUnknownIds: scenario.coval.acceptUnknownIds,
        faults: scenario.coval.faults,
      });
      await drive({ scenario, agent, fakes, states, arrivalOrder, clock, fetch, timeouts, event });
      healthAfter = await probeHealth(agent, clock, fetch);
      reusable = isClean(states);
    }
  } catch (error) {
    const exited = error instanceof AgentExitedSignal;
    outcome = { status: 'error', reason: errorText(error), ...(exited ? { code: 'SIM_ERR_AGENT_EXITED' } : errorCode(error) ? { code: errorCode(error) as string } : {}) };
    event(exited ? 'agent-exit' : 'error', errorText(error));
    for (const state of states) state.session?.client.terminate();
    await Promise.all(states.map((s) => (s.session ? Promise.race([s.session.done, sleep(clock, timeouts.hangUpMs)]) : undefined)));
  }

  for (const state of states) if (state.session !== undefined && state.relay === undefined) state.relay = state.session.record();
  const llmRequests = fakes ? structuredClone(fakes.openai.openai.history.toJSON()) : [];
  const coval = fakes ? covalRecordOf(fakes) : { attempts: [], batches: [], finalize: {} };
  if (fakes) await fakes.end();
  if (lease) {
    const process = lease.agent.processRecord();
    if (process !== undefined) agentRecord = { ...agentRecord, process };
    await lease.release({ reusable: reusable && outcome.status === 'completed' });
  }
  event('run-end', `outcome ${outcome.status}`);

  const relayUrl = states.map((s) => (s.webhook?.twiml as { relay?: { url?: string } } | undefined)?.relay?.url).find((u) => u !== undefined);
  if (relayUrl !== undefined && URL.canParse(relayUrl)) agentRecord = { ...agentRecord, paths: { ...agentRecord.paths, ws: new URL(relayUrl).pathname } };
  const calls: CallRecord[] = states.map((state) => callRecordOf(state));
  const attribution = attributeLlmRequests(calls, llmRequests);
  const base: RunRecord = {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    kit: { ...KIT },
    seed,
    replay: (options.replay ?? defaultReplay)(scenario, seed),
    scenario,
    agent: agentRecord,
    timebase,
    startedAtMs,
    endedAtMs: clock.now(),
    arrivalOrder,
    calls: calls.map((c, i) => ({ ...c, llmRequestSeqs: attribution[i] ?? [] })),
    llm: { requests: llmRequests },
    coval,
    ...(lease?.probes || healthAfter ? { probes: { signatureProbes: lease?.probes?.signatureProbes ?? false, results: lease?.probes?.results ?? [], ...(healthAfter ? { healthAfter } : {}) } } : {}),
    outcome,
    expectations: [],
    events,
  };
  if (outcome.status === 'skipped') return base;
  const judged = evaluateExpectations(base);
  return { ...base, expectations: judged.run, calls: base.calls.map((c, i) => ({ ...c, expectations: judged.calls[i] ?? [] })) };
}

function defaultReplay(scenario: Scenario, seed: number): string {
  return `relaysim run ${scenario.file} --seed ${seed}`;
}

/** Options of {@link runScenarios}. */
export interface RunScenariosOptions extends RunScenarioOptions {
  /** How many scenarios run at once (each on its own agent); default 1. */
  readonly concurrency?: number;
  /** Called as each record is ready. */
  readonly onRecord?: (record: RunRecord) => void;
}

/** Runs several scenarios with the same seed, at most `concurrency` at a time; records in input order. */
export async function runScenarios(scenarios: readonly Scenario[], options: RunScenariosOptions): Promise<RunRecord[]> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new SimErrors.SIM_ERR_RUNNER_OPTIONS_INVALID(`concurrency must be a positive integer (actual: ${String(concurrency)})`);
  const records: RunRecord[] = new Array(scenarios.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < scenarios.length) {
      const index = next++;
      const record = await runScenario(scenarios[index] as Scenario, options);
      records[index] = record;
      options.onRecord?.(record);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, scenarios.length) }, worker));
  return records;
}
