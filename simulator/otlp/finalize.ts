import type { OtlpRequest, OtlpSpan } from './model.ts';
import { finding, type Finding, type FindingLocation } from './rules.ts';
import { attr, text } from './span-attributes.ts';
import { validateRequest } from './validate.ts';
import { resolveValidateOptions, type OtlpValidateOptions, type ResolvedValidateOptions } from './validate-options.ts';

/** A span with where it came from among a simulation's batches. */
export interface LocatedSpan {
  readonly span: OtlpSpan;
  readonly location: FindingLocation;
}

/** Every span of every batch, in arrival order, with its location. */
export function locateSpans(batches: readonly OtlpRequest[]): LocatedSpan[] {
  const out: LocatedSpan[] = [];
  batches.forEach((req, batch) => {
    req.resourceSpans.forEach((rs, resource) => {
      rs.scopeSpans.forEach((ss, scope) => {
        ss.spans.forEach((span, i) => {
          out.push({ span, location: { batch, resource, scope, span: i, spanId: span.spanId, spanName: span.name } });
        });
      });
    });
  });
  return out;
}

function sameContent(a: OtlpSpan, b: OtlpSpan): boolean {
  return a.name === b.name && a.startTimeUnixNano === b.startTimeUnixNano && a.endTimeUnixNano === b.endTimeUnixNano && a.parentSpanId === b.parentSpanId;
}

function toolCallId(span: OtlpSpan): string | undefined {
  return text(attr(span, 'tool_call_id')) || text(attr(span, 'tool.call_id')) || undefined;
}

function within(inner: OtlpSpan, outer: OtlpSpan, tol: bigint): boolean {
  return inner.startTimeUnixNano + tol >= outer.startTimeUnixNano && inner.endTimeUnixNano <= outer.endTimeUnixNano + tol;
}

function msOutside(inner: OtlpSpan, outer: OtlpSpan): string {
  const before = Number(outer.startTimeUnixNano - inner.startTimeUnixNano) / 1e6;
  const after = Number(inner.endTimeUnixNano - outer.endTimeUnixNano) / 1e6;
  return before > 0 ? `starts ${before} ms before` : `ends ${after} ms after`;
}

function treeChecks(unique: readonly LocatedSpan[], byKey: ReadonlyMap<string, LocatedSpan>, o: ResolvedValidateOptions, out: Finding[]): void {
  const roots = unique.filter((e) => e.span.parentSpanId === '');
  if (roots.length === 0 && unique.length > 0) {
    out.push(finding('SPAN-ROOT-CONVERSATION', 'no root span (every span has a parentSpanId); Coval expects one root named conversation', {}));
  } else if (roots.length > 1) {
    out.push(finding('SPAN-ROOT-CONVERSATION', `${roots.length} root spans (${roots.map((r) => r.span.name).join(', ')}); Coval expects exactly one, named conversation`, roots[1]?.location ?? {}));
  } else if (roots[0] && roots[0].span.name !== 'conversation') {
    out.push(finding('SPAN-ROOT-CONVERSATION', `the root span is named '${roots[0].span.name}', not conversation`, roots[0].location));
  }
  const root = roots.length === 1 ? roots[0]?.span : undefined;
  for (const e of unique) {
    const s = e.span;
    if (s.parentSpanId !== '') {
      const parent = byKey.get(`${s.traceId}/${s.parentSpanId}`);
      if (!parent) {
        out.push(finding('OTLP-PARENT-RESOLVES', `parentSpanId ${s.parentSpanId} names no span of trace ${s.traceId}`, e.location));
      } else if (s.name.startsWith('stt.provider.')) {
        if (parent.span.name !== 'stt') {
          out.push(finding('SPAN-PROVIDER-WITHIN-STT', `${s.name} is a child of '${parent.span.name}', not of an stt span`, e.location));
        } else if (!within(s, parent.span, o.toleranceNs)) {
          out.push(finding('SPAN-PROVIDER-WITHIN-STT', `${s.name} ${msOutside(s, parent.span)} its stt span`, e.location));
        }
      }
    } else if (s.name.startsWith('stt.provider.')) {
      out.push(finding('SPAN-PROVIDER-WITHIN-STT', `${s.name} has no parent; it belongs under an stt span`, e.location));
    }
    if (root && s !== root && s.traceId === root.traceId && !within(s, root, o.toleranceNs)) {
      out.push(finding('SPAN-CHILD-WITHIN-ROOT', `${s.name || '(unnamed)'} ${msOutside(s, root)} the root span '${root.name}'`, e.location));
    }
  }
}

