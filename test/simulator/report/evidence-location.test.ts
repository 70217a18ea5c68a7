import { describe, expect, it } from 'vitest';
import { anchorId, anchors, locateEvidence } from '../../../simulator/report/evidence-location.ts';
import { sampleRunReport } from '../../support/report-fixtures.ts';

const record = sampleRunReport().scenarios[1]!.record;
const spans = record.coval.batches[0]!.spans;

describe('anchorId', () => {
  it('keeps letters, digits and dashes and escapes everything else', () => {
    expect(anchorId('s1', 'c0', 'f12')).toBe('s1_c0_f12');
    expect(anchorId('s0', 'span', '"><img src=x>')).toBe('s0_span__22_3e_3cimg_20src_3dx_3e');
    expect(anchorId('a_b')).not.toBe(anchorId('a', 'b'));
  });
});

describe('locateEvidence', () => {
  it('points frames, LLM requests and chunks, attempts, batches and spans at their record path and row', () => {
    expect(locateEvidence(record, 1, { kind: 'frame', call: 0, ref: 9, summary: '' })).toEqual({ path: 'calls[0].relay.frames[9]', anchor: anchors.frame(1, 0, 9) });
    expect(locateEvidence(record, 1, { kind: 'llm-request', ref: 2, summary: '' })).toEqual({ path: 'llm.requests[1]', anchor: anchors.llm(1, 2) });
    expect(locateEvidence(record, 1, { kind: 'llm-chunk', ref: '1:3', summary: '' })).toEqual({ path: 'llm.requests[0].chunks[3]', anchor: anchors.llm(1, 1) });
    expect(locateEvidence(record, 1, { kind: 'attempt', ref: 1, summary: '' })).toEqual({ path: 'coval.attempts[0]', anchor: anchors.attempt(1, 1) });
    expect(locateEvidence(record, 1, { kind: 'batch', ref: 2, summary: '' })).toEqual({ path: 'coval.batches[0]', anchor: anchors.attempt(1, 2) });
    expect(locateEvidence(record, 1, { kind: 'span', ref: spans[3]!.spanId, summary: '' })).toEqual({ path: 'coval.batches[0].spans[3]', anchor: anchors.span(1, spans[3]!.spanId) });
  });

  it('points call-level evidence at the webhook, the registration POSTs and the steps', () => {
    expect(locateEvidence(record, 0, { kind: 'http', call: 0, summary: '' })).toEqual({ path: 'calls[0].webhook.exchange', anchor: anchors.webhook(0, 0) });
    expect(locateEvidence(record, 0, { kind: 'registration', call: 0, ref: 0, summary: '' })).toEqual({ path: 'calls[0].registration.dials[0]', anchor: anchors.dial(0, 0, 0) });
    expect(locateEvidence(record, 0, { kind: 'step', call: 0, ref: 2, summary: '' })).toEqual({ path: 'calls[0].steps[2]', anchor: anchors.step(0, 0, 2) });
  });

  it('returns nothing for notes and references that do not exist', () => {
    expect(locateEvidence(record, 0, { kind: 'note', summary: 'x' })).toBeUndefined();
    expect(locateEvidence(record, 0, { kind: 'frame', call: 0, ref: 999, summary: '' })).toBeUndefined();
    expect(locateEvidence(record, 0, { kind: 'frame', call: 7, ref: 1, summary: '' })).toBeUndefined();
    expect(locateEvidence(record, 0, { kind: 'span', ref: 'ffffffffffffffff', summary: '' })).toBeUndefined();
    expect(locateEvidence(record, 0, { kind: 'llm-request', ref: 'x', summary: '' })).toBeUndefined();
    expect(locateEvidence(record, 0, { kind: 'probe', ref: 0, summary: '' })).toBeUndefined();
  });
});
