import type { AgentHandle } from '../agent-target/agent-handle.ts';
import type { AgentLease, AgentTarget } from '../agent-target/agent-target.ts';
import { isSkipped } from '../agent-target/agent-target.ts';
import { publicUrlFetch } from '../agent-target/public-url-fetch.ts';
import { probeHealth } from '../agent-target/security-probes.ts';
import { awakeSleep } from '../core/awake-sleep.ts';
import { type Clock, sleep, systemClock } from '../core/clock.ts';
import { SimErrors } from '../core/errors.ts';
import { createSeededIds, type IdGenerator } from '../core/ids.ts';
import { createSeededRandom, type Random } from '../core/random.ts';
import type { DialRecord } from '../coval/dialer.ts';
import { FAKE_CREDENTIALS, type RunFakes } from '../fakes/fake-stack.ts';
import { type InboundCall, createInboundCall } from '../twilio/call-params.ts';
import { type RelaySession, startRelaySession } from '../twilio/relay-session.ts';
import type { RelaySessionRecord } from '../twilio/relay-session-record.ts';
import { postVoiceWebhook } from '../twilio/voice-webhook.ts';
import { playCallerScript } from './caller-script.ts';
import { evaluateExpectations } from './expectations.ts';
import { EXPORT_REJECTION_SETTLE_MS, waitForExport } from './export-wait.ts';
import { attributeLlmRequests } from './llm-attribution.ts';
import {
  type AgentRecord,
  type BatchRecord,
  batchRecordOf,
  type CallExportRecord,
  type CallRecord,
  type CallWebhookRecord,
  KIT,
  RUN_RECORD_SCHEMA_VERSION,
  type RunEvent,
  type RunOutcome,
  type RunRecord,
  type StepRecord,
} from './run-record.ts';
import type { Scenario, ScenarioCall } from './schema.ts';

/** Every bounded wait of a run (ms on the run's clock). */
export interface RunnerTimeouts {
  /** Each pre-call webhook POST. */
  readonly registrationMs: number;
  /** The voice webhook (Twilio's own limit is 15 s). */
  readonly webhookMs: number;
  /** The relay WebSocket handshake. */
  readonly connectMs: number;
  /** Arrival barrier: how long to wait for the agent's first frame after `setup` before the next call arrives. */
  readonly arrivalSettleMs: number;
  /** The socket to close after the caller hangs up (then it is dropped). */
  readonly hangUpMs: number;
  /** After the socket closed: how long an owed trace export may take to arrive. */
  readonly exportDeadlineMs: number;
  /** When no export is owed: how long to watch for one anyway (catches unexpected exports). */
  readonly noExportWindowMs: number;
  /** After fake Coval refused a call's export for good: how long to wait for a (wrong) retry before giving up early. */
  readonly exportRejectionSettleMs: number;
}

/** Defaults tuned for loopback agents: generous for real failures, small where every run pays. */
export const DEFAULT_RUNNER_TIMEOUTS: RunnerTimeouts = Object.freeze({
  registrationMs: 10_000,
  webhookMs: 15_000,
  connectMs: 10_000,
  arrivalSettleMs: 30,
  hangUpMs: 5_000,
  exportDeadlineMs: 8_000,
  noExportWindowMs: 200,
  exportRejectionSettleMs: EXPORT_REJECTION_SETTLE_MS,
});

/** How long an unreachable agent gets to report its exit before it counts as unreachable. */
const EXIT_GRACE_MS = 500;

/** The called number of every simulated call unless the scenario names one. */
export const DEFAULT_AGENT_NUMBER = '+15550100999';

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

/** The seeded identity of one call, drawn before anything runs. */
interface PlannedCall {
  readonly spec: ScenarioCall;
  readonly call: InboundCall;
  readonly ids: IdGenerator;
  readonly simulationOutputId: string;
}

/** Per-call state while the run is in progress. */
interface CallState {
  readonly plan: PlannedCall;
  dials: DialRecord[];
  arrivalPosition: number;
  webhook?: CallWebhookRecord;
  session?: RelaySession;
  relay?: RelaySessionRecord;
  steps: StepRecord[];
  export?: CallExportRecord;
}

/** The agent died: every wait of the run stops with this. */
class AgentExitedSignal {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : error instanceof AgentExitedSignal ? error.message : String(error);
}

function redactEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(env).sort()) {
    out[key] = /(_KEY|_TOKEN|SECRET|PASSWORD)/i.test(key) ? '<redacted>' : (env[key] ?? '');
  }
  return out;
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

