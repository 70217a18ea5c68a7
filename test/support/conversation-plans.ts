import fc from 'fast-check';
import type { ChatMessage, LlmToolCall } from '../../agent/llm/llm-client.ts';
import type { ScriptStep, ScriptedResponse } from '../../agent/llm/scripted-llm-client.ts';
import type { TextFrame } from '../../agent/relay/outbound-frames.ts';
import { CANNED_APPOINTMENT, LAB_RESULTS_UNAVAILABLE } from '../../agent/tools/healthcare-tools.ts';

/*
 * Generated phone conversations for the relay session, and an independent model of what the
 * session must do with them: which LLM requests it makes (with which history), which frames it
 * sends, what the CallLog holds. The model knows only the script and the documented behaviour
 * (docs/agent-session.md, decision 0121), never the session's internals.
 *
 * Every delay is at least 1 ms, so each clock step releases at most one token and an interrupt
 * can land after exactly N tokens; time moves only through the script's sleeps, so a turn's TTFB
 * is exactly its first-delta delay.
 */

/** The reference tools the plans use: one that always succeeds, one that always fails. */
export type PlannedToolName = 'lookup_appointment' | 'get_lab_results';

/** One tool call the model asks for. */
export interface PlannedToolCall {
  readonly name: PlannedToolName;
  /** Streamed in two fragments. */
  readonly arguments: string;
}

/** One LLM completion: a pause, text tokens (with pauses between them), then tool calls, finish and usage. */
export interface RoundPlan {
  /** Clock time from the request to the first delta (the first token, or the first tool-call fragment). */
  readonly firstDeltaDelayMs: number;
  readonly tokens: readonly string[];
  /** `gapsMs[i]` is the pause before `tokens[i + 1]`. */
  readonly gapsMs: readonly number[];
  /** Empty on the last round of a turn. */
  readonly tools: readonly PlannedToolCall[];
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
}

/** What the caller does to start a turn. */
export type CallerInput = { readonly kind: 'prompt'; readonly text: string } | { readonly kind: 'dtmf'; readonly digit: string };

/** A barge-in once the agent has sent `afterTokens` text tokens of the turn's reply. */
export interface InterruptPlan {
  readonly afterTokens: number;
  /** How many code points of the text sent so far the caller heard. */
  readonly heardCodePoints: number;
  readonly durationMs: number;
}

/** One caller turn and the reply the LLM is scripted to give: tool rounds, then a text round. */
export interface TurnPlan {
  readonly input: CallerInput;
  readonly rounds: readonly RoundPlan[];
  readonly interrupt?: InterruptPlan;
  /** Clock time that passes after the turn settled, before the next caller input. */
  readonly pauseAfterMs: number;
}

/** A whole call: caller turns, a pause before hang-up, and the seed for span ids. */
export interface ConversationPlan {
  readonly turns: readonly TurnPlan[];
  readonly tailMs: number;
  readonly idSeed: number;
}

const LAB_ARGS = ['{}', '{"patient_name":"Ada Lovelace"}'] as const;
const tokenArb = fc.oneof({ weight: 6, arbitrary: fc.string({ minLength: 1, maxLength: 6 }) }, { weight: 1, arbitrary: fc.constantFrom('é', 'Grüße ', '👋', ' ', '\n') });
const toolCallArb: fc.Arbitrary<PlannedToolCall> = fc.record({ name: fc.constantFrom<PlannedToolName>('lookup_appointment', 'get_lab_results'), arguments: fc.constantFrom(...LAB_ARGS) });

function roundArb(kind: 'tool' | 'final'): fc.Arbitrary<RoundPlan> {
  return fc
    .record({
      firstDeltaDelayMs: fc.integer({ min: 1, max: 1500 }),
      tokens: fc.array(tokenArb, { minLength: kind === 'final' ? 1 : 0, maxLength: 4 }),
      gaps: fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 3, maxLength: 3 }),
      tools: kind === 'final' ? fc.constant([]) : fc.array(toolCallArb, { minLength: 1, maxLength: 2 }),
      usage: fc.record({ inputTokens: fc.nat(5000), outputTokens: fc.nat(500) }),
    })
    .map(({ gaps, ...round }) => ({ ...round, gapsMs: gaps.slice(0, Math.max(0, round.tokens.length - 1)) }));
}

const inputArb: fc.Arbitrary<CallerInput> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 20 }).map((text): CallerInput => ({ kind: 'prompt', text: `${text}?` })) },
  { weight: 1, arbitrary: fc.constantFrom('0', '1', '5', '9', '*', '#').map((digit): CallerInput => ({ kind: 'dtmf', digit })) },
);

