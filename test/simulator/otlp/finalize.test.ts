import { describe, expect, it } from 'vitest';
import { finalizeSimulation, validateBatches } from '../../../simulator/otlp/finalize.ts';
import { covalCall, covalCallSpans, IDS, request } from '../../support/otlp-fixtures.ts';

describe('finalizeSimulation', () => {
  it('assembles one call sent one span per POST without findings', () => {
    const batches = covalCallSpans().map((s) => request([s]));
    expect(finalizeSimulation(batches)).toEqual([]);
    expect(validateBatches(batches)).toEqual([]);
  });

  it('flags every span of a re-sent batch, pointing at the second copy', () => {
    const findings = finalizeSimulation([covalCall(), covalCall()]);
    expect(findings).toHaveLength(covalCallSpans().length);
    expect(findings.every((f) => f.rule === 'OTLP-SPAN-RESENT' && f.location.batch === 1)).toBe(true);
    expect(findings[0]?.message).toContain('the same span was sent again');
  });

  it('tells a different span reusing an id apart from a retry', () => {
    const spans = covalCallSpans();
    const impostor = { ...(spans[6] as (typeof spans)[number]), name: 'turn' };
    const [f] = finalizeSimulation([request(spans), request([impostor])]);
    expect(f?.message).toContain('a different span reuses this id');
  });

  it('reports a missing root once, not per span', () => {
    const noRoot = covalCallSpans().slice(1);
    const rules = finalizeSimulation([request(noRoot)]).map((f) => f.rule);
    expect(rules.filter((r) => r === 'SPAN-ROOT-CONVERSATION')).toHaveLength(1);
    expect(rules.filter((r) => r === 'OTLP-PARENT-RESOLVES')).toHaveLength(5);
  });

  it('tags request-stage findings with their batch index in validateBatches', () => {
    const spans = covalCallSpans().map((s) => (s.spanId === IDS.tts ? { ...s, kind: 0 } : s));
    const [f] = validateBatches([request(spans.slice(0, 3)), request(spans.slice(3))]);
    expect(f).toMatchObject({ rule: 'OTLP-SPAN-KIND', location: { batch: 1, span: 3, spanId: IDS.tts } });
  });
});
