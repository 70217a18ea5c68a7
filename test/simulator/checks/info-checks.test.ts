import { describe, expect, it } from 'vitest';
import { spanNamed } from '../../support/run-record-builder.ts';
import { recordWith, verdictOf } from './check-test-kit.ts';

describe('INFO-COVAL-METRICS', () => {
  it('lists what is not fed', () => {
    const r = recordWith((x) => {
      delete spanNamed(x, 'llm').attributes['gen_ai.usage.input_tokens'];
      delete spanNamed(x, 'stt').attributes['stt.transcription'];
    });
    expect(verdictOf('INFO-COVAL-METRICS', r).message).toBe('feeds: LLM TTFB, STT TTFB and TTS TTFB; not fed: LLM token usage, STT WER and Tool call count');
  });
});
