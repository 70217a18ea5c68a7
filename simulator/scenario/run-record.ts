/**
 * The RunRecord: everything one scenario run observed, as plain JSON (architecture §3 step 7).
 * Checks are pure functions of it, so a saved record can be re-checked offline and two records
 * diffed. BigInt never appears: OTLP times and int64 attributes are decimal strings.
 *
 * Time bases (all milliseconds):
 * - `…AtMs` without "Epoch" is the run's `Clock.now()` (monotonic): frames (`at`), talk cycles,
 *   caller actions, LLM `receivedAtMs`/chunk `atMs`, steps, events, `export.firstBatchAtMs`.
 * - Wall-clock values are the dialer's `sentAtMs`, Coval's `receivedAtMs` and OTLP span times;
 *   convert with `timebase`: `monotonic = epoch - (timebase.epochMs - timebase.nowMs)`.
 *
 * Versioning: `schemaVersion` changes whenever a field is removed or changes meaning; adding an
 * optional field does not change it. Readers must refuse a version they do not know.
 */
import type { DialRecord } from '../coval/dialer.ts';
import type { IngestAttempt, StoredBatch } from '../coval/trace-store.ts';
import type { OtlpAnyValue, OtlpKeyValue } from '../otlp/model.ts';
import type { Finding } from '../otlp/rules.ts';
import type { LlmRequestRecord } from '../openai/history.ts';
import type { RelaySessionRecord } from '../twilio/relay-session-record.ts';
import type { HttpExchange } from '../twilio/signed-form-request.ts';
import type { VoiceWebhookFailure } from '../twilio/voice-webhook.ts';
import { SimErrors } from '../core/errors.ts';
import type { CallerStep, RegistrationSpec, Scenario } from './schema.ts';

/** The RunRecord layout version; see the file comment for when it changes. */
export const RUN_RECORD_SCHEMA_VERSION = 1 as const;

/** The kit's name and version as recorded in every RunRecord (kept equal to package.json by a test). */
export const KIT = Object.freeze({ name: 'relaysim', version: '0.1.0' } as const);

// ---------------------------------------------------------------------------------------------
// Agent

/** How the runner reached the agent. */
export type AgentMode = 'embedded' | 'url' | 'spawn';

/** A spawned agent process. */
export interface AgentProcessRecord {
  readonly command: string;
  readonly pid: number | null;
  /** Set once the process exited (during or before the run). `atMs` on the run clock. */
  readonly exit?: { readonly code: number | null; readonly signal: string | null; readonly atMs: number };
  /** The last few KiB of its output. */
  readonly stdoutTail: string;
  readonly stderrTail: string;
}

/** The agent under test. */
export interface AgentRecord {
  readonly mode: AgentMode;
  /** The base URL the runner used (`http://127.0.0.1:<port>` for a started agent). */
  readonly baseUrl: string;
  /** The public base the agent believes it has (`https://…`): what Twilio signs. */
  readonly publicUrl: string;
  readonly paths: { readonly webhook: string; readonly register: string; readonly ws?: string };
  /** Whether the runner knows the agent's Twilio auth token (so requests are signed and SEC probes run). */
  readonly signing: { readonly twilioAuthToken: boolean };
  /** The environment the runner gave the agent; secrets (`*_KEY`, `*_TOKEN`, `*SECRET*`) are `<redacted>`. */
  readonly env: Readonly<Record<string, string>>;
  /** Which started agent served this run, and how many runs it served before (reuse is visible). */
  readonly instance?: { readonly id: string; readonly runsBefore: number };
  readonly process?: AgentProcessRecord;
}

// ---------------------------------------------------------------------------------------------
// Calls

/** One caller step as played: when, and how it went. */
export interface StepRecord {
  readonly index: number;
  readonly kind: CallerStep['kind'];
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  /** `skipped`: not played because the call had already ended or an earlier step failed. */
  readonly outcome: 'ok' | 'timeout' | 'skipped' | 'error';
  /** Why it timed out / failed / was skipped, naming what it waited for. */
  readonly detail?: string;
  /** The talk cycle the step waited for or interrupted, when there was one. */
  readonly cycle?: number;
  /** Indexes into `relay.callerActions` of the actions this step performed. */
  readonly actions?: readonly number[];
}

