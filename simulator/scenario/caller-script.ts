import { type Clock, sleep } from '../core/clock.ts';
import { SimErrors } from '../core/errors.ts';
import type { RelaySession } from '../twilio/relay-session.ts';
import type { SayOptions } from '../twilio/relay-session-record.ts';
import type { StepRecord } from './run-record.ts';
import type { CallerStep, Utterance } from './schema.ts';

/** Inputs of {@link playCallerScript}. */
export interface CallerScriptOptions {
  readonly session: RelaySession;
  readonly steps: readonly CallerStep[];
  readonly clock: Clock;
  /** How long the final hang-up (script ran out) may take before the socket is dropped; default 5 000 ms. */
  readonly hangUpTimeoutMs?: number;
}

/** What one step did, before it is stamped with its times. */
interface StepOutcome {
  readonly outcome: StepRecord['outcome'];
  readonly detail?: string;
  readonly cycle?: number;
}


/**
 * Sleeps until the clock reads at least `at`. A system-clock timer can fire a fraction of a
 * millisecond early, and a barge-in at a playback offset must never be early: the words heard
 * would change with it.
 */
async function sleepUntil(clock: Clock, at: number): Promise<void> {
  for (let left = at - clock.now(); left > 0; left = at - clock.now()) await sleep(clock, left);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'SIM_ERR_WAIT_TIMEOUT';
}

function sayOptions(utterance: Utterance): SayOptions {
  // partials: true → one cumulative partial per word (sent only when the TwiML enables partialPrompts).
  return { lang: utterance.lang, ...(utterance.partials ? {} : { partials: 0 }) };
}

/**
 * Waits until `check()` holds, re-checking after every agent frame (the session updates its
 * playback model first); bounded by `timeoutMs` on the clock and by the socket closing.
 */
function waitForSession(session: RelaySession, clock: Clock, check: () => boolean, timeoutMs: number, description: string): Promise<void> {
  if (check()) return Promise.resolve();
  if (session.client.closeInfo !== undefined) {
    return Promise.reject(new SimErrors.SIM_ERR_TWILIO_SOCKET_CLOSED(description, session.client.closeInfo.code));
  }
  return new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (settle: () => void): void => {
      if (done) return;
      done = true;
      off();
      timer.cancel();
      settle();
    };
    const off = session.client.onFrame(() => {
      if (check()) finish(resolve);
    });
    const timer = clock.setTimer(timeoutMs, () => finish(() => reject(new SimErrors.SIM_ERR_WAIT_TIMEOUT(timeoutMs, description))));
    void session.client.closed.then((close) => finish(() => (check() ? resolve() : reject(new SimErrors.SIM_ERR_TWILIO_SOCKET_CLOSED(description, close.code)))));
  });
}

/**
 * Plays a caller script on an open relay session (docs/scenarios.md "Caller steps") and returns
 * one record per step. A step that times out or fails ends the script: the remaining steps are
 * `skipped` and the caller hangs up. When the script runs out with the call still up, the caller
 * hangs up (recorded as an extra `hangUp` step).
 */
