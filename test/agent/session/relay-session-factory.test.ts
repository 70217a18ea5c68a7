import { describe, expect, it } from 'vitest';
import { createScriptedLlmClient, spoken } from '../../../agent/llm/scripted-llm-client.ts';
import { createRecordingLogger } from '../../../agent/platform/logger.ts';
import { ManualClock } from '../../../agent/platform/manual-clock.ts';
import { createRelaySessionFactory } from '../../../agent/session/relay-session-factory.ts';
import { createReferenceToolRegistry } from '../../../agent/tools/reference-tools.ts';
import { CALL_SID, frames } from './session-harness.ts';

describe('createRelaySessionFactory', () => {
  it('gives each socket its own session that sends JSON text and logs through the socket logger', async () => {
    const clock = new ManualClock();
    const factory = createRelaySessionFactory({
      clock,
      llm: createScriptedLlmClient([spoken('Hi.'), spoken('Hello.')]),
      tools: createReferenceToolRegistry(),
      claim: async () => ({ status: 'none', purgedExpired: 0 }),
      systemPrompt: 'x',
      maxToolIterations: 2,
    });
    const outA: string[] = [];
    const outB: string[] = [];
    const logger = createRecordingLogger();
    const a = factory({ send: (f) => outA.push(f), logger });
    const b = factory({ send: (f) => outB.push(f), logger: createRecordingLogger() });
    a.handleRaw(Buffer.from(frames.setup()), false);
    a.handleRaw(Buffer.from(frames.prompt('hi')), false);
    await clock.advanceAsync(0);
    const log = await a.close();
    expect(outA).toEqual(['{"type":"text","token":"Hi.","last":false}', '{"type":"text","token":"","last":true}']);
    expect(outB).toEqual([]);
    expect(log.callSid).toBe(CALL_SID);
    expect(logger.lines.some((l) => l.fields.callSid === CALL_SID)).toBe(true);
    await expect(b.close()).resolves.toMatchObject({ callSid: '' });
  });
});