/** Whether and when the call's trace reached the fake Coval. */
export interface CallExportRecord {
  /** True when the agent accepted a registration for this call, so it owes a trace. */
  readonly expected: boolean;
  /**
   * `received`: a batch for the call's simulation id was accepted; `missing`: expected but none
   * arrived before the export deadline, or Coval refused it for good (see {@link rejected}); `none`: not expected and none arrived; `unexpected`: not
   * expected, yet a batch arrived for the call's simulation id.
   */
  readonly status: 'received' | 'missing' | 'none' | 'unexpected';
  /** Run-clock ms when the runner saw the first accepted batch. */
  readonly firstBatchAtMs?: number;
  /** How long the runner waited for it after the socket closed. */
  readonly waitedMs: number;
  /**
   * Set with `missing` when the runner stopped before the deadline: fake Coval answered the
   * simulation's last export attempt (`seq`) with a non-retryable `status` and no further attempt
   * came within `settleMs`. Absent when the deadline passed.
   */
  readonly rejected?: { readonly seq: number; readonly status: number; readonly rule?: string; readonly settleMs: number };
}

/** The voice webhook exchange. */
export interface CallWebhookRecord {
  readonly exchange: HttpExchange;
  /** The TwiML as parsed (absent when it failed). */
  readonly twiml?: unknown;
  readonly failure?: VoiceWebhookFailure;
}

/** The registration of one call: how it was sent and every POST made. */
export interface CallRegistrationRecord extends RegistrationSpec {
  /** One per POST (`repeat` of them); empty for `payload: none`. */
  readonly dials: readonly DialRecord[];
}

/** The result of one `expect` entry (expectations.ts). */
export interface ExpectationResult {
  /** `replyContains`, `toolCalled`, `handoffData`, `export`. */
  readonly kind: 'replyContains' | 'toolCalled' | 'handoffData' | 'export';
  /** What was expected, in words (`reply contains "April 15th"`). */
  readonly expectation: string;
  readonly pass: boolean;
  /** What decided it: the text, the tool call, the span counts … */
  readonly evidence: string;
}

/** Everything about one simulated call. */
export interface CallRecord {
  readonly index: number;
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly callSid: string;
  /** Issued by the runner from the seed, whether or not it was registered. */
  readonly simulationOutputId: string;
  /** Position in the arrival order (0 = first call to reach the agent). */
  readonly arrivalPosition: number;
  readonly registration: CallRegistrationRecord;
  /** Absent when the call never got that far (e.g. the run failed before it). */
  readonly webhook?: CallWebhookRecord;
  readonly relay?: RelaySessionRecord;
  readonly steps: readonly StepRecord[];
  readonly export: CallExportRecord;
  /** `seq` of the LLM requests attributed to this call (see docs/runner.md). */
  readonly llmRequestSeqs: readonly number[];
  /** Per-call expectations; run-wide ones are in {@link RunRecord.expectations}. */
  readonly expectations: readonly ExpectationResult[];
}

// ---------------------------------------------------------------------------------------------
// Coval

/** An OTLP attribute value as JSON: int64 as a decimal string, non-finite doubles as strings. */
export type AttributeValueJson =
  | { readonly type: 'empty' }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'int'; readonly value: string }
  | { readonly type: 'double'; readonly value: number | string }
  | { readonly type: 'bytes'; readonly value: string }
  | { readonly type: 'array'; readonly values: readonly AttributeValueJson[] }
  | { readonly type: 'kvlist'; readonly values: Readonly<Record<string, AttributeValueJson>> };

/** One span, flattened out of its resource and scope. */
export interface SpanRow {
  /** Position in the batch. */
  readonly resource: number;
  readonly scope: number;
  readonly span: number;
  readonly traceId: string;
  readonly spanId: string;
  /** `''` for a root. */
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly startNs: string;
  readonly endNs: string;
  /** By key; a key repeated within a span keeps its first value (the validator reports the duplicate). */
  readonly attributes: Readonly<Record<string, AttributeValueJson>>;
  readonly resourceAttributes: Readonly<Record<string, AttributeValueJson>>;
  readonly scopeName: string;
  readonly status: { readonly code: number; readonly message: string };
  readonly events: readonly { readonly name: string; readonly timeNs: string; readonly attributes: Readonly<Record<string, AttributeValueJson>> }[];
}

