import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LlmDelta } from '../../agent/llm/llm-client.ts';
import { callsTool, createScriptedLlmClient, spoken, type ScriptStep } from '../../agent/llm/scripted-llm-client.ts';
import { createRecordingLogger } from '../../agent/platform/logger.ts';
import { ManualClock } from '../../agent/platform/manual-clock.ts';
import type { ClaimResult } from '../../agent/registry/simulation-registry.ts';
import { encodeOutbound, type OutboundFrame } from '../../agent/relay/outbound-frames.ts';
import { createRelaySession } from '../../agent/session/relay-session.ts';
import { createReferenceToolRegistry } from '../../agent/tools/reference-tools.ts';
import { outboundViolation } from '../agent/relay/outbound-spec.ts';
import { fcOptions } from '../support/fc-config.ts';

/*
 * Whatever arrives on the socket, in whatever order, and whatever the LLM streams back: the
 * session never throws, close() always resolves, every frame it sends is one Twilio accepts,
 * nothing follows `end`, and no caller turn gets more than one `last:true`.
 */

const MAX_FRAME_BYTES = 4096;
const HUGE = 'x'.repeat(MAX_FRAME_BYTES + 10);
const TYPES = ['setup', 'prompt', 'dtmf', 'interrupt', 'error', 'info', 'connected', 'text', 'end', ''] as const;

const anyValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

const wellFormed = fc.oneof(
  fc.record({ type: fc.constant('setup'), callSid: fc.constantFrom('CA1', 'CA2'), from: fc.constantFrom('+15555550100', '', 'client:bob'), callStatus: fc.constantFrom('RINGING', 'ringing') }),
  fc.record({ type: fc.constant('prompt'), voicePrompt: fc.oneof(fc.string({ maxLength: 30 }), fc.constant('')), last: fc.boolean(), lang: fc.constant('en-US') }),
  fc.record({ type: fc.constant('dtmf'), digit: fc.constantFrom('1', '#', '*', '0') }),
  fc.record({ type: fc.constant('interrupt'), utteranceUntilInterrupt: fc.string({ maxLength: 30 }), durationUntilInterruptMs: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constant('460'), fc.constant('soon')) }),
  fc.record({ type: fc.constant('error'), description: fc.string({ maxLength: 30 }) }),
  fc.record({ type: fc.constant('info'), name: fc.constantFrom('agentSpeaking', 'tokensPlayed'), value: anyValue }),
);

/** One thing that happens to the session. */
type Action =
  | { readonly kind: 'text'; readonly raw: string }
  | { readonly kind: 'bytes'; readonly raw: Uint8Array; readonly isBinary: boolean }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'flush' };

const finalPrompt = fc.string({ minLength: 1, maxLength: 20 }).map((voicePrompt): Action => ({ kind: 'text', raw: JSON.stringify({ type: 'prompt', voicePrompt: `${voicePrompt}?`, last: true }) }));

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: finalPrompt },
  { weight: 6, arbitrary: wellFormed.map((frame): Action => ({ kind: 'text', raw: JSON.stringify(frame) })) },
  {
    weight: 3,
    arbitrary: fc
      .record({ type: fc.constantFrom(...TYPES), extra: fc.dictionary(fc.constantFrom('callSid', 'voicePrompt', 'last', 'digit', 'utteranceUntilInterrupt', 'customParameters', 'description', 'name', 'x'), anyValue, { maxKeys: 4 }) })
      .map(({ type, extra }): Action => ({ kind: 'text', raw: JSON.stringify({ ...extra, type }) })),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((value): Action => ({ kind: 'text', raw: JSON.stringify(value) ?? 'null' })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((raw): Action => ({ kind: 'text', raw })) },
  { weight: 1, arbitrary: fc.constantFrom<Action>({ kind: 'text', raw: JSON.stringify({ type: 'prompt', voicePrompt: HUGE, last: true }) }, { kind: 'text', raw: HUGE }) },
  { weight: 1, arbitrary: fc.record({ raw: fc.uint8Array({ maxLength: 40 }), isBinary: fc.boolean() }).map(({ raw, isBinary }): Action => ({ kind: 'bytes', raw, isBinary })) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 20_000 }).map((ms): Action => ({ kind: 'advance', ms })) },
  { weight: 6, arbitrary: fc.constant<Action>({ kind: 'flush' }) },
);

const toolNames = fc.constantFrom('lookup_appointment', 'get_lab_results', 'end_call', 'reschedule_appointment', 'nope', '');
const deltaArb: fc.Arbitrary<ScriptStep> = fc.oneof(
  { weight: 5, arbitrary: fc.string({ maxLength: 12 }).map((text): LlmDelta => ({ type: 'content', text })) },
  {
    weight: 3,
    arbitrary: fc
      .record({ index: fc.integer({ min: 0, max: 3 }), id: fc.option(fc.constantFrom('c1', 'c2'), { nil: undefined }), name: fc.option(toolNames, { nil: undefined }), arguments: fc.option(fc.constantFrom('{}', '{"reason":"bye"}', '{"rea', 'son":"x"}', 'null'), { nil: undefined }) })
      .map((fragment): LlmDelta => ({ type: 'tool-call', ...fragment })),
  },
  { weight: 2, arbitrary: fc.constantFrom('stop', 'tool_calls', 'length').map((reason): LlmDelta => ({ type: 'finish', reason })) },
  { weight: 1, arbitrary: fc.record({ inputTokens: fc.nat(99), outputTokens: fc.nat(99) }).map((u): LlmDelta => ({ type: 'usage', ...u })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 30_000 }).map((ms): ScriptStep => ({ type: 'sleep', ms })) },
  { weight: 1, arbitrary: fc.constant<ScriptStep>({ type: 'throw', error: new Error('broken stream') }) },
);

