import { describe, expect, it } from 'vitest';
import type { LlmDelta } from '../../../agent/llm/llm-client.ts';
import { callsTool, createScriptedLlmClient, spoken } from '../../../agent/llm/scripted-llm-client.ts';
import { ManualClock } from '../../../agent/platform/manual-clock.ts';

async function collect(iterable: AsyncIterable<LlmDelta>): Promise<LlmDelta[]> {
  const out: LlmDelta[] = [];
  for await (const delta of iterable) out.push(delta);
  return out;
}

const request = (signal = new AbortController().signal) => ({ messages: [{ role: 'user' as const, content: 'hi' }], tools: [], signal });

describe('createScriptedLlmClient', () => {
  it('plays responses in order, records requests, and fails when it runs out', async () => {
    const llm = createScriptedLlmClient([spoken('a', 'b'), callsTool('c1', 'end_call', '{"reason":"x"}')]);
    expect(await collect(llm.streamChat(request()))).toEqual([
      { type: 'content', text: 'a' },
      { type: 'content', text: 'b' },
      { type: 'finish', reason: 'stop' },
    ]);
    expect(await collect(llm.streamChat(request()))).toEqual([
      { type: 'tool-call', index: 0, id: 'c1', name: 'end_call', arguments: '{"reaso' },
      { type: 'tool-call', index: 0, arguments: 'n":"x"}' },
      { type: 'finish', reason: 'tool_calls' },
    ]);
    expect(llm.requests).toHaveLength(2);
    expect(llm.remaining).toBe(0);
    await expect(collect(llm.streamChat(request()))).rejects.toThrow(/no response left for request 3/);
  });

  it('sleeps on the injected clock and stops waiting when aborted', async () => {
    const clock = new ManualClock();
    const llm = createScriptedLlmClient([[{ type: 'sleep', ms: 100 }, { type: 'content', text: 'late' }], [{ type: 'wait', until: new Promise(() => undefined) }]], { clock });
    const first = collect(llm.streamChat(request()));
    await clock.advanceAsync(100);
    await expect(first).resolves.toEqual([{ type: 'content', text: 'late' }]);
    const controller = new AbortController();
    const second = collect(llm.streamChat(request(controller.signal)));
    controller.abort('interrupt');
    await expect(second).rejects.toThrow(/aborted: interrupt/);
  });

  it('can build a response from the request', async () => {
    const llm = createScriptedLlmClient([(req) => spoken(`you said ${req.messages.length} thing`)]);
    expect((await collect(llm.streamChat(request())))[0]).toEqual({ type: 'content', text: 'you said 1 thing' });
  });
});