function agentRecordOf(agent: AgentHandle, lease: AgentLease): AgentRecord {
  return {
    mode: agent.mode,
    baseUrl: agent.baseUrl,
    publicUrl: agent.publicUrl,
    paths: { webhook: agent.paths.webhook, register: agent.paths.register },
    signing: { twilioAuthToken: agent.twilioAuthToken !== undefined },
    env: redactEnv(agent.env),
    instance: lease.instance,
  };
}

/** A run leaves the agent reusable only if every registration it accepted was claimed by a call that exported. */
function isClean(states: readonly CallState[]): boolean {
  return states.every((s) => {
    const accepted = s.dials.some((d) => d.status !== undefined && d.status >= 200 && d.status < 300);
    const exported = s.export?.status === 'received';
    return (!accepted || exported) && s.export?.status !== 'unexpected' && s.relay?.end !== undefined;
  });
}

interface DriveContext {
  readonly scenario: Scenario;
  readonly agent: AgentHandle;
  readonly fakes: RunFakes;
  readonly states: CallState[];
  readonly arrivalOrder: readonly number[];
  readonly clock: Clock;
  readonly fetch: typeof globalThis.fetch;
  readonly timeouts: RunnerTimeouts;
  readonly event: (kind: RunEvent['kind'], message: string, call?: number) => void;
}