/** One accepted OTLP POST. */
export interface BatchRecord {
  /** Attempt sequence number (shared with the attempts list). */
  readonly seq: number;
  /** Position among this simulation's batches, from 0. */
  readonly index: number;
  readonly simulationId: string;
  readonly target: 'simulation' | 'conversation';
  /** Wall-clock ms (see the file comment). */
  readonly receivedAtMs: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly contentType: string;
  readonly encoding: 'json' | 'protobuf';
  readonly contentEncoding: string | null;
  /** The exact bytes received (still gzipped if they were). */
  readonly bodyBase64: string;
  readonly spanCount: number;
  readonly spans: readonly SpanRow[];
  /** Decode warnings and request-stage validator findings. */
  readonly findings: readonly Finding[];
}

/** What the fake Coval saw. */
export interface CovalRecord {
  /** Every POST to /v1/traces, accepted or not, in arrival order. */
  readonly attempts: readonly IngestAttempt[];
  readonly batches: readonly BatchRecord[];
  /** Call-level (finalize-stage) findings per simulation id that has batches. */
  readonly finalize: Readonly<Record<string, readonly Finding[]>>;
}

// ---------------------------------------------------------------------------------------------
// Probes, events, outcome

/** The security probes' kinds (SEC checks). */
export type ProbeKind =
  | 'webhook-unsigned'
  | 'webhook-wrong-signature'
  | 'handshake-unsigned'
  | 'handshake-wrong-signature'
  | 'registration-wrong-key'
  | 'registration-missing-key';

/** One probe: what was sent and whether the agent refused it. */
export interface ProbeRecord {
  readonly kind: ProbeKind;
  /** `refused`: answered 401/403 (or the handshake failed with one); `accepted`: it went through. */
  readonly result: 'refused' | 'accepted' | 'error';
  readonly httpStatus?: number;
  readonly detail: string;
}

/** The SEC probes run against the agent (once per started agent environment). */
export interface ProbesRecord {
  /** False when the runner has no Twilio token for the agent: signature probes were not run. */
  readonly signatureProbes: boolean;
  readonly results: readonly ProbeRecord[];
  /** `GET /health` after the run: whether the agent still answered (ROB-NEXT-CALL-WORKS evidence). */
  readonly healthAfter?: { readonly status: number | null; readonly detail: string };
}

/** Something the runner did or noticed, in order. */
export interface RunEvent {
  readonly atMs: number;
  readonly kind:
    | 'run-start'
    | 'registered'
    | 'call-arrived'
    | 'relay-open'
    | 'step-timeout'
    | 'step-error'
    | 'call-ended'
    | 'export'
    | 'agent-exit'
    | 'error'
    | 'note'
    | 'run-end';
  /** The call's index, for per-call events. */
  readonly call?: number;
  readonly message: string;
}

/** How the run itself went (not the verdict: checks and expectations give that). */
export interface RunOutcome {
  /**
   * `completed`: every call was driven to its end (timeouts inside calls are recorded on steps);
   * `skipped`: not run (e.g. it needs an agent environment the runner cannot set);
   * `error`: the run could not be carried out (agent failed to start, died, or is unreachable).
   */
  readonly status: 'completed' | 'skipped' | 'error';
  readonly reason?: string;
  /** The error code when there was one (`SIM_ERR_…`). */
  readonly code?: string;
}

