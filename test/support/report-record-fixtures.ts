/**
 * Hand-made RunRecords for the report tests: one scripted call per record, with the relay frames
 * both ways, the LLM requests with their chunks, the Coval attempts and batches and a realistic
 * Coval span tree (conversation → stt/stt.provider.twilio, llm, tts, tool spans), all on one
 * consistent timeline. Frame `dir` is the fake Twilio's: `out` to the agent, `in` from it. Times are run-clock ms; wall clock = run clock + EPOCH_OFFSET_MS.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IngestAttempt } from '../../simulator/coval/trace-store.ts';
import type { LlmChunkRecord, LlmRequestRecord } from '../../simulator/openai/history.ts';
import { parseScenario } from '../../simulator/scenario/load-scenario.ts';
import {
  KIT,
  RUN_RECORD_SCHEMA_VERSION,
  type AttributeValueJson,
  type BatchRecord,
  type CallRecord,
  type RunOutcome,
  type RunRecord,
  type SpanRow,
} from '../../simulator/scenario/run-record.ts';
import type { Scenario } from '../../simulator/scenario/schema.ts';
import type { RelayFrame } from '../../simulator/twilio/relay-client.ts';

/** Wall-clock epoch ms minus run-clock ms in every fixture record. */
export const EPOCH_OFFSET_MS = 1_760_000_000_000;

/** A scenario from the library, parsed as the runner would. */
export function libraryScenario(id: string): Scenario {
  const file = fileURLToPath(new URL(`../../scenarios/${id}.yaml`, import.meta.url));
  return parseScenario(readFileSync(file, 'utf8'), `scenarios/${id}.yaml`);
}

/** One caller turn and how the agent and the fake LLM answer it. */
export interface TurnPlan {
  readonly prompt: string;
  readonly promptAt: number;
  /** Tokens the agent streams back (what the fake LLM sent). */
  readonly tokens: readonly string[];
  readonly firstTokenMs: number;
  readonly interTokenMs: number;
  /** The caller barges in after this many tokens were sent … */
  readonly interruptAfterTokens?: number;
  /** … and the agent still sends this many tokens after the interrupt (a CR-INTERRUPT-STOPS failure). */
  readonly tokensAfterInterrupt?: number;
  /** A tool call before the answer; `failed` gives its result span ERROR status. */
  readonly tool?: { readonly name: string; readonly args: string; readonly result: string; readonly failed?: boolean };
}

/** What one fixture record contains. */
export interface RecordPlan {
  readonly scenarioId: string;
  readonly seed: number;
  readonly turns: readonly TurnPlan[];
  /** Statuses Coval answers export attempts with, in order (default: one 200). */
  readonly exportStatuses?: readonly number[];
  readonly outcome?: RunOutcome;
  /** Extra attribute put on every span (for the hostile-content tests). */
  readonly spanExtra?: Readonly<Record<string, string>>;
  readonly spanNameSuffix?: string;
}

const CALL_START = 1_000;
const ns = (ms: number): string => (BigInt(Math.round((ms + EPOCH_OFFSET_MS) * 1000)) * 1000n).toString();
const s = (value: string): AttributeValueJson => ({ type: 'string', value });
const d = (value: number): AttributeValueJson => ({ type: 'double', value });
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

function frameList(specs: readonly (readonly [number, 'in' | 'out', Record<string, unknown>])[]): RelayFrame[] {
  return [...specs]
    .sort((a, b) => a[0] - b[0])
    .map(([at, dir, value], index) => ({ index, dir, at, raw: JSON.stringify(value), parsed: value }));
}

