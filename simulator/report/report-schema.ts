/**
 * The JSON report's schema, written with TypeBox so the same definition validates reports in code
 * (`Value.Check`) and is published as docs/report.schema.json (a test keeps the file equal to it).
 * The report envelope is closed (no unknown fields); the embedded RunRecord is described down to the
 * parts reports read (calls, frames, LLM requests and chunks, Coval attempts, batches and span rows)
 * and left open below that, since its own `schemaVersion` governs it (run-record.ts).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { REPORT_VERSION } from './run-report.ts';

const closed = { additionalProperties: false } as const;
const lit = <T extends string>(...values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Int = (description?: string) => Type.Integer(description === undefined ? {} : { description });
const Ms = (description: string) => Type.Number({ description });
const DecimalNs = Type.String({ pattern: '^[0-9]+$', description: 'Nanoseconds since the Unix epoch as a decimal string (int64, never a JSON number).' });
const Open = (properties: Record<string, TSchema>, description?: string) => Type.Object(properties, description === undefined ? {} : { description });

const CheckOutcome = lit('pass', 'warn', 'fail', 'skip', 'missing');
const CheckLevel = lit('MUST', 'SHOULD', 'INFO');

const Evidence = Type.Object(
  {
    kind: lit('frame', 'http', 'registration', 'llm-request', 'llm-chunk', 'span', 'batch', 'attempt', 'probe', 'step', 'note'),
    call: Type.Optional(Int('Index of the call in record.calls.')),
    ref: Type.Optional(Type.Union([Type.String(), Type.Number()], { description: 'Frame index, LLM request seq (or "seq:chunk"), attempt/batch seq, span id, step index or probe index.' })),
    summary: Type.String(),
  },
  closed,
);

const CheckResult = Type.Object(
  {
    checkId: Type.String({ pattern: '^(COR|CR|OTLP|SPAN|SEC|ROB|INFO)-[A-Z0-9-]+$' }),
    level: CheckLevel,
    scenarioId: Type.String(),
    call: Type.Optional(Int('Index of the call; absent for a scenario-wide result.')),
    outcome: CheckOutcome,
    message: Type.String(),
    evidence: Type.Array(Evidence),
  },
  closed,
);

const Expectation = Open({
  kind: lit('replyContains', 'toolCalled', 'handoffData', 'export'),
  expectation: Type.String(),
  pass: Type.Boolean(),
  evidence: Type.String(),
  call: Type.Optional(Int()),
});

const AttributeValue = Type.Union([
  Type.Object({ type: Type.Literal('empty') }),
  Type.Object({ type: Type.Literal('string'), value: Type.String() }),
  Type.Object({ type: Type.Literal('bool'), value: Type.Boolean() }),
  Type.Object({ type: Type.Literal('int'), value: Type.String({ pattern: '^-?[0-9]+$' }) }),
  Type.Object({ type: Type.Literal('double'), value: Type.Union([Type.Number(), Type.String()]) }),
  Type.Object({ type: Type.Literal('bytes'), value: Type.String() }),
  Type.Object({ type: Type.Literal('array'), values: Type.Array(Type.Unknown()) }),
  Type.Object({ type: Type.Literal('kvlist'), values: Type.Record(Type.String(), Type.Unknown()) }),
]);
const Attributes = Type.Record(Type.String(), AttributeValue);

const SpanRow = Open({
  traceId: Type.String(),
  spanId: Type.String(),
  parentSpanId: Type.String({ description: "'' for a root span." }),
  name: Type.String(),
  kind: Int(),
  startNs: DecimalNs,
  endNs: DecimalNs,
  attributes: Attributes,
  status: Open({ code: Int('0 unset, 1 ok, 2 error.'), message: Type.String() }),
});

const Frame = Open({
  index: Int(),
  dir: lit('in', 'out'),
  at: Ms('Run-clock ms.'),
  raw: Type.String(),
  binary: Type.Optional(Type.Literal(true)),
  parsed: Type.Optional(Type.Unknown()),
  unsent: Type.Optional(Type.Literal(true)),
});

const Call = Open({
  index: Int(),
  name: Type.String(),
  callSid: Type.String(),
  simulationOutputId: Type.String(),
  registration: Open({ dials: Type.Array(Open({ sentAtMs: Ms('Wall-clock ms.'), outcome: Type.String() })) }),
  relay: Type.Optional(Open({ frames: Type.Array(Frame) })),
  steps: Type.Array(Open({ index: Int(), kind: Type.String(), outcome: Type.String() })),
  export: Open({ expected: Type.Boolean(), status: lit('received', 'missing', 'none', 'unexpected') }),
  llmRequestSeqs: Type.Array(Int()),
  expectations: Type.Array(Expectation),
});

const LlmRequest = Open({
  seq: Int('1-based arrival order.'),
  receivedAtMs: Ms('Run-clock ms.'),
  firstTokenAtMs: Type.Union([Type.Number(), Type.Null()]),
  endedAtMs: Type.Union([Type.Number(), Type.Null()]),
  status: Type.Union([Int(), Type.Null()]),
  outcome: Type.String(),
  chunks: Type.Array(Open({ index: Int(), atMs: Type.Number(), kind: Type.String() })),
});

const RunRecord = Open(
  {
    schemaVersion: Type.Literal(1),
    kit: Open({ name: Type.String(), version: Type.String() }),
    seed: Int(),
    replay: Type.String(),
    scenario: Open({ id: Type.String(), title: Type.String(), tags: Type.Array(Type.String()) }),
    agent: Open({ mode: lit('embedded', 'url', 'spawn'), baseUrl: Type.String() }),
    timebase: Open({ nowMs: Type.Number(), epochMs: Type.Number() }),
    startedAtMs: Ms('Run-clock ms.'),
    endedAtMs: Ms('Run-clock ms.'),
    arrivalOrder: Type.Array(Int()),
    calls: Type.Array(Call),
    llm: Open({ requests: Type.Array(LlmRequest) }),
    coval: Open({
      attempts: Type.Array(Open({ seq: Int(), receivedAtMs: Ms('Wall-clock ms.'), simulationId: Type.Union([Type.String(), Type.Null()]), status: Type.Union([Int(), Type.Null()]), outcome: Type.String() })),
      batches: Type.Array(Open({ seq: Int(), simulationId: Type.String(), receivedAtMs: Ms('Wall-clock ms.'), spans: Type.Array(SpanRow) })),
      finalize: Type.Record(Type.String(), Type.Array(Type.Unknown())),
    }),
    probes: Type.Optional(Open({ results: Type.Array(Open({ kind: Type.String(), result: lit('refused', 'accepted', 'error') })) })),
    outcome: Open({ status: lit('completed', 'skipped', 'error'), reason: Type.Optional(Type.String()), code: Type.Optional(Type.String()) }),
    expectations: Type.Array(Expectation),
    events: Type.Array(Open({ atMs: Type.Number(), kind: Type.String(), message: Type.String() })),
  },
  'The RunRecord of the scenario (simulator/scenario/run-record.ts, schemaVersion 1).',
);

const ScenarioReport = Type.Object(
  {
    scenario: Type.Object({ id: Type.String(), title: Type.String(), tags: Type.Array(Type.String()), file: Type.String() }, closed),
    seed: Int(),
    replay: Type.String({ description: 'One command that reproduces this scenario.' }),
    record: RunRecord,
    results: Type.Array(CheckResult),
    expectations: Type.Array(Expectation),
    checkExpectations: Type.Array(
      Type.Object({ checkId: Type.String(), expected: lit('pass', 'fail'), met: Type.Boolean(), detail: Type.String() }, closed),
      { description: "The scenario's expect.checks (must pass) and expect.failingChecks (must fail), judged." },
    ),
    outcome: lit('pass', 'fail', 'skipped', 'error'),
    reason: Type.Optional(Type.String()),
    durationMs: Type.Number({ minimum: 0 }),
  },
  closed,
);

const Count = Type.Integer({ minimum: 0 });

/** The JSON report (reportVersion 1). */
export const JsonReportSchema = Type.Object(
  {
    reportVersion: Type.Literal(REPORT_VERSION),
    kit: Type.Object({ name: Type.String(), version: Type.String() }, closed),
    startedAt: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$', description: 'ISO 8601 UTC.' }),
    endedAt: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$' }),
    seed: Int('The run seed: every id, choice and interleaving follows from it.'),
    replay: Type.String({ description: 'One command that reproduces the whole run.' }),
    options: Type.Object(
      { strict: Type.Boolean(), agent: Type.Object({ mode: lit('embedded', 'url', 'spawn'), target: Type.String() }, closed) },
      closed,
    ),
    checks: Type.Record(Type.String(), Type.Object({ title: Type.String(), level: CheckLevel, source: Type.String() }, closed), {
      description: 'The catalogue entries of the checks that appear in the results, by id.',
    }),
    scenarios: Type.Array(ScenarioReport),
    summary: Type.Object(
      {
        byOutcome: Type.Object({ pass: Count, warn: Count, fail: Count, skip: Count, missing: Count }, closed),
        scenarios: Type.Object({ total: Count, passed: Count, failed: Count, skipped: Count, errored: Count }, closed),
        expectations: Type.Object({ passed: Count, failed: Count }, closed),
        checkExpectations: Type.Object({ met: Count, unmet: Count }, closed),
        exitCode: Type.Union([Type.Literal(0), Type.Literal(1)]),
      },
      closed,
    ),
  },
  { ...closed, $id: 'relaysim-report-v1', title: 'relaysim JSON report', description: 'Written by `relaysim run --json`; see docs/reports.md.' },
);

/** A JSON report as TypeScript sees it (the schema's static type). */
export type JsonReportShape = Static<typeof JsonReportSchema>;

/** The schema as the JSON document published in docs/report.schema.json. */
export function reportJsonSchema(): Record<string, unknown> {
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...(JSON.parse(JSON.stringify(JsonReportSchema)) as Record<string, unknown>) };
}
