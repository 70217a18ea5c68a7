import type { LlmRequestRecord } from '../openai/history.ts';
import { toolCallsWritten } from '../openai/history.ts';
import type { CallRecord, ExpectationResult, RunRecord } from './run-record.ts';
import { spansOfSimulation } from './run-record.ts';

/**
 * The scenario's `expect` block judged over a RunRecord (docs/scenarios.md "expect"): pure, so a
 * saved record can be re-judged offline. `expect.checks` / `failingChecks` belong to the check
 * engine and are not evaluated here.
 */

/** Results: run-wide ones, and per call (the export expectation is judged per call). */
export interface ExpectationResults {
  readonly run: ExpectationResult[];
  /** Indexed like `record.calls`. */
  readonly calls: ExpectationResult[][];
}

/** A tool call the agent made, with where it was seen. */
interface SeenToolCall {
  readonly name: string;
  readonly arguments: string;
  readonly source: string;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** True when every key of `expected` is in `actual` with a matching value (arrays: same length, element-wise). */
export function isSubset(expected: unknown, actual: unknown): boolean {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => isSubset(e, actual[i]));
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
    return Object.entries(expected).every(([key, value]) => Object.hasOwn(actual, key) && isSubset(value, (actual as Record<string, unknown>)[key]));
  }
  return Object.is(expected, actual);
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Everything the agent said on a call: its `text` tokens joined, in order. */
export function spokenText(call: CallRecord): string {
  let text = '';
  for (const frame of call.relay?.frames ?? []) {
    const parsed = frame.parsed as { type?: unknown; token?: unknown } | undefined;
    if (frame.dir === 'in' && parsed?.type === 'text' && typeof parsed.token === 'string') text += parsed.token;
  }
  return text;
}

/** Tool calls in the histories the agent sent (chat `tool_calls`, Responses `function_call` items), then the ones the LLM wrote. */
function toolCallsSeen(requests: readonly LlmRequestRecord[]): SeenToolCall[] {
  const seen: SeenToolCall[] = [];
  for (const request of requests) {
    const body = request.body as { messages?: unknown; input?: unknown } | undefined;
    const items = Array.isArray(body?.messages) ? body.messages : Array.isArray(body?.input) ? body.input : [];
    for (const item of items as unknown[]) {
      const message = item as { role?: unknown; tool_calls?: unknown; type?: unknown; name?: unknown; arguments?: unknown };
      if (message.role === 'assistant' && Array.isArray(message.tool_calls)) {
        for (const call of message.tool_calls as { function?: { name?: unknown; arguments?: unknown } }[]) {
          if (typeof call.function?.name === 'string') {
            seen.push({ name: call.function.name, arguments: String(call.function.arguments ?? ''), source: `the history of LLM request ${request.seq}` });
          }
        }
      }
      if (message.type === 'function_call' && typeof message.name === 'string') {
        seen.push({ name: message.name, arguments: String(message.arguments ?? ''), source: `the input of LLM request ${request.seq}` });
      }
    }
  }
  for (const request of requests) {
    for (const call of toolCallsWritten(request)) seen.push({ name: call.name, arguments: call.arguments, source: `the reply to LLM request ${request.seq}` });
  }
  return seen;
}

function handoffs(record: RunRecord): { call: string; raw: string }[] {
  const out: { call: string; raw: string }[] = [];
  for (const call of record.calls) {
    for (const frame of call.relay?.frames ?? []) {
      const parsed = frame.parsed as { type?: unknown; handoffData?: unknown } | undefined;
      if (frame.dir === 'in' && parsed?.type === 'end') out.push({ call: call.name, raw: typeof parsed.handoffData === 'string' ? parsed.handoffData : show(parsed.handoffData) });
    }
  }
  return out;
}

function spanCounts(record: RunRecord, call: CallRecord): Map<string, number> {
  const counts = new Map<string, number>();
  for (const span of spansOfSimulation(record, call.simulationOutputId)) counts.set(span.name, (counts.get(span.name) ?? 0) + 1);
  return counts;
}

function describeCounts(counts: Map<string, number>): string {
  return counts.size === 0 ? 'no spans' : [...counts].map(([name, n]) => `${name}: ${n}`).join(', ');
}

