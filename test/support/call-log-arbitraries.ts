import fc from 'fast-check';
import type { AssistantTurn, CallEvent, CallLog, ToolTurn, UserTurn } from '../../agent/session/call-log.ts';

const EPOCH_MIN = 1_700_000_000_000;
const EPOCH_MAX = 1_900_000_000_000;

/** Offsets from call start in integer ms; a little below zero so clamping is exercised. */
const offset = fc.integer({ min: -2_000, max: 120_000 });

function user(start: number): fc.Arbitrary<UserTurn> {
  return fc.record(
    {
      kind: fc.constant('user' as const),
      source: fc.constantFrom('speech' as const, 'dtmf' as const),
      text: fc.string({ maxLength: 60 }),
      receivedAtMs: offset.map((o) => start + o),
      lang: fc.constantFrom('en-US', 'fr-FR'),
    },
    { requiredKeys: ['kind', 'source', 'text', 'receivedAtMs'] },
  );
}

function assistant(start: number): fc.Arbitrary<AssistantTurn> {
  return fc
    .record({
      requested: offset,
      // Mostly realistic delays, some negative ones (a clock bug) that must still give ttfb >= 0.
      firstTokenDelay: fc.option(fc.integer({ min: -50, max: 5_000 }), { nil: undefined }),
      firstDeltaDelay: fc.option(fc.integer({ min: -50, max: 5_000 }), { nil: undefined }),
      duration: fc.integer({ min: -200, max: 15_000 }),
      text: fc.string({ maxLength: 40 }),
      finishReason: fc.option(fc.constantFrom('stop', 'tool_calls', 'length', 'content_filter'), { nil: undefined }),
      usage: fc.option(fc.record({ inputTokens: fc.nat(100_000), outputTokens: fc.nat(10_000) }), { nil: undefined }),
      interrupted: fc.boolean(),
      error: fc.option(fc.string({ maxLength: 30 }), { nil: undefined, freq: 4 }),
    })
    .map((g) => ({
      kind: 'assistant' as const,
      requestedAtMs: start + g.requested,
      ...(g.firstTokenDelay === undefined ? {} : { firstTokenSentAtMs: start + g.requested + g.firstTokenDelay }),
      ...(g.firstDeltaDelay === undefined ? {} : { firstDeltaAtMs: start + g.requested + g.firstDeltaDelay }),
      endedAtMs: start + g.requested + g.duration,
      text: g.firstTokenDelay === undefined ? '' : g.text,
      ...(g.finishReason === undefined ? {} : { finishReason: g.finishReason }),
      ...(g.usage === undefined ? {} : { usage: g.usage }),
      interrupted: g.interrupted,
      ...(g.error === undefined ? {} : { error: g.error }),
    }));
}

function tool(start: number): fc.Arbitrary<ToolTurn> {
  return fc
    .record({
      callId: fc.string({ minLength: 1, maxLength: 12 }),
      name: fc.constantFrom('get_weather', 'book_table', 'lookup_order'),
      arguments: fc.json({ maxDepth: 1 }),
      started: offset,
      duration: fc.integer({ min: -100, max: 5_000 }),
      result: fc.string({ maxLength: 800, unit: 'grapheme' }),
      error: fc.option(fc.string({ maxLength: 30 }), { nil: undefined, freq: 3 }),
    })
    .map((g) => ({
      kind: 'tool' as const,
      callId: g.callId,
      name: g.name,
      arguments: g.arguments,
      startedAtMs: start + g.started,
      endedAtMs: start + g.started + g.duration,
      result: g.result,
      ...(g.error === undefined ? {} : { error: g.error }),
    }));
}

/** Finished calls with integer-ms times: user, assistant (incl. interrupted, failed) and tool turns (incl. failing). */
export const callLogArbitrary: fc.Arbitrary<CallLog> = fc
  .record({ start: fc.integer({ min: EPOCH_MIN, max: EPOCH_MAX }), duration: fc.integer({ min: -10, max: 130_000 }) })
  .chain(({ start, duration }) =>
    fc.record({
      callSid: fc.constant(`CA${start}`),
      simulationOutputId: fc.constant('sim-prop'),
      startedAtMs: fc.constant(start),
      endedAtMs: fc.constant(start + duration),
      events: fc.array(fc.oneof<fc.Arbitrary<CallEvent>[]>(user(start), assistant(start), tool(start)), { maxLength: 14 }),
    }),
  );