/** One scenario run. */
export interface RunRecord {
  readonly schemaVersion: typeof RUN_RECORD_SCHEMA_VERSION;
  readonly kit: { readonly name: string; readonly version: string };
  readonly seed: number;
  /** A one-line command that reproduces the run. */
  readonly replay: string;
  /** The normalised scenario, so a saved record can be re-checked offline. */
  readonly scenario: Scenario;
  readonly agent: AgentRecord;
  /** A simultaneous reading of both clocks at run start (see the file comment). */
  readonly timebase: { readonly nowMs: number; readonly epochMs: number };
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  /** The arrival order actually used (call indices); drawn from the seed for `seeded-shuffle`. */
  readonly arrivalOrder: readonly number[];
  readonly calls: readonly CallRecord[];
  readonly llm: { readonly requests: readonly LlmRequestRecord[] };
  readonly coval: CovalRecord;
  readonly probes?: ProbesRecord;
  readonly outcome: RunOutcome;
  /** Run-wide expectation results (replyContains over all calls, export …). */
  readonly expectations: readonly ExpectationResult[];
  readonly events: readonly RunEvent[];
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** An OTLP value as JSON (see {@link AttributeValueJson}). */
export function attributeValueJson(value: OtlpAnyValue): AttributeValueJson {
  switch (value.type) {
    case 'int':
      return { type: 'int', value: value.value.toString() };
    case 'double':
      return { type: 'double', value: Number.isFinite(value.value) ? value.value : String(value.value) };
    case 'array':
      return { type: 'array', values: value.values.map(attributeValueJson) };
    case 'kvlist':
      return { type: 'kvlist', values: attributesJson(value.values) };
    default:
      return value;
  }
}

/** Attributes by key (first occurrence wins). */
export function attributesJson(list: readonly OtlpKeyValue[]): Record<string, AttributeValueJson> {
  const out: Record<string, AttributeValueJson> = {};
  for (const kv of list) if (!Object.hasOwn(out, kv.key)) out[kv.key] = attributeValueJson(kv.value);
  return out;
}

/** The flattened span rows of one stored batch. */
export function spanRowsOf(batch: StoredBatch): SpanRow[] {
  const rows: SpanRow[] = [];
  batch.request.resourceSpans.forEach((rs, resource) => {
    const resourceAttributes = attributesJson(rs.resource.attributes);
    rs.scopeSpans.forEach((ss, scope) => {
      ss.spans.forEach((s, span) => {
        rows.push({
          resource,
          scope,
          span,
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId,
          name: s.name,
          kind: s.kind,
          startNs: s.startTimeUnixNano.toString(),
          endNs: s.endTimeUnixNano.toString(),
          attributes: attributesJson(s.attributes),
          resourceAttributes,
          scopeName: ss.scope.name,
          status: { code: s.status.code, message: s.status.message },
          events: s.events.map((e) => ({ name: e.name, timeNs: e.timeUnixNano.toString(), attributes: attributesJson(e.attributes) })),
        });
      });
    });
  });
  return rows;
}

/** A stored batch as a {@link BatchRecord}. */
export function batchRecordOf(batch: StoredBatch): BatchRecord {
  return {
    seq: batch.seq,
    index: batch.index,
    simulationId: batch.simulationId,
    target: batch.target,
    receivedAtMs: batch.receivedAtMs,
    headers: { ...batch.headers },
    contentType: batch.contentType,
    encoding: batch.encoding,
    contentEncoding: batch.contentEncoding,
    bodyBase64: batch.bodyBase64,
    spanCount: batch.spanCount,
    spans: spanRowsOf(batch),
    findings: batch.findings.map((f) => ({ ...f, location: { ...f.location } })),
  };
}

/** Every span row of the batches of one simulation id, in arrival order. */
export function spansOfSimulation(record: Pick<RunRecord, 'coval'>, simulationId: string): SpanRow[] {
  return record.coval.batches.filter((b) => b.simulationId === simulationId).flatMap((b) => b.spans);
}

/** The attribute's plain value (`int` as a bigint-safe string, `double` as a number when finite). */
export function attributeText(value: AttributeValueJson | undefined): string | undefined {
  if (value === undefined || value.type === 'empty' || value.type === 'array' || value.type === 'kvlist') return undefined;
  return String(value.value);
}

/** Reads a saved RunRecord: an object of a known schema version; throws SIM_ERR_RUN_RECORD_INVALID otherwise. */
export function parseRunRecord(value: unknown): RunRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SimErrors.SIM_ERR_RUN_RECORD_INVALID('expected a JSON object');
  }
  const version = (value as { schemaVersion?: unknown }).schemaVersion;
  if (version !== RUN_RECORD_SCHEMA_VERSION) {
    throw new SimErrors.SIM_ERR_RUN_RECORD_INVALID(`schemaVersion ${JSON.stringify(version)} is not ${RUN_RECORD_SCHEMA_VERSION}, the version this kit reads`);
  }
  for (const key of ['scenario', 'agent', 'calls', 'llm', 'coval', 'outcome', 'events'] as const) {
    if (!(key in value)) throw new SimErrors.SIM_ERR_RUN_RECORD_INVALID(`missing '${key}'`);
  }
  return value as RunRecord;
}
