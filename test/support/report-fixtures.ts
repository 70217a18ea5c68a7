/**
 * A realistic RunReport for the report tests: five scenarios covering every scenario outcome
 * (pass with a warning, fail, skipped, error, pass with a failure the scenario expects), built from hand-made RunRecords and CheckResults
 * made with the catalogue's levels. `hostile` puts markup and control characters where an agent
 * controls the text (tokens, span names and attributes, check messages).
 */
import { applyLevel, type CheckResult, type CheckVerdict, type Evidence } from '../../simulator/checks/check-result.ts';
import { buildRunReport, type RunReport, type ScenarioRun } from '../../simulator/report/run-report.ts';
import type { RunRecord } from '../../simulator/scenario/run-record.ts';
import { EPOCH_OFFSET_MS, fixtureRecord, type TurnPlan } from './report-record-fixtures.ts';

/** Markup an agent could send; the reports must show it as text. */
export const HOSTILE = '<script>alert("pwned")</script>';

/** Options of {@link sampleRunReport}. */
export interface SampleReportOptions {
  readonly hostile?: boolean;
  readonly strict?: boolean;
}

const words = (text: string): string[] => text.match(/\S+\s*/g) ?? [];

function results(record: RunRecord, verdicts: readonly CheckVerdict[], strict: boolean): CheckResult[] {
  return verdicts.map((v) => applyLevel(v, record.scenario.id, strict));
}

const v = (checkId: string, verdict: CheckVerdict['verdict'], message: string, evidence: Evidence[] = [], call: number | 'scenario' = 0): CheckVerdict => ({
  checkId,
  ...(call === 'scenario' ? {} : { call }),
  verdict,
  message,
  evidence,
});

function frameEvidence(record: RunRecord, predicate: (parsed: Record<string, unknown>, at: number) => boolean, summary: (p: Record<string, unknown>, at: number) => string): Evidence[] {
  const frames = record.calls[0]?.relay?.frames ?? [];
  return frames
    .filter((f) => predicate(f.parsed as Record<string, unknown>, f.at))
    .map((f) => ({ kind: 'frame' as const, call: 0, ref: f.index, summary: summary(f.parsed as Record<string, unknown>, f.at) }));
}

function passing(hostile: boolean, strict: boolean): ScenarioRun {
  const answer = hostile ? `Your appointment ${HOSTILE} is on Wednesday, April 15th.` : 'Your next appointment is on Wednesday, April 15th at 10:30 AM with Dr. Maya Okafor.';
  const turn: TurnPlan = { prompt: 'When is my next appointment?', promptAt: 3_000, tokens: words(answer), firstTokenMs: 40, interTokenMs: 15, tool: { name: 'lookup_appointment', args: '{"patient_name":"Ana Ruiz"}', result: '{"error":"calendar timed out"}', failed: true } };
  const base = fixtureRecord({ scenarioId: 'greeting-and-one-question', seed: 1101, turns: [turn], ...(hostile ? { spanExtra: { note: '<img src=x onerror=alert(1)>' }, spanNameSuffix: '</style><b>' } : {}) });
  const record: RunRecord = { ...base, expectations: [{ kind: 'replyContains', expectation: 'reply contains "April 15th"', pass: true, evidence: `reply: ${answer}` }] };
  const spans = record.coval.batches[0]?.spans ?? [];
  const verdicts = [
    v('COR-REGISTRATION-ACCEPTED', 'pass', 'registration answered 200', [{ kind: 'registration', call: 0, ref: 0, summary: 'POST /register-simulation → 200' }]),
    v('COR-OWN-SIMULATION-ID', 'pass', 'the trace carried the call’s own simulation id', [{ kind: 'batch', ref: 1, summary: 'batch #1 X-Simulation-Id matches' }]),
    v('CR-FRAMES-VALID', 'pass', 'every agent frame was valid'),
    v('CR-TOKENS-UNTRIMMED', 'violated', hostile ? `token ${HOSTILE} was trimmed` : 'token "Wednesday," lost its trailing space', frameEvidence(record, (p) => p.type === 'text', (p) => `text ${JSON.stringify(p.token)}`).slice(3, 4)),
    v('SPAN-ROOT', 'pass', 'one conversation root', spans.slice(0, 1).map((r) => ({ kind: 'span' as const, call: 0, ref: r.spanId, summary: `${r.name} root` }))),
    v('SPAN-TOOL-PAIRS', 'pass', 'tool_call and tool_call_result pair up'),
    v('SEC-WEBHOOK-SIGNATURE', 'skip', 'the agent has no Twilio token configured', [], 'scenario'),
    v('INFO-COVAL-METRICS', 'pass', 'spans feed: latency, ttfb, tool use', [], 'scenario'),
  ];
  const listed = record.scenario.expect.checks.filter((id) => !verdicts.some((x) => x.checkId === id)).map((id) => v(id, 'pass', 'as expected'));
  return { record, results: results(record, [...verdicts, ...listed], strict) };
}

