import type { RacePayload } from './race-plan.ts';

/** Who call `index` is: fixed per call, so exports can be traced back to it. */
export interface RaceCallIdentity {
  readonly index: number;
  readonly letter: string;
  readonly from: string;
  readonly to: string;
  readonly callSid: string;
  readonly simulationOutputId: string;
  /** The caller's one utterance (`This is call B.`), unique per call. */
  readonly prompt: string;
}

/** What one registration step saw (times are the run clock's `now()`). */
export interface RegistrationObservation {
  readonly kind: 'register';
  readonly call: number;
  readonly duplicate: boolean;
  readonly payload: Readonly<Record<string, string>>;
  readonly sentAtMs: number;
  readonly answeredAtMs: number;
  readonly outcome: 'response' | 'network-error' | 'timeout';
  readonly status?: number;
  readonly error?: string;
  /** 0-based replica the proxy sent it to (multi-replica runs only). */
  readonly replica?: number;
}

/** What one arrival step saw. */
export interface ArrivalObservation {
  readonly kind: 'arrive';
  readonly call: number;
  readonly gapMs: number;
  /** How long the runner waited to pass the TTL before this arrival (0 when it did not). */
  readonly expiryWaitMs: number;
  readonly webhookStatus?: number;
  /** When `setup` went out: the earliest the agent can have claimed. */
  readonly setupSentAtMs?: number;
  /** When the first `text` frame came back: by then the agent had processed `setup`. */
  readonly answeredAtMs?: number;
  /** Why the step did not reach its evidence (webhook, handshake, no answer in time). */
  readonly failure?: string;
  readonly webhookReplica?: number;
  readonly socketReplica?: number;
}

/** One accepted trace batch and the call it belongs to (by `call.sid` or its prompt in `stt.transcription`). */
export interface ExportObservation {
  readonly simulationId: string;
  /** Index of the call that produced it; undefined when no call of this run matches. */
  readonly owner: number | undefined;
  /** The `call.sid` the batch carries, if any. */
  readonly callSid?: string;
  readonly spanCount: number;
  readonly receivedAtMs: number;
}

/** Everything one race run observed over real sockets, before judging. */
export interface RaceObservation {
  readonly payload: RacePayload;
  /** The agent's TTL in ms when the kit set it (expiry is judged only then). */
  readonly ttlMs?: number;
  readonly calls: readonly RaceCallIdentity[];
  readonly steps: readonly (RegistrationObservation | ArrivalObservation)[];
  readonly exports: readonly ExportObservation[];
  /** Calls whose export the runner stopped waiting for, and how long it waited after the hang-ups. */
  readonly exportWaitMs: number;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  /** Infrastructure trouble that stopped the run early (the agent died, a replica is unreachable). */
  readonly error?: string;
}