const SETUP: Action = { kind: 'text', raw: JSON.stringify({ type: 'setup', callSid: 'CA0', from: '+15555550100', customParameters: {} }) };

/** A completion: random deltas, or one shaped like a real answer, tool round or goodbye. */
const responseArb: fc.Arbitrary<ScriptStep[]> = fc.oneof(
  { weight: 3, arbitrary: fc.array(deltaArb, { minLength: 1, maxLength: 8 }) },
  { weight: 2, arbitrary: fc.array(fc.string({ maxLength: 8 }), { minLength: 1, maxLength: 4 }).map((pieces) => spoken(...pieces)) },
  { weight: 2, arbitrary: toolNames.map((name) => callsTool('call_x', name, '{}')) },
  { weight: 2, arbitrary: fc.string({ maxLength: 10 }).map((bye): ScriptStep[] => [{ type: 'content', text: bye }, ...callsTool('call_end', 'end_call', '{"reason":"done"}')]) },
);

/** Lets promise chains settle; never waits on a timer. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

describe('relay session fuzz', () => {
  it('survives any frames and any LLM stream, sends only valid frames and always closes', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Most runs start like a real call, so the later frames reach the LLM loop.
        fc.boolean().chain((junkFirst) => fc.array(actionArb, { minLength: 3, maxLength: 30, size: 'medium' }).map((rest) => (junkFirst ? rest : [SETUP, ...rest]))),
        fc.array(responseArb, { minLength: 1, maxLength: 6, size: 'medium' }),
        fc.integer({ min: 0, max: 3 }),
        async (actions, responses, maxToolIterations) => {
          const clock = new ManualClock();
          const sent: string[] = [];
          let closed = false;
          const claim = async (): Promise<ClaimResult> => ({ status: 'claimed', simulationOutputId: 'sim-f', matchedBy: 'fifo', ageMs: 0, purgedExpired: 0 });
          const session = createRelaySession({
            clock,
            logger: createRecordingLogger(),
            llm: createScriptedLlmClient(responses, { clock }),
            tools: createReferenceToolRegistry(),
            claim,
            send: (frame: OutboundFrame) => {
              expect(closed, 'a frame was sent after close()').toBe(false);
              sent.push(encodeOutbound(frame));
            },
            systemPrompt: 'fuzz',
            maxToolIterations,
            maxFrameBytes: MAX_FRAME_BYTES,
            llmIdleTimeoutMs: 10_000,
          });

          for (const action of actions) {
            switch (action.kind) {
              case 'text':
                expect(() => session.handleRaw(action.raw, false)).not.toThrow();
                break;
              case 'bytes':
                expect(() => session.handleRaw(Buffer.from(action.raw), action.isBinary)).not.toThrow();
                break;
              case 'advance':
                await clock.advanceAsync(action.ms);
                break;
              case 'flush':
                await turns(1);
                break;
            }
          }

          const closing = session.close('fuzz done');
          closed = true;
          let settled = false;
          const log = await Promise.race([
            closing.then((value) => {
              settled = true;
              return value;
            }),
            turns(500).then(() => undefined),
          ]);
          expect(settled, 'close() did not resolve').toBe(true);
          expect(session.state).toBe('closed');

          for (const raw of sent) expect(outboundViolation(raw), raw).toBeUndefined();
          const types = sent.map((raw) => (JSON.parse(raw) as { type: string }).type);
          const endAt = types.indexOf('end');
          if (endAt >= 0) expect(endAt, 'frames followed end').toBe(types.length - 1);
          const lasts = sent.filter((raw) => (JSON.parse(raw) as { last?: boolean }).last === true).length;
          const userTurns = log?.events.filter((e) => e.kind === 'user').length ?? 0;
          expect(lasts).toBeLessThanOrEqual(userTurns);

          for (const event of log?.events ?? []) {
            if (event.kind !== 'assistant') continue;
            expect(event.endedAtMs).toBeGreaterThanOrEqual(event.requestedAtMs);
            if (event.firstTokenSentAtMs !== undefined) {
              expect(event.firstTokenSentAtMs).toBeGreaterThanOrEqual(event.requestedAtMs);
              expect(event.firstTokenSentAtMs).toBeLessThanOrEqual(event.endedAtMs);
            }
          }
        },
      ),
      fcOptions({ numRuns: 200 }, 'session fuzz'),
    );
  });
});