export async function playCallerScript(options: CallerScriptOptions): Promise<StepRecord[]> {
  const { session, steps, clock } = options;
  const records: StepRecord[] = [];
  // Cycle count before the caller's latest input: the reply to it is a text cycle at or after this.
  let mark = session.cycleCount;
  let actions = session.record().callerActions.length;
  let stopped: string | undefined;

  const act = <T>(run: () => T): { result: T; indexes: number[] } => {
    const before = actions;
    const result = run();
    actions = session.record().callerActions.length;
    return { result, indexes: Array.from({ length: actions - before }, (_, i) => before + i) };
  };

  const replyCycle = () => session.talkCycles().find((c) => c.index >= mark && c.kind === 'text');

  const play = async (step: CallerStep): Promise<StepOutcome & { actions?: number[] }> => {
    switch (step.kind) {
      case 'say': {
        mark = session.cycleCount;
        const done = act(() => session.say(step.text, sayOptions(step)));
        const record = await done.result;
        return { outcome: 'ok', actions: done.indexes, ...(record.outcome === 'delivered' ? {} : { detail: `prompt ${record.outcome}` }) };
      }
      case 'waitForReply': {
        const cycle = await session.waitForReply({ timeoutMs: step.timeoutMs, fromCycle: mark, until: 'played' });
        return { outcome: 'ok', cycle: cycle.index, ...(cycle.status === 'played' ? {} : { detail: `reply ${cycle.status}` }) };
      }
      case 'bargeIn':
        return bargeIn(step);
      case 'press': {
        mark = session.cycleCount;
        const done = act(() => [...step.digits].map((digit) => session.pressDigit(digit)));
        const odd = done.result.filter((r) => r.outcome !== 'delivered' && r.outcome !== 'interrupted');
        return { outcome: 'ok', actions: done.indexes, ...(odd.length === 0 ? {} : { detail: `key press ${odd.map((r) => r.outcome).join(', ')}` }) };
      }
      case 'silence':
        await sleep(clock, step.ms);
        return { outcome: 'ok' };
      case 'hangUp': {
        const done = act(() => session.hangUp());
        done.result.catch(() => undefined);
        return { outcome: 'ok', actions: done.indexes };
      }
      case 'waitForEnd': {
        const description = "the agent's end message";
        const ended = await Promise.race([
          session.done.then((record) => record.end),
          sleep(clock, step.timeoutMs).then(() => undefined),
        ]);
        if (ended === undefined) throw new SimErrors.SIM_ERR_WAIT_TIMEOUT(step.timeoutMs, description);
        if (ended.cause !== 'agent-end') return { outcome: 'error', detail: `the call ended without an end message (${ended.cause})` };
        return { outcome: 'ok' };
      }
      case 'sendRaw': {
        const frame = step.frame;
        const data = frame.kind === 'text' ? frame.text : frame.kind === 'json' ? JSON.stringify(frame.json) : new Uint8Array(Buffer.from(frame.base64, 'base64'));
        const done = act(() => session.sendRaw(data));
        return { outcome: 'ok', actions: done.indexes };
      }
      case 'waitForGreeting': {
        const greeting = session.talkCycles().find((c) => c.kind === 'greeting');
        if (greeting === undefined) return { outcome: 'ok', detail: 'the TwiML has no welcome greeting' };
        // The greeting ends on the clock, not on a frame; before the caller speaks it is the only audio.
        await session.waitForPlaybackIdle({ timeoutMs: step.timeoutMs });
        return { outcome: 'ok', cycle: greeting.index };
      }
    }
  };

  const bargeIn = async (step: Extract<CallerStep, { kind: 'bargeIn' }>): Promise<StepOutcome & { actions?: number[] }> => {
    let cycle: number | undefined;
    if (step.during === 'greeting') {
      const greeting = session.talkCycles().find((c) => c.kind === 'greeting');
      if (greeting === undefined) {
        const done = act(() => session.bargeIn(step.say.text, sayOptions(step.say)));
        await done.result;
        return { outcome: 'ok', actions: done.indexes, detail: 'the TwiML has no welcome greeting; spoke without interrupting' };
      }
      cycle = greeting.index;
      const startedAt = greeting.startedAt ?? clock.now();
      await sleepUntil(clock, startedAt + (step.trigger.kind === 'afterPlaybackMs' ? step.trigger.ms : 0));
    } else if (step.trigger.kind === 'afterTokens') {
      const tokens = step.trigger.tokens;
      await waitForSession(
        session,
        clock,
        () => {
          const reply = replyCycle();
          return reply !== undefined && reply.tokens.length >= tokens;
        },
        step.timeoutMs,
        `${tokens} text token(s) of the agent's reply (cycle ${mark} or later) before barging in`,
      );
      cycle = replyCycle()?.index;
    } else {
      const audio = await session.waitForAudio({ timeoutMs: step.timeoutMs, fromCycle: mark });
      cycle = audio.index;
      await sleepUntil(clock, (audio.startedAt ?? clock.now()) + step.trigger.ms);
    }
    mark = session.cycleCount;
    const done = act(() => session.bargeIn(step.say.text, sayOptions(step.say)));
    const record = await done.result;
    const detail = record.outcome === 'interrupted' ? undefined : `no interrupt: ${record.outcome === 'delivered' ? 'the agent audio had already stopped' : `prompt ${record.outcome}`}`;
    return { outcome: 'ok', actions: done.indexes, ...(cycle === undefined ? {} : { cycle: record.interrupt?.cycle ?? cycle }), ...(detail === undefined ? {} : { detail }) };
  };

  for (const [index, step] of steps.entries()) {
    const startedAtMs = clock.now();
    if (stopped !== undefined) {
      records.push({ index, kind: step.kind, startedAtMs, endedAtMs: startedAtMs, outcome: 'skipped', detail: stopped });
      continue;
    }
    if (!session.active && step.kind !== 'waitForEnd') {
      stopped = `the call had already ended (${session.record().end?.cause ?? 'not connected'})`;
      records.push({ index, kind: step.kind, startedAtMs, endedAtMs: startedAtMs, outcome: 'skipped', detail: stopped });
      continue;
    }
    let outcome: StepOutcome & { actions?: number[] };
    try {
      outcome = await play(step);
    } catch (error) {
      outcome = { outcome: isTimeout(error) ? 'timeout' : 'error', detail: errorText(error) };
    }
    if (outcome.outcome === 'timeout' || outcome.outcome === 'error') stopped = `an earlier step (${index}, ${step.kind}) did not complete`;
    records.push({
      index,
      kind: step.kind,
      startedAtMs,
      endedAtMs: clock.now(),
      outcome: outcome.outcome,
      ...(outcome.detail === undefined ? {} : { detail: outcome.detail }),
      ...(outcome.cycle === undefined ? {} : { cycle: outcome.cycle }),
      ...(outcome.actions === undefined || outcome.actions.length === 0 ? {} : { actions: outcome.actions }),
    });
  }

  if (session.active) {
    const startedAtMs = clock.now();
    const done = act(() => session.hangUp());
    const hungUp = await Promise.race([done.result.then(() => true), sleep(clock, options.hangUpTimeoutMs ?? 5_000).then(() => false)]);
    records.push({
      index: steps.length,
      kind: 'hangUp',
      startedAtMs,
      endedAtMs: clock.now(),
      outcome: hungUp ? 'ok' : 'timeout',
      detail: hungUp ? 'the script ran out with the call still up: the caller hung up' : 'the hang-up did not complete in time',
      ...(done.indexes.length === 0 ? {} : { actions: done.indexes }),
    });
  }
  return records;
}
