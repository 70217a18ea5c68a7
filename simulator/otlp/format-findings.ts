import type { Finding, FindingLocation } from './rules.ts';

function where(loc: FindingLocation): string {
  const parts: string[] = [];
  if (loc.batch !== undefined) parts.push(`batch ${loc.batch}`);
  if (loc.path !== undefined) parts.push(loc.path);
  else if (loc.span !== undefined) parts.push(`resourceSpans[${loc.resource ?? 0}].scopeSpans[${loc.scope ?? 0}].spans[${loc.span}]`);
  else if (loc.scope !== undefined) parts.push(`resourceSpans[${loc.resource ?? 0}].scopeSpans[${loc.scope}]`);
  else if (loc.resource !== undefined) parts.push(`resourceSpans[${loc.resource}]`);
  if (loc.spanName !== undefined || loc.spanId !== undefined) parts.push(`span '${loc.spanName ?? ''}' ${loc.spanId ?? ''}`.trimEnd());
  if (loc.attribute !== undefined) parts.push(`attribute ${loc.attribute}`);
  return parts.join(', ');
}

/** One line per finding: `error OTLP-ID-HEX  <where>: <message>`. */
export function formatFinding(f: Finding): string {
  const loc = where(f.location);
  return `${f.severity.padEnd(5)} ${f.rule}${loc ? `  ${loc}` : ''}: ${f.message}`;
}

/**
 * Findings as text lines, errors first, at most `perRule` lines per rule (a 10k-span batch with
 * one systematic mistake should not print 10k lines) followed by a count of the rest.
 */
export function formatFindings(findings: readonly Finding[], perRule = 20): string[] {
  const sorted = [...findings].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  const shown = new Map<string, number>();
  const lines: string[] = [];
  for (const f of sorted) {
    const n = (shown.get(f.rule) ?? 0) + 1;
    shown.set(f.rule, n);
    if (n <= perRule) lines.push(formatFinding(f));
  }
  for (const [rule, n] of shown) if (n > perRule) lines.push(`      ${rule}: ${n - perRule} more not shown`);
  return lines;
}
