import { describe, expect, it } from 'vitest';
import { callTimeline } from '../../../simulator/report/call-timeline.ts';
import { anchors } from '../../../simulator/report/evidence-location.ts';
import type { CallRecord, RunRecord } from '../../../simulator/scenario/run-record.ts';
import type { RelayFrame } from '../../../simulator/twilio/relay-client.ts';
import { EPOCH_OFFSET_MS, fixtureRecord } from '../../support/report-record-fixtures.ts';

const base = fixtureRecord({
  scenarioId: 'barge-in-mid-answer',
  seed: 5,
  turns: [{ prompt: 'Hello?', promptAt: 2000, tokens: ['One ', 'two ', 'three ', 'four.'], firstTokenMs: 20, interTokenMs: 10, interruptAfterTokens: 2, tokensAfterInterrupt: 1 }],
  exportStatuses: [503, 200],
});

function withFrames(frames: Omit<RelayFrame, 'index'>[], extra: Partial<CallRecord['relay'] & object> = {}): { record: RunRecord; call: CallRecord } {
  const call = base.calls[0]!;
  const relay = { ...call.relay!, frames: frames.map((f, index) => ({ ...f, index })), ...extra };
  const c = { ...call, relay };
  return { record: { ...base, calls: [c] }, call: c };
}

const text = (at: number, token: string, last = false): Omit<RelayFrame, 'index'> => ({ dir: 'in', at, raw: '', parsed: { type: 'text', token, last } });

describe('callTimeline', () => {
  it('coalesces agent tokens up to last:true, and splits them at an interrupt', () => {
    const { rows } = callTimeline(base, 0, base.calls[0]!);
    const tokens = rows.filter((r) => r.lane === 'from-agent');
    expect(tokens.map((r) => [r.title, r.detail])).toEqual([
      ['text ×2', 'One two '],
      ['text ×1', 'three '],
    ]);
    const frames = base.calls[0]!.relay!.frames;
    const first = frames.filter((f) => f.dir === 'in');
    expect(tokens[0]?.anchor).toBe(anchors.frame(0, 0, first[0]!.index));
    expect(tokens[0]?.extraAnchors).toEqual([anchors.frame(0, 0, first[1]!.index)]);
    expect(rows.find((r) => r.title === 'interrupt')?.tone).toBe('warn');
  });

  it('starts a new group at a final prompt but not at a partial one', () => {
    const { record, call } = withFrames([
      text(100, 'a '),
      { dir: 'out', at: 110, raw: '', parsed: { type: 'prompt', voicePrompt: 'wa', last: false } },
      text(120, 'b '),
      { dir: 'out', at: 130, raw: '', parsed: { type: 'prompt', voicePrompt: 'wait', last: true } },
      text(140, 'c', true),
    ]);
    const rows = callTimeline(record, 0, call).rows.filter((r) => r.lane !== 'step' && r.lane !== 'llm' && r.lane !== 'export' && r.lane !== 'registration' && r.lane !== 'webhook' && r.lane !== 'session');
    expect(rows.map((r) => r.title)).toEqual(['text ×2', 'prompt (partial)', 'prompt', 'text ×1 (last)']);
  });

  it('shows frames the relay refused, unparsed frames and unsent frames with their tone', () => {
    const { record, call } = withFrames(
      [
        { dir: 'in', at: 100, raw: 'not json' },
        { dir: 'in', at: 110, raw: '{"type":"text","token":1}', parsed: { type: 'text', token: 1 } },
        { dir: 'out', at: 120, raw: '{"type":"prompt"}', parsed: { type: 'prompt', voicePrompt: 'x', last: true }, unsent: true },
      ],
      { protocolErrors: [{ frameIndex: 1, at: 110, reason: 'token must be a string', description: 'Invalid message', consecutive: 1 }] },
    );
    const rows = callTimeline(record, 0, call).rows.filter((r) => r.lane === 'from-agent' || r.lane === 'to-agent');
    expect(rows.map((r) => [r.title, r.tone])).toEqual([
      ['invalid frame', 'bad'],
      ['text', 'bad'],
      ['prompt (unsent)', 'muted'],
    ]);
    expect(rows[1]?.detail).toContain('refused: token must be a string');
  });

  it('puts wall-clock registration and export times on the run clock', () => {
    const { rows, fromMs, toMs } = callTimeline(base, 0, base.calls[0]!);
    const dial = base.calls[0]!.registration.dials[0]!;
    expect(rows.find((r) => r.lane === 'registration')?.startMs).toBe(dial.sentAtMs - EPOCH_OFFSET_MS);
    const exports = rows.filter((r) => r.lane === 'export');
    expect(exports.map((r) => [r.title, r.startMs, r.tone])).toEqual(base.coval.attempts.map((a) => [`export #${a.seq} → ${a.status} ${a.outcome}`, a.receivedAtMs - EPOCH_OFFSET_MS, a.outcome === 'accepted' ? 'normal' : 'warn']));
    expect(fromMs).toBe(Math.min(...rows.map((r) => r.startMs)));
    expect(toMs).toBe(Math.max(...rows.map((r) => r.endMs)));
    expect(rows.map((r) => r.startMs)).toEqual([...rows.map((r) => r.startMs)].sort((a, b) => a - b));
  });

  it('shows each LLM request from arrival to end with its first token marked', () => {
    const { rows } = callTimeline(base, 0, base.calls[0]!);
    const req = base.llm.requests[0]!;
    const row = rows.find((r) => r.lane === 'llm')!;
    expect([row.startMs, row.endMs]).toEqual([req.receivedAtMs, req.endedAtMs]);
    expect(row.marks).toEqual([{ atMs: req.firstTokenAtMs, label: 'first token +20 ms' }]);
    expect(row.detail).toContain('user: Hello?');
  });
});
