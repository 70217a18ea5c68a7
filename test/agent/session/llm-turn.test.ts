import { describe, expect, it } from 'vitest';
import { createScriptedLlmClient, type ScriptedResponse } from '../../../agent/llm/scripted-llm-client.ts';
import { ToolCallAccumulator } from '../../../agent/llm/tool-call-accumulator.ts';
import { createRecordingLogger } from '../../../agent/platform/logger.ts';
import { ManualClock } from '../../../agent/platform/manual-clock.ts';
import type { ToolRegistry } from '../../../agent/tools/tool-registry.ts';
import { ConversationRecord, type TurnDraft } from '../../../agent/session/conversation-record.ts';
import { type LlmTurnContext, runTools, streamTurn, type TurnCycle } from '../../../agent/session/llm-turn.ts';

interface TestCycle extends TurnCycle {
  cancelled: boolean;
}

const tools: ToolRegistry = {
  definitions: [],
  run: async (name, args) => (name === 'echo' ? { result: args } : { error: `unknown tool '${name}'` }),
};

function setup(responses: readonly ScriptedResponse[], speakLimit = Infinity) {
  const clock = new ManualClock();
  const record = new ConversationRecord('p');
  const spoken: string[] = [];
  const ctx: LlmTurnContext<TestCycle> = {
    clock,
    llm: createScriptedLlmClient(responses, { clock }),
    tools,
    record,
    idleTimeoutMs: 1_000,
    log: createRecordingLogger(),
    speak: (cycle, turn, token) => {
      if (spoken.length >= speakLimit) {
        cycle.cancelled = true;
        return false;
      }
      spoken.push(token);
      turn.sent += token;
      return true;
    },
  };
  const cycle: TestCycle = { id: 1, controller: new AbortController(), cancelled: false };
  return { clock, record, spoken, ctx, cycle };
}

describe('streamTurn', () => {
  it('speaks each token as it comes and records the finish, usage and tool calls', async () => {
    const { ctx, cycle, record, spoken } = setup([
      [
        { type: 'content', text: 'Let me ' },
        { type: 'content', text: 'check.' },
        { type: 'tool-call', index: 0, id: 'c1', name: 'echo', arguments: '{}' },
        { type: 'finish', reason: 'tool_calls' },
        { type: 'usage', inputTokens: 7, outputTokens: 3 },
      ],
    ]);
    const turn = record.startTurn(0);
    const calls = new ToolCallAccumulator();
    expect(await streamTurn(ctx, cycle, turn, calls)).toBeUndefined();
    expect(spoken).toEqual(['Let me ', 'check.']);
    expect(turn).toMatchObject({ finishReason: 'tool_calls', usage: { inputTokens: 7, outputTokens: 3 } });
    expect(calls.calls(() => 'x')).toEqual([{ id: 'c1', name: 'echo', arguments: '{}' }]);
  });

  it('returns the failure of a broken stream, and nothing once speaking failed', async () => {
    const broken = setup([[{ type: 'content', text: 'Hi' }, { type: 'throw', error: new Error('boom') }]]);
    expect(await streamTurn(broken.ctx, broken.cycle, broken.record.startTurn(0), new ToolCallAccumulator())).toBe('Error: boom');
    const mute = setup([[{ type: 'content', text: 'Hi' }, { type: 'throw', error: new Error('boom') }]], 0);
    expect(await streamTurn(mute.ctx, mute.cycle, mute.record.startTurn(0), new ToolCallAccumulator())).toBeUndefined();
    expect(mute.spoken).toEqual([]);
  });

  it('fails a stream that stays quiet for the idle timeout', async () => {
    const { ctx, cycle, record, clock } = setup([[{ type: 'wait', until: new Promise(() => undefined) }]]);
    const result = streamTurn(ctx, cycle, record.startTurn(0), new ToolCallAccumulator());
    await clock.advanceAsync(1_000);
    expect(await result).toBe('LLM stream produced nothing for 1000 ms');
  });
});

describe('runTools', () => {
  it('logs every tool run and tells the model the calls and their results', async () => {
    const { ctx, cycle, record } = setup([]);
    const turn: TurnDraft = record.startTurn(0);
    const calls = [
      { id: 'a', name: 'echo', arguments: '{"x":1}' },
      { id: 'b', name: 'nope', arguments: '{}' },
    ];
    expect(await runTools(ctx, cycle, turn, calls)).toEqual({});
    expect(record.buildCallLog({ callSid: 'CA', startedAtMs: 0 }, 0).events.slice(1)).toMatchObject([
      { kind: 'tool', callId: 'a', result: '{"x":1}' },
      { kind: 'tool', callId: 'b', error: "unknown tool 'nope'", result: JSON.stringify({ error: "unknown tool 'nope'" }) },
    ]);
    expect(record.requestMessages().slice(1)).toEqual([
      { role: 'assistant', content: '', toolCalls: calls },
      { role: 'tool', toolCallId: 'a', content: '{"x":1}' },
      { role: 'tool', toolCallId: 'b', content: JSON.stringify({ error: "unknown tool 'nope'" }) },
    ]);
  });

  it('discards results once the cycle was cut', async () => {
    const { ctx, cycle, record } = setup([]);
    cycle.controller.abort('interrupt');
    expect(await runTools(ctx, cycle, record.startTurn(0), [{ id: 'a', name: 'echo', arguments: '{}' }])).toBeUndefined();
    expect(record.eventCount).toBe(1);
  });
});