function failing(hostile: boolean, strict: boolean): ScenarioRun {
  const long = words('Please bring your insurance card and a list of your current medications, arrive ten minutes early.');
  const turns: TurnPlan[] = [
    { prompt: 'What should I bring to my appointment?', promptAt: 2_500, tokens: hostile ? [...long.slice(0, 6), `${HOSTILE} `, ...long.slice(6)] : long, firstTokenMs: 50, interTokenMs: 40, interruptAfterTokens: 6, tokensAfterInterrupt: 3 },
    { prompt: 'Sorry, what time is it again?', promptAt: 4_200, tokens: words('It is at 10:30 in the morning.'), firstTokenMs: 30, interTokenMs: 10 },
  ];
  const base = fixtureRecord({ scenarioId: 'barge-in-mid-answer', seed: 2202, turns, exportStatuses: [503, 200] });
  const record: RunRecord = {
    ...base,
    expectations: [
      { kind: 'replyContains', expectation: 'reply contains "10:30"', pass: true, evidence: 'reply: It is at 10:30 in the morning.' },
      { kind: 'replyContains', expectation: 'reply contains "Dr. Okafor"', pass: false, evidence: 'no reply mentions it' },
    ],
  };
  const interruptAt = record.calls[0]?.relay?.frames.find((f) => (f.parsed as { type?: string }).type === 'interrupt')?.at ?? 0;
  const late = frameEvidence(record, (p, at) => p.type === 'text' && at > interruptAt && at < 4_000, (p, at) => `text ${JSON.stringify(p.token)} ${Math.round(at - interruptAt)} ms after the interrupt`);
  const interrupt = frameEvidence(record, (p) => p.type === 'interrupt', (p) => `interrupt, heard ${JSON.stringify(p.utteranceUntilInterrupt)}`);
  const llm = record.coval.batches[0]?.spans.filter((r) => r.name === 'llm') ?? [];
  const verdicts = [
    v('COR-OWN-SIMULATION-ID', 'pass', 'the trace carried the call’s own simulation id', [{ kind: 'batch', ref: 2, summary: 'batch #2' }]),
    v('CR-INTERRUPT-STOPS', 'violated', hostile ? `3 tokens followed the interrupt ${HOSTILE}` : '3 tokens of the interrupted cycle arrived after the interrupt (grace 50 ms)', [...interrupt, ...late]),
    v('CR-INTERRUPT-HISTORY', 'pass', 'the next request carried the heard text', [{ kind: 'llm-request', call: 0, ref: 2, summary: 'request #2 history ends with the truncated answer' }]),
    v('SPAN-LLM-TTFB-REAL', 'violated', 'llm metrics.ttfb 0.03 s is below the injected first-token delay 0.05 s', [
      ...llm.slice(0, 1).map((r) => ({ kind: 'span' as const, call: 0, ref: r.spanId, summary: 'llm span metrics.ttfb = 0.05' })),
      { kind: 'llm-chunk', call: 0, ref: '1:1', summary: 'first token written 50 ms after the request' },
    ]),
    v('OTLP-RETRIES-RETRYABLE', 'pass', 'the 503 was retried', [
      { kind: 'attempt', ref: 1, summary: 'attempt #1 → 503' },
      { kind: 'attempt', ref: 2, summary: 'attempt #2 → 200' },
    ]),
    v('SPAN-CHILDREN-IN-ROOT', 'missing', 'no finalize findings were recorded for the simulation', [{ kind: 'note', summary: 'finalize stage did not run' }]),
    v('CR-DTMF-HANDLED', 'skip', 'the scenario presses no key'),
    v('SPAN-LLM-PER-TURN', 'pass', 'two llm spans for two completions'),
  ];
  return { record, results: results(record, verdicts, strict) };
}

