import type { LlmClient } from '../../../agent/llm/llm-client.ts';
import { createScriptedLlmClient, type ScriptedLlmClient, type ScriptedResponse } from '../../../agent/llm/scripted-llm-client.ts';
import { createRecordingLogger, type RecordedLogLine } from '../../../agent/platform/logger.ts';
import { ManualClock } from '../../../agent/platform/manual-clock.ts';
import type { ClaimResult } from '../../../agent/registry/simulation-registry.ts';
import { encodeOutbound, type OutboundFrame } from '../../../agent/relay/outbound-frames.ts';
import { createRelaySession, type RelaySession, type RelaySessionDeps } from '../../../agent/session/relay-session.ts';
import { createReferenceToolRegistry } from '../../../agent/tools/reference-tools.ts';
import { outboundViolation } from '../relay/outbound-spec.ts';

export const CALL_SID = 'CA00000000000000000000000000000001';
export const CALLER = '+15555550100';
export const SYSTEM_PROMPT = 'You are a test clinic assistant.';

/** A resolvable promise, for pausing a scripted stream at an exact point. */
export function barrier(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Lets promise continuations run (no timers fire). */
export async function flush(clock: ManualClock): Promise<void> {
  await clock.advanceAsync(0);
}

export const frames = {
  setup: (overrides: Record<string, unknown> = {}) =>
    JSON.stringify({
      type: 'setup',
      sessionId: 'VX00000000000000000000000000000001',
      accountSid: 'AC00000000000000000000000000000001',
      parentCallSid: '',
      callSid: CALL_SID,
      from: CALLER,
      to: '+15555550199',
      forwardedFrom: '',
      callType: 'PSTN',
      callerName: '',
      direction: 'inbound',
      callStatus: 'RINGING',
      customParameters: {},
      ...overrides,
    }),
  prompt: (voicePrompt: string, last = true) => JSON.stringify({ type: 'prompt', voicePrompt, lang: 'en-US', last }),
  dtmf: (digit: string) => JSON.stringify({ type: 'dtmf', digit }),
  interrupt: (utteranceUntilInterrupt: string, durationUntilInterruptMs: number | string = 500) =>
    JSON.stringify({ type: 'interrupt', utteranceUntilInterrupt, durationUntilInterruptMs }),
};

/** Options for {@link createHarness}. */
export interface HarnessOptions {
  readonly responses?: readonly ScriptedResponse[];
  readonly llm?: LlmClient;
  readonly claim?: (query: { readonly from?: string }) => Promise<ClaimResult>;
  readonly send?: (frame: OutboundFrame) => void;
  readonly maxToolIterations?: number;
  readonly overrides?: Partial<RelaySessionDeps>;
}

/** A session wired to a manual clock, a scripted LLM, the reference tools and recorders. */
export interface Harness {
  readonly session: RelaySession;
  readonly clock: ManualClock;
  readonly llm: ScriptedLlmClient;
  readonly sent: OutboundFrame[];
  readonly logs: RecordedLogLine[];
  readonly claims: Array<{ readonly from?: string }>;
  readonly ends: string[];
  /** Feeds a text frame. */
  feed(raw: string): void;
  /** Tokens of every text frame sent, in order. */
  tokens(): string[];
  /** How many `last:true` frames were sent. */
  lastCount(): number;
}

/** Builds a {@link Harness}; every frame sent is checked against the protocol as it goes out. */
export function createHarness(options: HarnessOptions = {}): Harness {
  const clock = new ManualClock();
  const llm = createScriptedLlmClient(options.responses ?? [], { clock });
  const logger = createRecordingLogger();
  const sent: OutboundFrame[] = [];
  const claims: Array<{ readonly from?: string }> = [];
  const ends: string[] = [];
  const session = createRelaySession({
    clock,
    logger,
    llm: options.llm ?? llm,
    tools: createReferenceToolRegistry(),
    claim:
      options.claim ??
      (async (query) => {
        claims.push(query);
        return { status: 'claimed', simulationOutputId: 'sim-1', matchedBy: 'caller-id', ageMs: 10, purgedExpired: 0 };
      }),
    send: (frame) => {
      const violation = outboundViolation(encodeOutbound(frame));
      if (violation !== undefined) throw new Error(`session sent an invalid frame (${violation}): ${encodeOutbound(frame)}`);
      options.send?.(frame);
      sent.push(frame);
    },
    systemPrompt: SYSTEM_PROMPT,
    maxToolIterations: options.maxToolIterations ?? 3,
    onEnd: (handoffData) => ends.push(handoffData),
    ...options.overrides,
  });
  return {
    session,
    clock,
    llm,
    sent,
    logs: logger.lines,
    claims,
    ends,
    feed: (raw) => session.handleRaw(raw, false),
    tokens: () => sent.flatMap((f) => (f.type === 'text' ? [f.token] : [])),
    lastCount: () => sent.filter((f) => f.type === 'text' && f.last).length,
  };
}
