/** Builds RaceObservations by hand for the pure verdict, timeline and report tests. */
import type { ArrivalObservation, ExportObservation, RaceCallIdentity, RaceObservation, RegistrationObservation } from '../../../simulator/race/race-observation.ts';
import { callerNumber, callLetter, callPrompt, RACE_AGENT_NUMBER } from '../../../simulator/race/race-plan.ts';

/** Call `index`'s identity with readable ids (`sim-A`, `CA-A`). */
export function identity(index: number): RaceCallIdentity {
  const letter = callLetter(index);
  return { index, letter, from: callerNumber(index), to: RACE_AGENT_NUMBER, callSid: `CA-${letter}`, simulationOutputId: `sim-${letter}`, prompt: callPrompt(index) };
}

/** A fluent builder: steps are timed 10 ms apart unless told otherwise. */
export class ObservationBuilder {
  readonly #calls: RaceCallIdentity[];
  readonly #steps: (RegistrationObservation | ArrivalObservation)[] = [];
  readonly #exports: ExportObservation[] = [];
  #now = 0;
  #ttlMs: number | undefined;
  #error: string | undefined;

  constructor(calls: number) {
    this.#calls = Array.from({ length: calls }, (_, i) => identity(i));
  }

  ttl(ms: number): this {
    this.#ttlMs = ms;
    return this;
  }

  wait(ms: number): this {
    this.#now += ms;
    return this;
  }

  register(call: number, options: { status?: number; duplicate?: boolean; outcome?: RegistrationObservation['outcome']; replica?: number } = {}): this {
    const sentAtMs = this.#now;
    this.#now += 10;
    const outcome = options.outcome ?? 'response';
    const c = this.#calls[call] as RaceCallIdentity;
    this.#steps.push({
      kind: 'register',
      call,
      duplicate: options.duplicate ?? false,
      payload: { simulation_output_id: c.simulationOutputId, from_number: c.from },
      sentAtMs,
      answeredAtMs: this.#now,
      outcome,
      ...(outcome === 'response' ? { status: options.status ?? 200 } : { error: 'TypeError: fetch failed' }),
      ...(options.replica === undefined ? {} : { replica: options.replica }),
    });
    return this;
  }

  arrive(call: number, options: { failure?: string; socketReplica?: number; webhookReplica?: number; expiryWaitMs?: number } = {}): this {
    const setupSentAtMs = this.#now;
    this.#now += 10;
    this.#steps.push({
      kind: 'arrive',
      call,
      gapMs: 0,
      expiryWaitMs: options.expiryWaitMs ?? 0,
      webhookStatus: 200,
      setupSentAtMs,
      ...(options.failure === undefined ? { answeredAtMs: this.#now } : { failure: options.failure }),
      ...(options.socketReplica === undefined ? {} : { socketReplica: options.socketReplica }),
      ...(options.webhookReplica === undefined ? {} : { webhookReplica: options.webhookReplica }),
    });
    return this;
  }

  /** Call `by` exported under the id of call `withIdOf` (or under a raw id string). */
  exported(by: number | undefined, withIdOf: number | string): this {
    const id = typeof withIdOf === 'string' ? withIdOf : (this.#calls[withIdOf] as RaceCallIdentity).simulationOutputId;
    this.#exports.push({ simulationId: id, owner: by, ...(by === undefined ? {} : { callSid: `CA-${callLetter(by)}` }), spanCount: 5, receivedAtMs: this.#now });
    return this;
  }

  error(message: string): this {
    this.#error = message;
    return this;
  }

  build(): RaceObservation {
    return {
      payload: 'id+from',
      ...(this.#ttlMs === undefined ? {} : { ttlMs: this.#ttlMs }),
      calls: this.#calls,
      steps: this.#steps,
      exports: this.#exports,
      exportWaitMs: 0,
      startedAtMs: 0,
      endedAtMs: this.#now,
      ...(this.#error === undefined ? {} : { error: this.#error }),
    };
  }
}