function skipped(): ScenarioRun {
  const base = fixtureRecord({ scenarioId: 'registration-expired', seed: 3303, turns: [] });
  const record: RunRecord = { ...base, calls: [], llm: { requests: [] }, coval: { attempts: [], batches: [], finalize: {} }, outcome: { status: 'skipped', reason: 'needs REGISTRATION_TTL_SECONDS, which an agent reached by --agent-url cannot be given' } };
  return { record, results: [] };
}

function errored(strict: boolean): ScenarioRun {
  const turn: TurnPlan = { prompt: 'Can you check my lab results?', promptAt: 2_000, tokens: words('Sorry, I had trouble with that.'), firstTokenMs: 20, interTokenMs: 10 };
  const base = fixtureRecord({ scenarioId: 'llm-http-500', seed: 4404, turns: [turn], exportStatuses: [] });
  const record: RunRecord = { ...base, outcome: { status: 'error', reason: 'the agent under test exited during the run (code 1)', code: 'SIM_ERR_AGENT_EXITED' } };
  const verdicts = [
    v('SPAN-ROOT', 'missing', 'no trace arrived before the export deadline'),
    v('ROB-NEXT-CALL-WORKS', 'violated', 'GET /health failed: connection refused', [], 'scenario'),
  ];
  return { record, results: results(record, verdicts, strict) };
}

function expectedFailure(strict: boolean): ScenarioRun {
  const turn: TurnPlan = { prompt: 'Is my prescription ready?', promptAt: 2_000, tokens: words('Yes, it is ready for pickup.'), firstTokenMs: 20, interTokenMs: 10 };
  const record = fixtureRecord({ scenarioId: 'four-callers-out-of-order-without-numbers', seed: 5505, turns: [turn] });
  const verdicts = [
    v('COR-REGISTRATION-ACCEPTED', 'pass', 'registration answered 200'),
    v('COR-NO-ID-REUSE', 'pass', 'no simulation id served two calls', [], 'scenario'),
    v('OTLP-NO-DUPLICATE-BATCH', 'pass', 'no span was sent twice'),
    v('COR-OWN-SIMULATION-ID', 'violated', 'the trace was exported under another caller’s simulation id (FIFO without caller numbers)', [{ kind: 'batch', call: 0, ref: 1, summary: 'batch #1 X-Simulation-Id belongs to carla' }]),
  ];
  return { record, results: results(record, verdicts, strict) };
}

/** The sample report (scenarios: pass, fail, skipped, error, pass with an expected failure). */
export function sampleRunReport(options: SampleReportOptions = {}): RunReport {
  const hostile = options.hostile ?? false;
  const strict = options.strict ?? false;
  const runs = [passing(hostile, strict), failing(hostile, strict), skipped(), errored(strict), expectedFailure(strict)];
  const tweaked = hostile ? runs.map((r, i) => (i === 0 ? { ...r, record: { ...r.record, scenario: { ...r.record.scenario, title: `Title ${HOSTILE} & "quotes"` } } } : r)) : runs;
  return buildRunReport({
    startedAtEpochMs: EPOCH_OFFSET_MS + 900,
    endedAtEpochMs: EPOCH_OFFSET_MS + 9_000,
    seed: 424242,
    replay: 'relaysim run --seed 424242 --agent-embedded',
    strict,
    agent: { mode: 'embedded', target: 'agent/embed.ts' },
    scenarios: tweaked,
  });
}