function llmRequest(seq: number, at: number, history: readonly { role: string; content: string }[], tokens: readonly string[], turn: TurnPlan): LlmRequestRecord {
  const chunks: LlmChunkRecord[] = tokens.map((content, i) => ({
    index: i + 1,
    atMs: at + turn.firstTokenMs + i * turn.interTokenMs,
    delayMs: i === 0 ? turn.firstTokenMs : turn.interTokenMs,
    kind: 'content',
    content,
  }));
  const end = (chunks.at(-1)?.atMs ?? at) + 1;
  chunks.unshift({ index: 0, atMs: at + 1, delayMs: 0, kind: 'role', role: 'assistant' });
  chunks.push({ index: chunks.length, atMs: end, delayMs: 0, kind: 'finish', finishReason: 'stop' }, { index: chunks.length + 1, atMs: end, delayMs: 0, kind: 'done' });
  return {
    seq,
    method: 'POST',
    path: '/v1/chat/completions',
    headers: { authorization: 'Bearer <redacted>', 'content-type': 'application/json' },
    body: { model: 'gpt-4o-mini', stream: true, messages: history },
    api: 'chat.completions',
    model: 'gpt-4o-mini',
    stream: true,
    turn: seq,
    receivedAtMs: at,
    receivedAtEpochMs: at + EPOCH_OFFSET_MS,
    match: { kind: 'rule', ruleIndex: seq - 1, ruleId: `rule-${seq}` },
    status: 200,
    error: null,
    responseId: `chatcmpl-${hex(seq, 8)}`,
    reply: { text: tokens.join(''), toolCalls: [], finishReason: 'stop' },
    usage: null,
    chunks,
    firstChunkAtMs: at + 1,
    firstTokenAtMs: at + turn.firstTokenMs,
    endedAtMs: end,
    outcome: 'completed',
    warnings: [],
  };
}

interface SpanDraft {
  readonly name: string;
  readonly parent: number | null;
  readonly start: number;
  readonly end: number;
  readonly attributes: Record<string, AttributeValueJson>;
  readonly error?: string;
}

function spanRows(drafts: readonly SpanDraft[], plan: RecordPlan, traceId: string): SpanRow[] {
  const id = (i: number) => `a1b2c3d4${hex(plan.seed, 4).slice(-4)}${hex(i + 1, 4)}`;
  return drafts.map((draft, i) => ({
    resource: 0,
    scope: 0,
    span: i,
    traceId,
    spanId: id(i),
    parentSpanId: draft.parent === null ? '' : id(draft.parent),
    name: `${draft.name}${plan.spanNameSuffix ?? ''}`,
    kind: 1,
    startNs: ns(draft.start),
    endNs: ns(draft.end),
    attributes: { ...draft.attributes, ...Object.fromEntries(Object.entries(plan.spanExtra ?? {}).map(([k, v]) => [k, s(v)])) },
    resourceAttributes: { 'service.name': s('reference-agent') },
    scopeName: 'relaysim-fixture',
    status: draft.error === undefined ? { code: 0, message: '' } : { code: 2, message: draft.error },
    events: [],
  }));
}