/** Registrations, arrivals, scripts and the call-complete contract. */
async function drive(ctx: DriveContext): Promise<void> {
  const { scenario, agent, fakes, states, clock, timeouts, event } = ctx;
  const agentFetch = publicUrlFetch(ctx.fetch, agent.publicUrl, agent.baseUrl);
  const authToken = agent.twilioAuthToken ?? FAKE_CREDENTIALS.twilioAuthToken;
  let exitMessage: string | undefined;
  const died = agent.exited.then((exit) => {
    exitMessage = `the agent exited (code ${exit.code}, signal ${exit.signal})`;
    return exit;
  });
  const guard = <T>(work: Promise<T>): Promise<T> =>
    Promise.race([work, died.then((): never => { throw new AgentExitedSignal(exitMessage ?? 'the agent exited'); })]);

  // 1. Registrations, in call order (Coval registers just before dialing).
  for (const state of states) {
    const { spec, call, simulationOutputId } = state.plan;
    const reg = spec.registration;
    if (reg.payload === 'none') continue;
    const headers: Record<string, string> = {
      ...(reg.apiKey === 'valid' ? { 'x-api-key': agent.covalApiKey } : reg.apiKey === 'wrong' ? { 'x-api-key': `wrong-${agent.covalApiKey}` } : {}),
      ...reg.headers,
    };
    for (let n = 0; n < reg.repeat; n++) {
      const dial = reg.omitSimulationId
        ? await guard(postWithoutId(ctx, agentFetch, `${agent.publicUrl}${agent.paths.register}`, state.plan, headers))
        : await guard(
            fakes.coval.dial({
              registerUrl: `${agent.publicUrl}${agent.paths.register}`,
              simulationOutputId,
              fromNumber: call.from,
              toNumber: call.to,
              payload: reg.payload,
              headers,
              fetch: agentFetch,
              timeoutMs: timeouts.registrationMs,
            }),
          );
      state.dials.push(dial);
      event('registered', `registration ${n + 1}/${reg.repeat} of ${spec.name}: ${dial.status ?? dial.outcome}`, spec.index);
    }
  }

  // 2. Arrivals, one by one in arrival order; each call's script starts as soon as it is connected.
  const scripts: Promise<void>[] = [];
  for (const [position, index] of ctx.arrivalOrder.entries()) {
    const state = states[index] as CallState;
    const { spec, call } = state.plan;
    if (spec.registration.delayBeforeDialMs > 0) await guard(sleep(clock, spec.registration.delayBeforeDialMs));
    const webhook = await guard(
      postVoiceWebhook({
        url: `${agent.publicUrl}${agent.paths.webhook}`,
        authToken,
        call,
        fetch: agentFetch,
        clock,
        timeoutMs: timeouts.webhookMs,
        signing: scenario.twilio.signWebhook,
      }),
    );
    state.webhook = webhook.ok ? { exchange: webhook.exchange, twiml: webhook.twiml } : { exchange: webhook.exchange, failure: webhook.failure };
    event('call-arrived', `${spec.name} (arrival ${position}): voice webhook ${webhook.exchange.response?.status ?? webhook.exchange.error?.kind ?? '?'}`, spec.index);
    if (!webhook.ok && webhook.failure.kind === 'network') {
      // A dying process drops its connections before its exit is reported: prefer the exit.
      const exit = await Promise.race([agent.exited, sleep(clock, EXIT_GRACE_MS).then(() => undefined)]);
      if (exit !== undefined) throw new AgentExitedSignal(`the agent exited (code ${exit.code}, signal ${exit.signal})`);
      throw new SimErrors.SIM_ERR_AGENT_UNREACHABLE(`${agent.baseUrl}${agent.paths.webhook}`, webhook.failure.message);
    }
    if (!webhook.ok) {
      state.steps = skippedSteps(spec, clock.now(), `the voice webhook failed (${webhook.failure.kind})`);
      continue;
    }
    const session = startRelaySession({
      twiml: webhook.twiml,
      call,
      authToken,
      clock,
      ids: state.plan.ids,
      fetch: agentFetch,
      charsPerSecond: scenario.twilio.speechRate,
      ...(scenario.twilio.greetingMs === undefined ? {} : { greetingDurationMs: scenario.twilio.greetingMs }),
      handshakeSigning: scenario.twilio.signWebhook,
      connectTimeoutMs: timeouts.connectMs,
    });
    state.session = session;
    const ready = await guard(session.ready);
    if (ready.status !== 'open') {
      event('note', `${spec.name}: relay handshake failed: ${ready.reason}`, spec.index);
      state.steps = skippedSteps(spec, clock.now(), `the relay handshake failed (${ready.reason})`);
      continue;
    }
    event('relay-open', `${spec.name}: relay open, setup sent`, spec.index);
    if (position < ctx.arrivalOrder.length - 1) await arrivalBarrier(session, timeouts.arrivalSettleMs);
    scripts.push(
      guard(playCallerScript({ session, steps: spec.caller, clock, hangUpTimeoutMs: timeouts.hangUpMs })).then((steps) => {
        state.steps = steps;
        for (const step of steps) {
          if (step.outcome === 'timeout' || step.outcome === 'error') event(step.outcome === 'timeout' ? 'step-timeout' : 'step-error', `${spec.name} step ${step.index} (${step.kind}): ${step.detail ?? ''}`, spec.index);
        }
      }),
    );
  }
  await Promise.all(scripts);

  // 3. The call-complete contract: socket closed, then the trace batch or the export deadline.
  await Promise.all(
    states.map(async (state) => {
      const session = state.session;
      if (session !== undefined) {
        const closed = await guard(Promise.race([session.done.then(() => true), sleep(clock, timeouts.hangUpMs).then(() => false)]));
        if (!closed) {
          event('note', `${state.plan.spec.name}: the socket did not close within ${timeouts.hangUpMs} ms; dropping it`, state.plan.spec.index);
          session.client.terminate();
          await guard(Promise.race([session.done, sleep(clock, timeouts.hangUpMs)]));
        }
        state.relay = session.record();
        event('call-ended', `${state.plan.spec.name}: ${state.relay.end?.cause ?? 'no end'}`, state.plan.spec.index);
      }
      const accepted = state.dials.some((d) => d.status !== undefined && d.status >= 200 && d.status < 300);
      const connected = state.relay?.setup !== undefined;
      const expected = accepted && connected && scenario.expect.export?.kind !== 'none';
      if (!expected) {
        state.export = { expected: false, status: 'none', waitedMs: 0 };
        return;
      }
      const waitStart = clock.now();
      const name = state.plan.spec.name;
      const result = await guard(
        waitForExport({
          store: fakes.coval.store,
          simulationId: state.plan.simulationOutputId,
          clock,
          deadlineMs: timeouts.exportDeadlineMs,
          settleMs: timeouts.exportRejectionSettleMs,
        }),
      );
      const waitedMs = clock.now() - waitStart;
      if (result.kind === 'received') {
        state.export = { expected: true, status: 'received', firstBatchAtMs: clock.now(), waitedMs };
        event('export', `${name}: trace batch received`, state.plan.spec.index);
      } else if (result.kind === 'rejected') {
        const a = result.attempt;
        state.export = {
          expected: true,
          status: 'missing',
          waitedMs,
          rejected: { seq: a.seq, status: a.status as number, ...(a.rule === undefined ? {} : { rule: a.rule }), settleMs: timeouts.exportRejectionSettleMs },
        };
        event('export', `${name}: fake Coval answered export #${a.seq} with a non-retryable ${a.status}${a.rule ? ` (${a.rule})` : ''} and no retry came within ${timeouts.exportRejectionSettleMs} ms: not received`, state.plan.spec.index);
      } else {
        state.export = { expected: true, status: 'missing', waitedMs };
        event('export', `${name}: ${result.reason}`, state.plan.spec.index);
      }
    }),
  );

  // 4. Calls that owed nothing: watch a short window, then see whether anything arrived anyway.
  // Awake time: on a starved event loop an embedded agent's stray export is stalled as well.
  const quiet = states.filter((s) => s.export?.expected === false);
  if (quiet.length > 0) {
    const waitStart = clock.now();
    await guard(awakeSleep(clock, timeouts.noExportWindowMs));
    for (const state of quiet) {
      const batch = fakes.coval.store.batches(state.plan.simulationOutputId)[0];
      state.export = { expected: false, status: batch ? 'unexpected' : 'none', waitedMs: clock.now() - waitStart };
    }
  }
  if (exitMessage !== undefined) throw new AgentExitedSignal(exitMessage);
}