/** A caller turn whose reply has 0–2 tool rounds and a text round, maybe cut by an interrupt. */
export const turnPlanArb: fc.Arbitrary<TurnPlan> = fc
  .record({
    input: inputArb,
    toolRounds: fc.array(roundArb('tool'), { maxLength: 2 }),
    finalRound: roundArb('final'),
    pauseAfterMs: fc.integer({ min: 0, max: 3000 }),
    // Where the cut lands, in thousandths of the reply and of the text sent by then: a map, not a
    // chain, so that fast-check still shrinks the rounds of a failing plan.
    interrupt: fc.option(fc.record({ at: fc.integer({ min: 1, max: 1000 }), heard: fc.integer({ min: 0, max: 1000 }), durationMs: fc.integer({ min: 0, max: 20_000 }) }), { nil: undefined, freq: 2 }),
  })
  .map(({ input, toolRounds, finalRound, pauseAfterMs, interrupt }): TurnPlan => {
    const rounds = [...toolRounds, finalRound];
    if (interrupt === undefined) return { input, rounds, pauseAfterMs };
    const tokens = rounds.flatMap((r) => r.tokens);
    const afterTokens = Math.ceil((interrupt.at * tokens.length) / 1000);
    const sentCodePoints = Array.from(tokens.slice(0, afterTokens).join('')).length;
    const heardCodePoints = Math.floor((interrupt.heard * sentCodePoints) / 1000);
    return { input, rounds, pauseAfterMs, interrupt: { afterTokens, heardCodePoints, durationMs: interrupt.durationMs } };
  });

/** A call of 1–4 caller turns. */
export const conversationPlanArb: fc.Arbitrary<ConversationPlan> = fc.record({
  turns: fc.array(turnPlanArb, { minLength: 1, maxLength: 4 }),
  tailMs: fc.integer({ min: 0, max: 5000 }),
  idSeed: fc.integer(),
});

/** The id the script gives tool call `index` of round `round` of turn `turn`. */
export function toolCallId(turn: number, round: number, index: number): string {
  return `call_t${turn}_r${round}_${index}`;
}

/** The result message the model gets for a planned tool (the reference tools are canned). */
export function toolResultContent(name: PlannedToolName): string {
  return name === 'get_lab_results' ? JSON.stringify({ error: LAB_RESULTS_UNAVAILABLE }) : JSON.stringify(CANNED_APPOINTMENT);
}

function roundScript(turn: number, roundIndex: number, round: RoundPlan): ScriptStep[] {
  const steps: ScriptStep[] = [{ type: 'sleep', ms: round.firstDeltaDelayMs }];
  round.tokens.forEach((text, i) => {
    if (i > 0) steps.push({ type: 'sleep', ms: round.gapsMs[i - 1] ?? 1 });
    steps.push({ type: 'content', text });
  });
  round.tools.forEach((tool, index) => {
    const cut = Math.floor(tool.arguments.length / 2);
    steps.push(
      { type: 'tool-call', index, id: toolCallId(turn, roundIndex, index), name: tool.name, arguments: tool.arguments.slice(0, cut) },
      { type: 'tool-call', index, arguments: tool.arguments.slice(cut) },
    );
  });
  steps.push({ type: 'finish', reason: round.tools.length > 0 ? 'tool_calls' : 'stop' }, { type: 'usage', ...round.usage });
  return steps;
}

/** A tool call as the session reassembles it from the stream. */
export type PlannedLlmToolCall = LlmToolCall & { readonly name: PlannedToolName };

/** One LLM request the session is expected to make, and what became of it. */
export interface ExpectedRound {
  readonly plan: RoundPlan;
  readonly toolCalls: readonly PlannedLlmToolCall[];
  /** Text tokens sent before the stream ended or was cut. */
  readonly sentTokens: readonly string[];
  /** The stream ran to its end (so finish/usage arrived and its tools ran). */
  readonly completed: boolean;
  /** At least one delta arrived, so the `llm` span has a TTFB. */
  readonly gotFirstDelta: boolean;
  /** What the caller heard of this round: the CallLog text and the history after the cycle. */
  readonly heard: string;
}

/** One caller turn as the session must handle it. */
export interface ExpectedTurn {
  readonly plan: TurnPlan;
  /** The user message the LLM gets. */
  readonly userText: string;
  /** Rounds that were requested, in order. */
  readonly rounds: readonly ExpectedRound[];
  /** Every frame the session sends for this turn. */
  readonly frames: readonly TextFrame[];
  /** The `utteranceUntilInterrupt` sent, when the turn is interrupted. */
  readonly utterance?: string;
}

/** Everything the model predicts for a conversation. */
export interface ExpectedConversation {
  /** Responses for the scripted LLM, one per expected request. */
  readonly script: readonly ScriptedResponse[];
  readonly turns: readonly ExpectedTurn[];
  /** The `messages` of every LLM request, in order. */
  readonly requests: readonly (readonly ChatMessage[])[];
}