/** Judges `record.scenario.expect` over the record. */
export function evaluateExpectations(record: RunRecord): ExpectationResults {
  const expect = record.scenario.expect;
  const run: ExpectationResult[] = [];
  const calls: ExpectationResult[][] = record.calls.map(() => []);

  const spoken = record.calls.map((c) => ({ name: c.name, text: spokenText(c) }));
  for (const wanted of expect.replyContains) {
    const hit = spoken.find((s) => s.text.includes(wanted));
    run.push({
      kind: 'replyContains',
      expectation: `the agent says ${show(wanted)}`,
      pass: hit !== undefined,
      evidence: hit !== undefined ? `said on ${hit.name}` : `the agent said: ${spoken.map((s) => `${s.name}: ${show(s.text)}`).join('; ') || 'nothing'}`,
    });
  }

  if (expect.toolCalled.length > 0) {
    const seen = toolCallsSeen(record.llm.requests);
    for (const wanted of expect.toolCalled) {
      const named = seen.filter((s) => s.name === wanted.name);
      const match = named.find((s) => {
        if (wanted.arguments === undefined) return true;
        const parsed = parseJson(s.arguments);
        return parsed.ok && isSubset(wanted.arguments, parsed.value);
      });
      const args = wanted.arguments === undefined ? '' : ` with arguments ⊇ ${show(wanted.arguments)}`;
      run.push({
        kind: 'toolCalled',
        expectation: `the agent calls ${wanted.name}${args}`,
        pass: match !== undefined,
        evidence:
          match !== undefined
            ? `${match.name}(${match.arguments}) in ${match.source}`
            : named.length > 0
              ? `${wanted.name} was called with ${named.map((s) => s.arguments).join(' / ')}`
              : `tool calls seen: ${[...new Set(seen.map((s) => s.name))].join(', ') || 'none'}`,
      });
    }
  }

  if (expect.handoffData !== undefined) {
    const ends = handoffs(record);
    const match = ends.find((e) => {
      const parsed = parseJson(e.raw);
      return parsed.ok && isSubset(expect.handoffData, parsed.value);
    });
    run.push({
      kind: 'handoffData',
      expectation: `an end message whose handoffData ⊇ ${show(expect.handoffData)}`,
      pass: match !== undefined,
      evidence: match !== undefined ? `${match.call}: ${match.raw}` : ends.length === 0 ? 'the agent sent no end message' : `handoffData sent: ${ends.map((e) => `${e.call}: ${e.raw}`).join('; ')}`,
    });
  }

  const exportExpect = expect.export;
  if (exportExpect?.kind === 'none') {
    const batches = record.coval.batches;
    run.push({
      kind: 'export',
      expectation: 'no trace export is accepted',
      pass: batches.length === 0,
      evidence: batches.length === 0 ? `no batch (${record.coval.attempts.length} attempt(s))` : `${batches.length} batch(es) for ${[...new Set(batches.map((b) => b.simulationId))].join(', ')}`,
    });
  } else if (exportExpect?.kind === 'spans') {
    const wanted = Object.entries(exportExpect.minSpans);
    const need = wanted.length === 0 ? 'an export' : `an export with at least ${wanted.map(([n, c]) => `${c} ${n}`).join(', ')} span(s)`;
    const owing = record.calls.filter((c) => c.export.expected || c.export.status === 'received');
    for (const call of owing) {
      const counts = spanCounts(record, call);
      const short = wanted.filter(([name, min]) => (counts.get(name) ?? 0) < min);
      const received = call.export.status === 'received' || call.export.status === 'unexpected';
      calls[call.index]?.push({
        kind: 'export',
        expectation: `${need} for ${call.name}`,
        pass: received && short.length === 0,
        evidence: received ? describeCounts(counts) : `export ${call.export.status} after ${Math.round(call.export.waitedMs)} ms`,
      });
    }
    const perCall = owing.map((c) => calls[c.index]?.at(-1));
    run.push({
      kind: 'export',
      expectation: need,
      pass: owing.length > 0 && perCall.every((r) => r?.pass === true),
      evidence: owing.length === 0 ? 'no call had an accepted registration, so no export was owed' : perCall.map((r, i) => `${owing[i]?.name}: ${r?.evidence}`).join('; '),
    });
  }
  return { run, calls };
}

/** True when every expectation of the record passed. */
export function expectationsPass(record: RunRecord): boolean {
  return record.expectations.every((e) => e.pass) && record.calls.every((c) => c.expectations.every((e) => e.pass));
}