/** Waits for evidence the agent processed `setup` (its first frame), at most `settleMs`. */
async function arrivalBarrier(session: RelaySession, settleMs: number): Promise<void> {
  if (settleMs <= 0) return;
  await session.client.waitFor((f) => f.dir === 'in', { timeoutMs: settleMs, description: "the agent's first frame after setup" }).catch(() => undefined);
}

/** A registration body without `simulation_output_id` (the agent must refuse it with 400). */
async function postWithoutId(ctx: DriveContext, fetch: typeof globalThis.fetch, url: string, plan: PlannedCall, headers: Record<string, string>): Promise<DialRecord> {
  const { clock, fakes } = ctx;
  const reg = plan.spec.registration;
  const payload: Record<string, string> = {};
  if (reg.payload === 'id+from' || reg.payload === 'id+from+to') payload.from_number = plan.call.from;
  if (reg.payload === 'id+from+to') payload.to_number = plan.call.to;
  fakes.coval.issue(plan.simulationOutputId);
  const requestHeaders = { 'content-type': 'application/json', ...headers };
  const base = { simulationOutputId: plan.simulationOutputId, url, payload, requestHeaders, sentAtMs: clock.epochMs() };
  const started = clock.now();
  const controller = new AbortController();
  const timer = clock.setTimer(ctx.timeouts.registrationMs, () => controller.abort());
  try {
    const response = await fetch(url, { method: 'POST', headers: requestHeaders, body: JSON.stringify(payload), signal: controller.signal });
    const bodyText = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(bodyText);
    } catch {
      body = undefined;
    }
    return { ...base, durationMs: clock.now() - started, outcome: 'response', status: response.status, bodyText, ...(body === undefined ? {} : { body }) };
  } catch (error) {
    return { ...base, durationMs: clock.now() - started, outcome: controller.signal.aborted ? 'timeout' : 'network-error', error: errorText(error) };
  } finally {
    timer.cancel();
  }
}

function skippedSteps(spec: ScenarioCall, at: number, detail: string): StepRecord[] {
  return spec.caller.map((step, index) => ({ index, kind: step.kind, startedAtMs: at, endedAtMs: at, outcome: 'skipped' as const, detail }));
}

function covalRecordOf(fakes: RunFakes): RunRecord['coval'] {
  const store = fakes.coval.store;
  const batches: BatchRecord[] = [];
  const finalize: Record<string, RunRecord['coval']['finalize'][string]> = {};
  for (const id of store.simulationIds()) {
    const stored = store.batches(id);
    if (stored.length === 0) continue;
    batches.push(...stored.map(batchRecordOf));
    finalize[id] = structuredClone(store.finalize(id));
  }
  batches.sort((a, b) => a.seq - b.seq);
  return { attempts: structuredClone([...store.attempts()]), batches, finalize };
}

function callRecordOf(state: CallState): CallRecord {
  const { spec, call, simulationOutputId } = state.plan;
  const steps = state.steps.length > 0 || spec.caller.length === 0 ? state.steps : skippedSteps(spec, 0, 'the call was not placed');
  return {
    index: spec.index,
    name: spec.name,
    from: call.from,
    to: call.to,
    callSid: call.callSid,
    simulationOutputId,
    arrivalPosition: state.arrivalPosition,
    registration: { ...spec.registration, headers: { ...spec.registration.headers }, dials: state.dials },
    ...(state.webhook ? { webhook: state.webhook } : {}),
    ...(state.relay ? { relay: state.relay } : {}),
    steps,
    export: state.export ?? { expected: false, status: 'none', waitedMs: 0 },
    llmRequestSeqs: [],
    expectations: [],
  };
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
