import type { Clock, TimerHandle } from '../core/clock.ts';
import type { EventPlan } from './event-plan.ts';
import type { LlmChunkRecord, LlmOutcome, LlmRequestRecord } from './history.ts';
import type { ResponseSink } from './response-sink.ts';

/** A response in flight that the fake can stop (on shutdown). */
export interface InFlight {
  /** Stops writing, drops the connection and records the outcome. */
  abort(outcome: LlmOutcome): void;
}

/** What {@link writeEventStream} needs besides the plan. */
export interface StreamTarget {
  readonly sink: ResponseSink;
  readonly clock: Clock;
  readonly record: LlmRequestRecord;
  readonly headers: Readonly<Record<string, string>>;
  readonly recordChunks: boolean;
  /** Called right after each event is written. */
  readonly onChunkWritten?: ((record: LlmRequestRecord, chunk: LlmChunkRecord) => void) | undefined;
  /** Called once when the response ends for any reason. */
  readonly onSettled: () => void;
}

function carriesToken(chunk: LlmChunkRecord): boolean {
  return (chunk.content !== undefined && chunk.content !== '') || chunk.tool !== undefined;
}

/**
 * Writes a planned event stream on the injected clock: events whose delay is zero go out in the same
 * tick; a delay arms one timer. Each write is one `sink.write` of one string. Disconnects cancel the
 * timer and are recorded, so the history shows exactly which events reached the socket.
 */
export function writeEventStream(plan: EventPlan, target: StreamTarget): InFlight {
  const { sink, clock, record } = target;
  const chunks = plan.chunks;
  const cutAt = plan.cutAfterChunks;
  let next = 0;
  let started = false;
  let settled = false;
  let waitedFor = -1;
  let timer: TimerHandle | undefined;

  const settle = (outcome: LlmOutcome): void => {
    if (settled) return;
    settled = true;
    timer?.cancel();
    record.outcome = outcome;
    record.endedAtMs = clock.now();
    target.onSettled();
  };
  const start = (): void => {
    if (started) return;
    started = true;
    record.status = 200;
    sink.startStream(target.headers);
  };
  const pump = (): void => {
    timer = undefined;
    while (!settled) {
      if (cutAt !== undefined && next >= Math.min(cutAt, chunks.length - 1)) {
        start();
        settle('cut');
        sink.cut();
        return;
      }
      if (next >= chunks.length) {
        settle('completed');
        sink.end();
        return;
      }
      const chunk = chunks[next] as LlmChunkRecord;
      if (chunk.delayMs > 0 && waitedFor !== next) {
        waitedFor = next;
        timer = clock.setTimer(chunk.delayMs, pump);
        return;
      }
      start();
      const now = clock.now();
      sink.write(plan.render(next));
      chunk.atMs = now;
      record.firstChunkAtMs ??= now;
      if (record.firstTokenAtMs === null && carriesToken(chunk)) record.firstTokenAtMs = now;
      if (target.recordChunks) record.chunks.push(chunk);
      target.onChunkWritten?.(record, chunk);
      next++;
    }
  };

  sink.onPeerClosed(() => settle('client-closed'));
  pump();
  return {
    abort(outcome) {
      if (settled) return;
      settle(outcome);
      sink.cut();
    },
  };
}