function userTextOf(input: CallerInput): string {
  return input.kind === 'prompt' ? input.text : `The caller pressed ${input.digit}`;
}

function expectTurn(turnIndex: number, plan: TurnPlan): ExpectedTurn {
  const toolCallsOf = (round: RoundPlan, r: number): PlannedLlmToolCall[] => round.tools.map((t, i) => ({ id: toolCallId(turnIndex, r, i), name: t.name, arguments: t.arguments }));
  const cut = plan.interrupt;
  if (cut === undefined) {
    const rounds = plan.rounds.map((round, r): ExpectedRound => ({
      plan: round,
      toolCalls: toolCallsOf(round, r),
      sentTokens: round.tokens,
      completed: true,
      gotFirstDelta: true,
      heard: round.tokens.join(''),
    }));
    return { plan, userText: userTextOf(plan.input), rounds, frames: [...textFrames(rounds), { type: 'text', token: '', last: true }] };
  }
  // Where the afterTokens-th token falls: round `cutRound`, and whether it ends that round.
  let before = 0;
  let cutRound = 0;
  while (before + (plan.rounds[cutRound]?.tokens.length ?? 0) < cut.afterTokens) before += plan.rounds[cutRound++]?.tokens.length ?? 0;
  const inRound = cut.afterTokens - before;
  const endsRound = inRound === plan.rounds[cutRound]?.tokens.length;
  const isLastRound = cutRound === plan.rounds.length - 1;
  // A round whose last token was the cut point still finishes and runs its tools (all without
  // clock time); the next round is then requested and waits for its first delta when the cut lands.
  const started = endsRound && !isLastRound ? cutRound + 2 : cutRound + 1;
  const sentSoFar = plan.rounds.slice(0, cutRound + 1).flatMap((round, r) => (r < cutRound ? round.tokens : round.tokens.slice(0, inRound)));
  const utterance = Array.from(sentSoFar.join('')).slice(0, cut.heardCodePoints).join('');
  let offset = 0;
  const rounds = plan.rounds.slice(0, started).map((round, r): ExpectedRound => {
    const sentTokens = r < cutRound ? round.tokens : r === cutRound ? round.tokens.slice(0, inRound) : [];
    const sent = sentTokens.join('');
    // Decision 0121: each round keeps the part of the utterance that falls within what it sent.
    const heard = utterance.slice(offset, offset + sent.length);
    offset += sent.length;
    const completed = r < cutRound || (r === cutRound && endsRound);
    return { plan: round, toolCalls: toolCallsOf(round, r), sentTokens, completed, gotFirstDelta: r <= cutRound, heard };
  });
  const closes = endsRound && isLastRound;
  return {
    plan,
    userText: userTextOf(plan.input),
    rounds,
    frames: [...textFrames(rounds), ...(closes ? [{ type: 'text', token: '', last: true } as const] : [])],
    utterance,
  };
}

function textFrames(rounds: readonly ExpectedRound[]): TextFrame[] {
  return rounds.flatMap((round) => round.sentTokens.map((token): TextFrame => ({ type: 'text', token, last: false })));
}

/** The history messages one round adds; `text` is what the assistant message says. */
function roundMessages(round: ExpectedRound, text: string): ChatMessage[] {
  if (round.completed && round.toolCalls.length > 0) {
    return [
      { role: 'assistant', content: text, toolCalls: round.toolCalls },
      ...round.toolCalls.map((call): ChatMessage => ({ role: 'tool', toolCallId: call.id, content: toolResultContent(call.name) })),
    ];
  }
  // A turn the caller heard nothing of is left out of the history.
  return text === '' ? [] : [{ role: 'assistant', content: text }];
}

/** Predicts the session's requests, frames and log for `plan` (see the file comment). */
export function expectConversation(plan: ConversationPlan, systemPrompt: string): ExpectedConversation {
  const turns = plan.turns.map((turn, i) => expectTurn(i, turn));
  const script: ScriptedResponse[] = [];
  const requests: ChatMessage[][] = [];
  const settled: ChatMessage[] = [{ role: 'system', content: systemPrompt }];
  turns.forEach((turn, i) => {
    const user: ChatMessage = { role: 'user', content: turn.userText };
    const inCycle: ChatMessage[] = [];
    turn.rounds.forEach((round, r) => {
      script.push(roundScript(i, r, round.plan));
      requests.push([...settled, user, ...inCycle]);
      // Within the cycle the model sees what was sent; truncation only comes with the interrupt.
      inCycle.push(...roundMessages(round, round.sentTokens.join('')));
    });
    settled.push(user, ...turn.rounds.flatMap((round) => roundMessages(round, round.heard)));
  });
  return { script, turns, requests };
}
