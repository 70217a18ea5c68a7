/**
 * The call driver: takes a leased agent through one run's calls (registrations, arrivals behind
 * barriers, caller scripts, the call-complete contract) and leaves what happened in each call's
 * CallState, so the run entry point only leases, drives and assembles the record.
 */
import type { AgentHandle } from '../agent-target/agent-handle.ts';
import { publicUrlFetch } from '../agent-target/public-url-fetch.ts';
import { awakeSleep } from '../core/awake-sleep.ts';
import { type Clock, sleep } from '../core/clock.ts';
import { SimErrors } from '../core/errors.ts';
import type { DialRecord } from '../coval/dialer.ts';
import { FAKE_CREDENTIALS, type RunFakes } from '../fakes/fake-stack.ts';
import { type RelaySession, startRelaySession } from '../twilio/relay-session.ts';
import type { RelaySessionRecord } from '../twilio/relay-session-record.ts';
import { postVoiceWebhook } from '../twilio/voice-webhook.ts';
import type { PlannedCall } from './call-plan.ts';
import { playCallerScript } from './caller-script.ts';
import { waitForExport } from './export-wait.ts';
import type { CallExportRecord, CallWebhookRecord, RunEvent, StepRecord } from './run-record.ts';
import type { RunnerTimeouts } from './runner-timeouts.ts';
import type { Scenario, ScenarioCall } from './schema.ts';

/** How long an unreachable agent gets to report its exit before it counts as unreachable. */
const EXIT_GRACE_MS = 500;

/** Per-call state while the run is in progress. */
export interface CallState {
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
export class AgentExitedSignal {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

/** The message of anything thrown, including an AgentExitedSignal. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : error instanceof AgentExitedSignal ? error.message : String(error);
}

/** What the driver needs from the run: the leased agent, its fakes, the call states to fill and how to log. */
export interface DriveContext {
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
export async function drive(ctx: DriveContext): Promise<void> {
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

/** Every step of a call that never got to play its script, marked skipped with the reason. */
export function skippedSteps(spec: ScenarioCall, at: number, detail: string): StepRecord[] {
  return spec.caller.map((step, index) => ({ index, kind: step.kind, startedAtMs: at, endedAtMs: at, outcome: 'skipped' as const, detail }));
}
