/**
 * The RunRecord's parts built from a finished run (agent, calls, Coval, reusability): kept apart
 * from the driver so what a run records can be read without how it drove the calls.
 */
import type { AgentHandle } from '../agent-target/agent-handle.ts';
import type { AgentLease } from '../agent-target/agent-target.ts';
import type { RunFakes } from '../fakes/fake-stack.ts';
import { type CallState, skippedSteps } from './drive-call.ts';
import { type AgentRecord, type BatchRecord, batchRecordOf, type CallRecord, type RunRecord } from './run-record.ts';

function redactEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(env).sort()) {
    out[key] = /(_KEY|_TOKEN|SECRET|PASSWORD)/i.test(key) ? '<redacted>' : (env[key] ?? '');
  }
  return out;
}

/** The agent as the record shows it: where it was reached, whether it signs, and its env with secrets redacted. */
export function agentRecordOf(agent: AgentHandle, lease: AgentLease): AgentRecord {
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
export function isClean(states: readonly CallState[]): boolean {
  return states.every((s) => {
    const accepted = s.dials.some((d) => d.status !== undefined && d.status >= 200 && d.status < 300);
    const exported = s.export?.status === 'received';
    return (!accepted || exported) && s.export?.status !== 'unexpected' && s.relay?.end !== undefined;
  });
}

/** What fake Coval saw: every attempt, the stored batches by seq and each simulation's finalize state, copied out before the fakes end. */
export function covalRecordOf(fakes: RunFakes): RunRecord['coval'] {
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

/** One call's record; a call never placed still lists its script's steps, each skipped. */
export function callRecordOf(state: CallState): CallRecord {
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