function toolPairing(unique: readonly LocatedSpan[], o: ResolvedValidateOptions, out: Finding[]): void {
  const calls = new Map<string, bigint>();
  for (const e of unique) {
    if (e.span.name !== 'tool_call' && e.span.name !== 'llm_tool_call') continue;
    const id = toolCallId(e.span);
    if (id !== undefined) {
      const prev = calls.get(id);
      if (prev === undefined || e.span.startTimeUnixNano < prev) calls.set(id, e.span.startTimeUnixNano);
    }
  }
  for (const e of unique) {
    if (e.span.name !== 'tool_call_result') continue;
    const id = toolCallId(e.span);
    const start = id === undefined ? undefined : calls.get(id);
    if (id === undefined) {
      out.push(finding('SPAN-TOOL-RESULT-PAIRED', 'tool_call_result has no tool_call_id / tool.call_id to pair with its call', e.location));
    } else if (start === undefined) {
      out.push(finding('SPAN-TOOL-RESULT-PAIRED', `tool_call_result for call id '${id}' has no matching tool_call / llm_tool_call span`, e.location));
    } else if (start > e.span.startTimeUnixNano + o.toleranceNs) {
      out.push(finding('SPAN-TOOL-RESULT-PAIRED', `tool_call_result for call id '${id}' starts before its tool call`, e.location));
    }
  }
}

/**
 * The finalize-stage rules over all batches one simulation received (otlp-coval.md §5.1 4, 6, 7,
 * 9, 13): re-sent spans (Coval appends without deduplication), one trace per call, parents that
 * resolve, one `conversation` root, children inside the root, provider spans inside their stt,
 * tool results paired with their calls.
 */
export function finalizeSimulation(batches: readonly OtlpRequest[], options: OtlpValidateOptions = {}): Finding[] {
  const o = resolveValidateOptions(options);
  const out: Finding[] = [];
  const byKey = new Map<string, LocatedSpan>();
  const unique: LocatedSpan[] = [];
  for (const e of locateSpans(batches)) {
    const key = `${e.span.traceId}/${e.span.spanId}`;
    const first = byKey.get(key);
    if (!first) {
      byKey.set(key, e);
      unique.push(e);
    } else if (first.location.batch !== e.location.batch) {
      const how = sameContent(first.span, e.span) ? 'the same span was sent again' : 'a different span reuses this id';
      out.push(finding('OTLP-SPAN-RESENT', `span ${e.span.spanId} ('${e.span.name}') already arrived in batch ${first.location.batch}: ${how}; Coval would store it twice`, e.location));
    }
  }
  const traces = new Set(unique.map((e) => e.span.traceId));
  if (traces.size > 1) {
    out.push(finding('OTLP-TRACE-SINGLE', `spans of this call use ${traces.size} trace ids (${[...traces].slice(0, 4).join(', ')}${traces.size > 4 ? ', …' : ''}); one trace per call is expected`, {}));
  }
  treeChecks(unique, byKey, o, out);
  toolPairing(unique, o, out);
  return out;
}

/** Request-stage findings of every batch (tagged with the batch index) plus the finalize findings. */
export function validateBatches(batches: readonly OtlpRequest[], options: OtlpValidateOptions = {}): Finding[] {
  const out: Finding[] = [];
  batches.forEach((req, batch) => {
    for (const f of validateRequest(req, options)) out.push({ ...f, location: { batch, ...f.location } });
  });
  out.push(...finalizeSimulation(batches, options));
  return out;
}
