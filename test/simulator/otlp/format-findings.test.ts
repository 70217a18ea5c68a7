import { describe, expect, it } from 'vitest';
import { formatFinding, formatFindings } from '../../../simulator/otlp/format-findings.ts';
import { finding } from '../../../simulator/otlp/rules.ts';

describe('formatFindings', () => {
  it('prints severity, rule id, location and message on one line', () => {
    const f = finding('OTLP-SPAN-TIME-ORDER', 'span ends 5 ms before it starts', { resource: 0, scope: 1, span: 2, spanId: 'abc', spanName: 'tts' });
    expect(formatFinding(f)).toBe("error OTLP-SPAN-TIME-ORDER  resourceSpans[0].scopeSpans[1].spans[2], span 'tts' abc: span ends 5 ms before it starts");
  });

  it('lists errors first and caps lines per rule', () => {
    const many = Array.from({ length: 5 }, (_, i) => finding('OTLP-SPAN-KIND', `k${i}`));
    const lines = formatFindings([...many, finding('OTLP-ID-HEX', 'bad', { path: 'x.traceId' })], 2);
    expect(lines).toEqual(['error OTLP-ID-HEX  x.traceId: bad', 'warn  OTLP-SPAN-KIND: k0', 'warn  OTLP-SPAN-KIND: k1', '      OTLP-SPAN-KIND: 3 more not shown']);
  });
});
