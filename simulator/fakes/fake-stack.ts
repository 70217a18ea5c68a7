import type { Clock } from '../core/clock.ts';
import type { Random } from '../core/random.ts';
import { buildFakeCoval, type FakeCoval } from '../coval/fake-coval.ts';
import type { FaultStep } from '../coval/fault-plan.ts';
import { buildFakeOpenAi, type FakeOpenAiApp } from '../openai/fake-openai-app.ts';
import type { FakeOpenAiOptions } from '../openai/fake-openai-options.ts';
import type { CovalFault } from '../scenario/schema.ts';
import { Switchboard, type StrayRequest } from './switchboard.ts';

/** The credentials the fakes expect and give out; fixed, so that recorded signatures are reproducible. */
export const FAKE_CREDENTIALS = Object.freeze({
  covalApiKey: 'relaysim-coval-key',
  openaiApiKey: 'sk-relaysim-fake',
  twilioAuthToken: 'relaysim-twilio-auth-token',
});

/** Inputs of {@link startFakeStack}. */
export interface FakeStackOptions {
  readonly clock: Clock;
  /** The network the fake Coval dials the agent with. */
  readonly fetch: typeof globalThis.fetch;
  readonly host?: string;
  /** Fixed ports (for an agent configured by hand); default 0 = any free port. */
  readonly openaiPort?: number;
  readonly covalPort?: number;
}

/** What one run needs from its fakes. */
export interface RunFakesOptions {
  /** Drives the fake OpenAI's ids and unscripted replies. */
  readonly random: Random;
  /** The scenario's `llm` rules. */
  readonly script: unknown;
  readonly acceptUnknownIds: boolean;
  readonly faults: readonly CovalFault[];
  /** Extra fake OpenAI options (load runs: no chunk records, a write hook, default delays). */
  readonly openai?: Pick<FakeOpenAiOptions, 'recordChunks' | 'onChunkWritten' | 'defaults'>;
}

/** A run's own fresh fakes, plugged into the stack's listening ports until {@link RunFakes.end}. */
export interface RunFakes {
  readonly openai: FakeOpenAiApp;
  readonly coval: FakeCoval;
  /** Unplugs and closes this run's fakes (in-flight LLM streams are dropped). */
  end(): Promise<void>;
}

/**
 * The fake OpenAI and fake Coval on two loopback ports, started once and reused by many runs:
 * each run plugs in fresh fakes (see {@link Switchboard}), so an agent configured with these URLs
 * serves run after run without restarting. The fake Twilio needs no port: it is the client.
 */
export class FakeStack {
  readonly #options: FakeStackOptions;
  readonly #openai = new Switchboard();
  readonly #coval = new Switchboard();
  #run: RunFakes | undefined;

  constructor(options: FakeStackOptions) {
    this.#options = options;
  }

  /** Starts listening on both ports. */
  async start(): Promise<this> {
    const host = this.#options.host ?? '127.0.0.1';
    await this.#openai.listen(this.#options.openaiPort ?? 0, host);
    await this.#coval.listen(this.#options.covalPort ?? 0, host);
    return this;
  }

  /** `http://host:port/v1`, for `OPENAI_BASE_URL`. */
  get openaiBaseUrl(): string {
    return `${this.#openai.url}/v1`;
  }

  /** `http://host:port/v1/traces`, for `COVAL_TRACES_URL`. */
  get covalTracesUrl(): string {
    return `${this.#coval.url}/v1/traces`;
  }

  /** The variables that point an agent at these fakes. */
  agentEnv(): Record<string, string> {
    return {
      OPENAI_BASE_URL: this.openaiBaseUrl,
      OPENAI_API_KEY: FAKE_CREDENTIALS.openaiApiKey,
      COVAL_TRACES_URL: this.covalTracesUrl,
      COVAL_API_KEY: FAKE_CREDENTIALS.covalApiKey,
      TWILIO_AUTH_TOKEN: FAKE_CREDENTIALS.twilioAuthToken,
    };
  }

  /** Requests that arrived between runs (e.g. a late export retry), answered 503. */
  strays(): { openai: readonly StrayRequest[]; coval: readonly StrayRequest[] } {
    return { openai: this.#openai.strays(), coval: this.#coval.strays() };
  }

  /** Plugs in fresh fakes for one run; the previous run must have ended. */
  async beginRun(options: RunFakesOptions): Promise<RunFakes> {
    if (this.#run !== undefined) await this.#run.end();
    const { clock, fetch } = this.#options;
    const openai = buildFakeOpenAi({ ...options.openai, clock, random: options.random, script: options.script });
    const coval = buildFakeCoval({ clock, fetch, apiKey: FAKE_CREDENTIALS.covalApiKey, acceptUnknownIds: options.acceptUnknownIds });
    if (options.faults.length > 0) coval.faults.set({ steps: options.faults.map(faultStep) });
    await openai.ready();
    await coval.app.ready();
    this.#openai.plug(openai);
    this.#coval.plug(coval.app);
    let ended: Promise<void> | undefined;
    const run: RunFakes = {
      openai,
      coval,
      end: () => {
        ended ??= (async () => {
          if (this.#run === run) {
            this.#openai.unplug();
            this.#coval.unplug();
            this.#run = undefined;
          }
          await openai.close();
          await coval.app.close();
        })();
        return ended;
      },
    };
    this.#run = run;
    return run;
  }

  /** Ends the current run and closes both ports. */
  async close(): Promise<void> {
    await this.#run?.end();
    await this.#openai.close();
    await this.#coval.close();
  }
}

/** A scenario's Coval fault as the fake Coval's fault-plan step (decision 0305). */
export function faultStep(fault: CovalFault): FaultStep {
  switch (fault.kind) {
    case 'status':
      // A 2xx status step stores the batch (normal handling) and answers with that status.
      return { kind: 'status', status: fault.status, delayMs: fault.delayMs, ...(fault.retryAfterS === undefined ? {} : { retryAfter: fault.retryAfterS }) };
    case 'reset':
      return { kind: 'reset', delayMs: fault.delayMs };
    case 'pass':
      return { kind: 'pass', delayMs: fault.delayMs };
  }
}

/** Starts a {@link FakeStack} on loopback. */
export function startFakeStack(options: FakeStackOptions): Promise<FakeStack> {
  return new FakeStack(options).start();
}
