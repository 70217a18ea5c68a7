import { describe, expect, it } from 'vitest';
import { validateRequest } from '../../../simulator/otlp/validate.ts';
import { covalCall, dbl, IDS, setAttr, str, withSpan } from '../../support/otlp-fixtures.ts';

describe('validateRequest', () => {
  it('finds nothing in a complete, clean Coval call', () => {
    expect(validateRequest(covalCall())).toEqual([]);
  });

  it('locates span findings by resource, scope, span index, span id, name and attribute', () => {
    const findings = validateRequest(withSpan('stt', (s) => setAttr(s, 'stt.confidence', dbl(-0.5))));
    expect(findings).toEqual([
      {
        severity: 'error',
        rule: 'SPAN-STT-CONFIDENCE',
        message: expect.stringContaining('[0, 1]') as unknown as string,
        location: { resource: 0, scope: 0, span: 1, spanId: IDS.stt, spanName: 'stt', attribute: 'stt.confidence' },
      },
    ]);
  });

  it('honours the tolerance and ttfb limit options', () => {
    const slowLlm = withSpan('llm', (s) => setAttr(s, 'metrics.ttfb', dbl(0.7)));
    expect(validateRequest(slowLlm).map((f) => f.rule)).toEqual(['SPAN-LLM-TTFB-DURATION']);
    expect(validateRequest(slowLlm, { toleranceMs: 150 })).toEqual([]);
    const ms = withSpan('tts', (s) => setAttr(s, 'metrics.ttfb', dbl(12)));
    expect(validateRequest(ms, { ttfbMaxSeconds: 10 }).map((f) => f.rule)).toEqual(['SPAN-TTFB-UNITS']);
  });

  it('flags credentials in resource attributes too', () => {
    const req = covalCall();
    const rs = req.resourceSpans[0];
    if (!rs) throw new Error('fixture');
    const leaky = { resourceSpans: [{ ...rs, resource: { ...rs.resource, attributes: [...rs.resource.attributes, { key: 'openai.api_key', value: str('sk-abc') }] } }] };
    expect(validateRequest(leaky).map((f) => [f.rule, f.location.attribute])).toEqual([['SPAN-ATTR-SECRET', 'openai.api_key']]);
  });
});
