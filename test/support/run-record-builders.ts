/** Small hand-built RunRecords for tests of functions over records (expectations, normalisation, checks). */
import { parseScenario } from '../../simulator/scenario/load-scenario.ts';
import type { BatchRecord, CallRecord, RunRecord, SpanRow } from '../../simulator/scenario/run-record.ts';
import { KIT, RUN_RECORD_SCHEMA_VERSION } from '../../simulator/scenario/run-record.ts';
import type { RelayFrame } from '../../simulator/twilio/relay-client.ts';
import type { RelaySessionRecord } from '../../simulator/twilio/relay-session-record.ts';

/** A scenario from YAML text (the file name is `<id>.yaml`). */
export function scenarioOf(yaml: string): RunRecord['scenario'] {
  const id = /^id: (\S+)/m.exec(yaml)?.[1] ?? 'test';
  return parseScenario(yaml, `${id}.yaml`);
}

let frameIndex = 0;
/** An agent→Twilio (`in`) or Twilio→agent (`out`) frame. */
export function frame(dir: 'in' | 'out', parsed: Record<string, unknown>, at = 0): RelayFrame {
  return { index: frameIndex++, dir, at, raw: JSON.stringify(parsed), parsed };
}

/** A relay record holding these frames. */
export function relayOf(frames: RelayFrame[], extra: Partial<RelaySessionRecord> = {}): RelaySessionRecord {
  return {
    sessionId: 'VX00000000000000000000000000000001',
    callSid: 'CA00000000000000000000000000000001',
    handshake: { signedUrl: 'wss://127.0.0.1:4000/ws', connectUrl: 'ws://127.0.0.1:4000/ws', downgraded: true, requestHeaders: {} },
    frames: frames.map((f, index) => ({ ...f, index })),
    talkCycles: [],
    callerActions: [],
    protocolErrors: [],
    notes: [],
    digitsSent: [],
    languageChanges: [],
    ...extra,
  };
}

/** A call record; `overrides` win. */
export function callOf(overrides: Partial<CallRecord> = {}): CallRecord {
  return {
    index: 0,
    name: 'call-1',
    from: '+15552000001',
    to: '+15550100999',
    callSid: 'CA00000000000000000000000000000001',
    simulationOutputId: 'sim-1',
    arrivalPosition: 0,
    registration: { payload: 'id+from', apiKey: 'valid', omitSimulationId: false, headers: {}, delayBeforeDialMs: 0, repeat: 1, dials: [] },
    steps: [],
    export: { expected: true, status: 'received', waitedMs: 5 },
    llmRequestSeqs: [],
    expectations: [],
    ...overrides,
  };
}

/** A span row; `overrides` win. */
export function spanOf(overrides: Partial<SpanRow> = {}): SpanRow {
  return {
    resource: 0,
    scope: 0,
    span: 0,
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '',
    name: 'conversation',
    kind: 1,
    startNs: '1767225600000000000',
    endNs: '1767225603000000000',
    attributes: {},
    resourceAttributes: { 'service.name': { type: 'string', value: 'agent' } },
    scopeName: 'agent',
    status: { code: 0, message: '' },
    events: [],
    ...overrides,
  };
}

/** An accepted batch of `spans` for `simulationId`. */
export function batchOf(simulationId: string, spans: SpanRow[], seq = 1): BatchRecord {
  return {
    seq,
    index: 0,
    simulationId,
    target: 'simulation',
    receivedAtMs: 1_767_225_604_000,
    headers: { 'content-type': 'application/json', 'x-simulation-id': simulationId },
    contentType: 'application/json',
    encoding: 'json',
    contentEncoding: null,
    bodyBase64: 'e30=',
    spanCount: spans.length,
    spans: spans.map((s, span) => ({ ...s, span })),
    findings: [],
  };
}

/** A completed run record around `calls`; `overrides` win. */
export function recordOf(scenario: RunRecord['scenario'], calls: CallRecord[], overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    kit: { ...KIT },
    seed: 1,
    replay: `relaysim run ${scenario.file} --seed 1`,
    scenario,
    agent: {
      mode: 'embedded',
      baseUrl: 'http://127.0.0.1:4000',
      publicUrl: 'https://127.0.0.1:4000',
      paths: { webhook: '/webhook', register: '/register-simulation' },
      signing: { twilioAuthToken: true },
      env: { PORT: '4000' },
    },
    timebase: { nowMs: 0, epochMs: 1_767_225_600_000 },
    startedAtMs: 0,
    endedAtMs: 5_000,
    arrivalOrder: calls.map((c) => c.index),
    calls,
    llm: { requests: [] },
    coval: { attempts: [], batches: [], finalize: {} },
    outcome: { status: 'completed' },
    expectations: [],
    events: [],
    ...overrides,
  };
}
