/**
 * Read-only views of one call's relay session, as the checks need them: the frames by type, the
 * caller's final prompts, key presses and interrupts, and when the call started and ended.
 */
import type { CallRecord, RunRecord } from '../scenario/run-record.ts';
import type { RelayFrame } from '../twilio/relay-client.ts';
import type { CallerActionRecord } from '../twilio/relay-session-record.ts';

/** A frame whose JSON is an object, with its `type`. */
export interface TypedFrame {
  readonly frame: RelayFrame;
  readonly type: string;
  readonly body: Readonly<Record<string, unknown>>;
}

/** A final prompt the fake Twilio sent. */
export interface PromptSent {
  readonly frame: RelayFrame;
  readonly text: string;
  /** Sent by a `say` or `bargeIn` step (not a raw probe). */
  readonly scripted: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every frame of the call (none when it never reached the relay). */
export function framesOf(call: CallRecord): readonly RelayFrame[] {
  return call.relay?.frames ?? [];
}

/** Frames with an object body and a string `type`, one direction, sent ones only. */
export function typedFrames(call: CallRecord, dir: 'in' | 'out'): TypedFrame[] {
  const out: TypedFrame[] = [];
  for (const frame of framesOf(call)) {
    if (frame.dir !== dir || frame.unsent || !isObject(frame.parsed)) continue;
    const type = frame.parsed.type;
    if (typeof type === 'string') out.push({ frame, type, body: frame.parsed });
  }
  return out;
}

/** The agent's frames of one type. */
export function agentFrames(call: CallRecord, type: string): TypedFrame[] {
  return typedFrames(call, 'in').filter((f) => f.type === type);
}

/** The agent's `text` frames with a string token. */
export function textFrames(call: CallRecord): { frame: RelayFrame; token: string; last: boolean }[] {
  return agentFrames(call, 'text')
    .filter((f) => typeof f.body.token === 'string')
    .map((f) => ({ frame: f.frame, token: f.body.token as string, last: f.body.last === true }));
}

/** Indexes of frames sent by scripted speech (`say` / `bargeIn` actions). */
function scriptedFrameIndexes(call: CallRecord): Set<number> {
  const out = new Set<number>();
  for (const action of call.relay?.callerActions ?? []) {
    if (action.kind === 'say' || action.kind === 'bargeIn') for (const i of action.frames) out.add(i);
  }
  return out;
}

/** Final prompts (`last` not false) with a non-blank string transcript, in order. */
export function finalPrompts(call: CallRecord): PromptSent[] {
  const scripted = scriptedFrameIndexes(call);
  return typedFrames(call, 'out')
    .filter((f) => f.type === 'prompt' && f.body.last !== false && typeof f.body.voicePrompt === 'string' && f.body.voicePrompt.trim() !== '')
    .map((f) => ({ frame: f.frame, text: f.body.voicePrompt as string, scripted: scripted.has(f.frame.index) }));
}

/** Partial prompts (`last: false`) with a string transcript, in order. */
export function partialPrompts(call: CallRecord): { frame: RelayFrame; text: string }[] {
  return typedFrames(call, 'out')
    .filter((f) => f.type === 'prompt' && f.body.last === false && typeof f.body.voicePrompt === 'string')
    .map((f) => ({ frame: f.frame, text: f.body.voicePrompt as string }));
}

/** Key presses sent to the agent. */
export function dtmfFrames(call: CallRecord): { frame: RelayFrame; digit: string }[] {
  return typedFrames(call, 'out')
    .filter((f) => f.type === 'dtmf' && typeof f.body.digit === 'string')
    .map((f) => ({ frame: f.frame, digit: f.body.digit as string }));
}

/** Interrupts sent to the agent, with what the caller had heard. */
export function interruptFrames(call: CallRecord): { frame: RelayFrame; utterance: string; action?: CallerActionRecord }[] {
  const actions = call.relay?.callerActions ?? [];
  return typedFrames(call, 'out')
    .filter((f) => f.type === 'interrupt')
    .map((f) => {
      const action = actions.find((a) => a.frames.includes(f.frame.index));
      const utterance = typeof f.body.utteranceUntilInterrupt === 'string' ? f.body.utteranceUntilInterrupt : '';
      return action === undefined ? { frame: f.frame, utterance } : { frame: f.frame, utterance, action };
    });
}

/** Caller input the agent was told about (final prompts and key presses), in time order. */
export function userInputTimes(call: CallRecord): number[] {
  return typedFrames(call, 'out')
    .filter((f) => (f.type === 'prompt' && f.body.last !== false) || f.type === 'dtmf')
    .map((f) => f.frame.at);
}

/** When the fake Twilio sent `setup` (else when the socket opened). */
export function setupAt(call: CallRecord): number | undefined {
  const setup = typedFrames(call, 'out').find((f) => f.type === 'setup');
  if (setup) return setup.frame.at;
  const connect = call.relay?.connect;
  return connect?.status === 'open' ? connect.at : undefined;
}

/** When the socket closed (else when the session ended). */
export function endedAt(call: CallRecord): number | undefined {
  const end = call.relay?.end;
  return end?.close?.at ?? end?.at;
}

/** Caller actions that reached (or tried to reach) the agent as input: speech, keys, hang-up. */
export function callerInputs(call: CallRecord): CallerActionRecord[] {
  return (call.relay?.callerActions ?? []).filter(
    (a) => a.kind !== 'sendRaw' && a.outcome !== 'session-not-active' && a.outcome !== 'dtmf-detection-off' && a.outcome !== 'not-reported',
  );
}

/** Whether the relay socket opened. */
export function relayOpened(call: CallRecord): boolean {
  return call.relay?.connect?.status === 'open';
}

/** Converts a wall-clock (epoch) ms reading to the run's monotonic clock (run-record.ts file comment). */
export function toRunClock(record: Pick<RunRecord, 'timebase'>, epochMs: number): number {
  return epochMs - (record.timebase.epochMs - record.timebase.nowMs);
}

/** Describes a frame in a few words for evidence. */
export function frameLabel(frame: RelayFrame): string {
  const raw = frame.binary ? '<binary>' : frame.raw.length > 70 ? `${frame.raw.slice(0, 70)}…` : frame.raw;
  return `frame #${frame.index} ${frame.dir === 'in' ? 'agent→twilio' : 'twilio→agent'} at ${Math.round(frame.at)} ms: ${raw}`;
}