/** Builds a one-call RunRecord that follows `plan`. */
export function fixtureRecord(plan: RecordPlan): RunRecord {
  const scenario = libraryScenario(plan.scenarioId);
  const simulationOutputId = `5d0a1c3e-${hex(plan.seed % 0xffff, 4)}-4a7b-9c1d-2e3f4a5b6c7d`;
  const callSid = `CA${hex(plan.seed, 32)}`;
  const frames: [number, 'in' | 'out', Record<string, unknown>][] = [[CALL_START + 40, 'out', { type: 'setup', callSid, from: '+15550100101', to: '+15550100999' }]];
  const requests: LlmRequestRecord[] = [];
  const drafts: SpanDraft[] = [{ name: 'conversation', parent: null, start: CALL_START + 40, end: 0, attributes: {} }];
  const history: { role: string; content: string }[] = [{ role: 'system', content: 'You are the clinic receptionist.' }];
  let t = CALL_START + 40;
  for (const turn of plan.turns) {
    frames.push([turn.promptAt, 'out', { type: 'prompt', voicePrompt: turn.prompt, lang: 'en-US', last: true }]);
    const stt = drafts.push({ name: 'stt', parent: 0, start: turn.promptAt - 600, end: turn.promptAt, attributes: { 'stt.transcription': s(turn.prompt), 'stt.confidence': d(0.95), 'metrics.ttfb': d(0.2), 'synthetic.attributes': s('metrics.ttfb,stt.confidence') } }) - 1;
    drafts.push({ name: 'stt.provider.twilio', parent: stt, start: turn.promptAt - 600, end: turn.promptAt, attributes: { 'stt.providerName': s('twilio'), 'stt.confidence': d(0.95), 'metrics.ttfb': d(0.2) } });
    history.push({ role: 'user', content: turn.prompt });
    let llmAt = turn.promptAt + 3;
    if (turn.tool) {
      drafts.push({ name: 'tool_call', parent: 0, start: llmAt + 20, end: llmAt + 21, attributes: { 'tool.name': s(turn.tool.name), 'tool.call_id': s('call_1'), 'tool.arguments': s(turn.tool.args) } });
      drafts.push({ name: 'tool_call_result', parent: 0, start: llmAt + 21, end: llmAt + 60, attributes: { 'tool.name': s(turn.tool.name), 'tool.call_id': s('call_1'), 'tool.result': s(turn.tool.result) }, ...(turn.tool.failed ? { error: 'tool failed' } : {}) });
      llmAt += 60;
    }
    const sent = turn.interruptAfterTokens === undefined ? turn.tokens.length : turn.interruptAfterTokens + (turn.tokensAfterInterrupt ?? 0);
    const request = llmRequest(requests.length + 1, llmAt, [...history], turn.tokens, turn);
    requests.push(request);
    const tokenAt = (i: number) => llmAt + turn.firstTokenMs + i * turn.interTokenMs + 1;
    turn.tokens.slice(0, sent).forEach((token, i) => {
      frames.push([tokenAt(i), 'in', { type: 'text', token, last: i === turn.tokens.length - 1 && turn.interruptAfterTokens === undefined }]);
    });
    let heard = turn.tokens.join('');
    if (turn.interruptAfterTokens !== undefined) {
      const at = tokenAt(turn.interruptAfterTokens - 1) + turn.interTokenMs / 2;
      heard = turn.tokens.slice(0, Math.max(1, turn.interruptAfterTokens - 2)).join('');
      frames.push([at, 'out', { type: 'interrupt', utteranceUntilInterrupt: heard, durationUntilInterruptMs: 1200 }]);
    }
    history.push({ role: 'assistant', content: heard });
    const last = tokenAt(sent - 1);
    drafts.push({ name: 'llm', parent: 0, start: llmAt, end: last, attributes: { 'metrics.ttfb': d(turn.firstTokenMs / 1000), 'llm.finish_reason': s('stop'), 'gen_ai.request.model': s('gpt-4o-mini') } });
    drafts.push({ name: 'tts', parent: 0, start: tokenAt(0), end: last + 400, attributes: { 'metrics.ttfb': d(0.1), 'synthetic.attributes': s('metrics.ttfb') } });
    t = last + 400;
  }
  const hangUp = t + 300;
  const root = drafts[0];
  if (root) drafts[0] = { ...root, end: hangUp, attributes: { 'call.duration_seconds': d((hangUp - CALL_START - 40) / 1000) } };
  const statuses = plan.exportStatuses ?? [200];
  const attempts: IngestAttempt[] = statuses.map((status, i) => ({
    seq: i + 1,
    receivedAtMs: hangUp + 50 + i * 500 + EPOCH_OFFSET_MS,
    method: 'POST',
    simulationId: simulationOutputId,
    contentType: 'application/json',
    contentEncoding: null,
    bodyBytes: 4096,
    status,
    outcome: status === 200 ? 'accepted' : 'fault-status',
    ...(status === 200 ? { spanCount: drafts.length } : { rule: `fault #${i + 1}`, reason: `scripted ${status}` }),
    delayMs: 0,
  }));
  const accepted = attempts.filter((a) => a.outcome === 'accepted');
  const traceId = `4bf92f3577b34da6a3ce929d${hex(plan.seed, 8)}`;
  const batches: BatchRecord[] = accepted.map((a, index) => ({
    seq: a.seq,
    index,
    simulationId: simulationOutputId,
    target: 'simulation',
    receivedAtMs: a.receivedAtMs,
    headers: { 'x-api-key': '<redacted>', 'x-simulation-id': simulationOutputId, 'content-type': 'application/json' },
    contentType: 'application/json',
    encoding: 'json',
    contentEncoding: null,
    bodyBase64: 'e30=',
    spanCount: drafts.length,
    spans: spanRows(drafts, plan, traceId),
    findings: [],
  }));
  const relayFrames = frameList(frames);
  const call: CallRecord = {
    index: 0,
    name: scenario.calls[0]?.name ?? 'call-1',
    from: '+15550100101',
    to: '+15550100999',
    callSid,
    simulationOutputId,
    arrivalPosition: 0,
    registration: {
      ...(scenario.calls[0]?.registration ?? { payload: 'id', apiKey: 'valid', omitSimulationId: false, headers: {}, delayBeforeDialMs: 0, repeat: 1 }),
      dials: [{ simulationOutputId, url: 'http://127.0.0.1:4100/register-simulation', payload: { simulation_output_id: simulationOutputId }, requestHeaders: { 'x-api-key': '<redacted>' }, sentAtMs: CALL_START - 20 + EPOCH_OFFSET_MS, durationMs: 4, outcome: 'response', status: 200, bodyText: '{"ok":true}' }],
    },
    webhook: {
      exchange: { at: CALL_START, method: 'POST', url: 'https://agent.example.test/voice', requestHeaders: {}, params: [['CallSid', callSid]], response: { status: 200, headers: { 'content-type': 'text/xml' }, body: '<Response/>' }, durationMs: 6 },
    },
    relay: {
      sessionId: `VX${hex(plan.seed + 1, 32)}`,
      callSid,
      handshake: { signedUrl: 'wss://agent.example.test/relay', connectUrl: 'ws://127.0.0.1:4100/relay', downgraded: true, requestHeaders: {}, status: 101 },
      connect: { status: 'open', at: CALL_START + 30 },
      setup: relayFrames[0]?.parsed as Record<string, unknown>,
      frames: relayFrames,
      talkCycles: [],
      callerActions: [],
      protocolErrors: [],
      notes: [],
      digitsSent: [],
      languageChanges: [],
      end: { status: 'completed', cause: 'caller-hangup', at: hangUp, durationSeconds: Math.round((hangUp - CALL_START) / 1000), close: { code: 1000, reason: '', at: hangUp, initiatedBy: 'simulator', wasOpen: true } },
    },
    steps: scenario.calls[0]?.caller.map((step, index) => ({ index, kind: step.kind, startedAtMs: CALL_START + index * 10, endedAtMs: CALL_START + index * 10 + 5, outcome: 'ok' as const })) ?? [],
    export: { expected: true, status: accepted.length ? 'received' : 'missing', ...(accepted[0] ? { firstBatchAtMs: accepted[0].receivedAtMs - EPOCH_OFFSET_MS } : {}), waitedMs: 550 },
    llmRequestSeqs: requests.map((r) => r.seq),
    expectations: [],
  };
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    kit: { name: KIT.name, version: KIT.version },
    seed: plan.seed,
    replay: `relaysim run --seed ${plan.seed} --scenario ${plan.scenarioId}`,
    scenario,
    agent: { mode: 'embedded', baseUrl: 'http://127.0.0.1:4100', publicUrl: 'https://agent.example.test', paths: { webhook: '/voice', register: '/register-simulation' }, signing: { twilioAuthToken: true }, env: { COVAL_API_KEY: '<redacted>' } },
    timebase: { nowMs: 0, epochMs: EPOCH_OFFSET_MS },
    startedAtMs: CALL_START - 50,
    endedAtMs: hangUp + 50 + statuses.length * 500,
    arrivalOrder: [0],
    calls: [call],
    llm: { requests },
    coval: { attempts, batches, finalize: {} },
    outcome: plan.outcome ?? { status: 'completed' },
    expectations: [],
    events: [{ atMs: CALL_START - 50, kind: 'run-start', message: 'run started' }],
  };
}
