import { checkCovalSpan, hygieneList } from './coval-span-checks.ts';
import { duplicateKey } from './decode-support.ts';
import { checkHexId } from './ids.ts';
import type { OtlpKeyValue, OtlpRequest, OtlpSpan } from './model.ts';
import { finding, type Finding, type FindingLocation } from './rules.ts';
import { text, attr } from './span-attributes.ts';
import { resolveValidateOptions, type OtlpValidateOptions, type ResolvedValidateOptions } from './validate-options.ts';

function checkId(value: string, bytes: number, what: string, loc: FindingLocation, out: Finding[]): void {
  const r = checkHexId(value, bytes, what);
  if (!r.ok) out.push(finding(r.rule, r.reason, loc));
  else if (r.hex !== value) out.push(finding('OTLP-ID-HEX', `${what} '${value}' is not lowercase hex as the normalised model requires`, loc));
}

function checkKeys(list: readonly OtlpKeyValue[], where: string, loc: FindingLocation, out: Finding[]): void {
  const dup = duplicateKey(list);
  if (dup !== undefined) out.push(finding('OTLP-ATTR-DUPLICATE', `attribute key '${dup}' appears more than once in ${where}`, { ...loc, attribute: dup }));
}

function checkSpan(span: OtlpSpan, loc: FindingLocation, o: ResolvedValidateOptions, seen: Set<string>, out: Finding[]): void {
  checkId(span.traceId, 16, 'traceId', loc, out);
  checkId(span.spanId, 8, 'spanId', loc, out);
  if (span.parentSpanId !== '') checkId(span.parentSpanId, 8, 'parentSpanId', loc, out);
  const key = `${span.traceId}/${span.spanId}`;
  if (seen.has(key)) out.push(finding('OTLP-SPAN-ID-UNIQUE', `spanId ${span.spanId} occurs more than once in trace ${span.traceId} within this request`, loc));
  else seen.add(key);
  if (span.name === '') out.push(finding('OTLP-SPAN-NAME', 'span name is empty', loc));
  if (span.startTimeUnixNano === 0n) out.push(finding('OTLP-SPAN-TIME-ZERO', 'startTimeUnixNano is 0 (unset)', loc));
  if (span.endTimeUnixNano < span.startTimeUnixNano) {
    const ms = Number(span.startTimeUnixNano - span.endTimeUnixNano) / 1e6;
    out.push(finding('OTLP-SPAN-TIME-ORDER', `span ends ${ms} ms before it starts (end ${span.endTimeUnixNano} < start ${span.startTimeUnixNano})`, loc));
  }
  if (span.kind === 0) out.push(finding('OTLP-SPAN-KIND', 'kind is 0 (UNSPECIFIED); use 1 (INTERNAL) unless another kind applies', loc));
  else if (span.kind < 0 || span.kind > 5) out.push(finding('OTLP-SPAN-KIND', `kind ${span.kind} is not a SpanKind (1..5)`, loc));
  const { code, message } = span.status;
  if (code < 0 || code > 2) out.push(finding('OTLP-STATUS-CODE', `status.code ${code} is not UNSET (0), OK (1) or ERROR (2)`, loc));
  if (code !== 2 && message !== '') out.push(finding('OTLP-STATUS-MESSAGE', `status message '${message.slice(0, 60)}' is set with code ${code}; a description belongs only to ERROR`, loc));
  if (code === 2 && message === '') out.push(finding('SPAN-STATUS-ERROR-MESSAGE', 'ERROR status without a message', loc));
  checkKeys(span.attributes, 'span attributes', loc, out);
  for (let i = 0; i < span.events.length; i++) checkKeys(span.events[i]?.attributes ?? [], `events[${i}] attributes`, loc, out);
  for (let i = 0; i < span.links.length; i++) {
    const l = span.links[i];
    if (!l) continue;
    checkId(l.traceId, 16, `links[${i}].traceId`, loc, out);
    checkId(l.spanId, 8, `links[${i}].spanId`, loc, out);
    checkKeys(l.attributes, `links[${i}] attributes`, loc, out);
  }
  checkCovalSpan(span, loc, o, out);
}

/**
 * Checks one decoded request against every request-stage rule of OTLP_RULES: OTLP span
 * invariants and the Coval span schema (otlp-coval.md §5.1). Tree rules that need every batch of a
 * call (parents, root, duplicates across retries) live in {@link finalizeSimulation}.
 */
export function validateRequest(request: OtlpRequest, options: OtlpValidateOptions = {}): Finding[] {
  const o = resolveValidateOptions(options);
  const out: Finding[] = [];
  const seen = new Set<string>();
  request.resourceSpans.forEach((rs, ri) => {
    const rloc: FindingLocation = { resource: ri };
    if (rs.scopeSpans.length === 0) out.push(finding('OTLP-REQUEST-EMPTY', `resourceSpans[${ri}] has no scopeSpans`, rloc));
    const service = text(attr(rs.resource, 'service.name'));
    if (!service) out.push(finding('OTLP-RESOURCE-SERVICE-NAME', `resourceSpans[${ri}] resource has no non-empty service.name`, { ...rloc, attribute: 'service.name' }));
    checkKeys(rs.resource.attributes, 'resource attributes', rloc, out);
    hygieneList(rs.resource.attributes, rloc, o, out);
    rs.scopeSpans.forEach((ss, si) => {
      const sloc: FindingLocation = { resource: ri, scope: si };
      if (ss.spans.length === 0) out.push(finding('OTLP-REQUEST-EMPTY', `resourceSpans[${ri}].scopeSpans[${si}] has no spans`, sloc));
      checkKeys(ss.scope.attributes, 'scope attributes', sloc, out);
      for (let pi = 0; pi < ss.spans.length; pi++) {
        const span = ss.spans[pi] as OtlpSpan;
        checkSpan(span, { resource: ri, scope: si, span: pi, spanId: span.spanId, spanName: span.name }, o, seen, out);
      }
    });
  });
  return out;
}
