import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../../simulator/core/random.ts';
import { createOpenAiIds } from '../../../simulator/openai/openai-ids.ts';

describe('createOpenAiIds', () => {
  it('draws ids in OpenAI formats', () => {
    const ids = createOpenAiIds(createSeededRandom(1));
    expect(ids.chatCompletion()).toMatch(/^chatcmpl-[A-Za-z0-9]{29}$/);
    expect(ids.toolCall()).toMatch(/^call_[A-Za-z0-9]{24}$/);
    expect(ids.response()).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(ids.messageItem()).toMatch(/^msg_[0-9a-f]{48}$/);
    expect(ids.functionCallItem()).toMatch(/^fc_[0-9a-f]{48}$/);
    expect(ids.request()).toMatch(/^req_[0-9a-f]{32}$/);
    expect(ids.systemFingerprint()).toMatch(/^fp_[0-9a-f]{10}$/);
  });

  it('repeats exactly for the same seed and differs for another', () => {
    const draw = (seed: number) => {
      const ids = createOpenAiIds(createSeededRandom(seed));
      return [ids.chatCompletion(), ids.toolCall(), ids.response()];
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(6)).not.toEqual(draw(5));
  });
});
