import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { type LlmScript, llmScriptSchema } from '../openai/script.ts';

/**
 * The scenario file language (docs/scenarios.md). Two layers:
 * - `scenarioFileSchema`: what a YAML file may contain (TypeBox, `additionalProperties: false`
 *   everywhere, every optional key documented with its default);
 * - `Scenario`: the normalised, frozen form the runner consumes (defaults filled, the single-call
 *   shorthand turned into `calls`, every caller step tagged with `kind`).
 * A schema option `hint` phrases pattern and property-count failures for people, not regex readers.
 */

const KEBAB = '^[a-z0-9]+(-[a-z0-9]+)*$';
const strict = { additionalProperties: false } as const;

/** Default values applied by the loader; docs/scenarios.md lists the same numbers. */
export const SCENARIO_DEFAULTS = Object.freeze({
  description: '',
  registration: Object.freeze({
    payload: 'id+from',
    apiKey: 'valid',
    omitSimulationId: false,
    delayBeforeDialMs: 0,
    repeat: 1,
  }),
  twilio: Object.freeze({ speechRate: 60, signWebhook: 'valid' }),
  coval: Object.freeze({ acceptUnknownIds: false }),
  sayLang: 'en-US',
  sayPartials: false,
  waitTimeoutMs: 10_000,
  arrival: 'registration-order',
} as const);

const nonNegativeMs = (description: string) => Type.Number({ minimum: 0, description });
const timeoutMs = Type.Optional(
  Type.Number({ exclusiveMinimum: 0, description: `give up (and fail the call) after this long; default ${SCENARIO_DEFAULTS.waitTimeoutMs}` }),
);
const phoneNumber = Type.String({
  pattern: '^(\\+[1-9][0-9]{1,14}|anonymous|client:[A-Za-z0-9_.-]+|sip:\\S+)$',
  hint: 'an E.164 number in quotes such as "+15550100001" (or anonymous, client:name, sip:uri)',
});

const registrationFields = {
  payload: Type.Optional(
    Type.Union([Type.Literal('id'), Type.Literal('id+from'), Type.Literal('id+from+to'), Type.Literal('none')], {
      description: 'which fields the pre-call webhook body carries; none = no registration; default id+from',
    }),
  ),
  apiKey: Type.Optional(
    Type.Union([Type.Literal('valid'), Type.Literal('wrong'), Type.Literal('missing')], {
      description: 'the x-api-key header: the agent’s key, a wrong one, or none; default valid',
    }),
  ),
  omitSimulationId: Type.Optional(Type.Boolean({ description: 'send a body without simulation_output_id; default false' })),
  headers: Type.Optional(
    Type.Record(Type.String({ pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" }), Type.String(), {
      additionalProperties: false,
      hint: 'an HTTP header name (letters, digits and -)',
      description: 'extra request headers; default none',
    }),
  ),
  delayBeforeDialMs: Type.Optional(nonNegativeMs('wait between the registration response and the call; default 0')),
  repeat: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'send the same registration N times; default 1' })),
};

/** The `registration` block (scenario default) and a call's `registration` overrides. */
export const registrationSchema = Type.Object(registrationFields, strict);

const twilioSchema = Type.Object(
  {
    speechRate: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, description: 'characters per second of simulated TTS playback; default 60' }),
    ),
    signWebhook: Type.Optional(
      Type.Union([Type.Literal('valid'), Type.Literal('wrong'), Type.Literal('missing')], {
        description: 'X-Twilio-Signature on the voice webhook and the WebSocket handshake; default valid',
      }),
    ),
    greetingMs: Type.Optional(nonNegativeMs('greeting duration; default: its text length at speechRate')),
  },
  strict,
);

const covalFaultSchema = Type.Object(
  {
    status: Type.Optional(Type.Integer({ minimum: 200, maximum: 599, description: 'answer this export with this status' })),
    retryAfterS: Type.Optional(Type.Number({ minimum: 0, description: 'Retry-After header (seconds) with status' })),
    delayMs: Type.Optional(nonNegativeMs('wait this long before answering (or resetting)')),
    resetConnection: Type.Optional(Type.Literal(true, { description: 'destroy the connection instead of answering' })),
  },
  strict,
);

const covalSchema = Type.Object(
  {
    faults: Type.Optional(Type.Array(covalFaultSchema, { description: 'one entry per export request, in order' })),
    acceptUnknownIds: Type.Optional(Type.Boolean({ description: 'accept exports for unregistered simulation ids; default false' })),
  },
  strict,
);

const sayObjectSchema = Type.Object(
  {
    text: Type.String({ minLength: 1 }),
    partials: Type.Optional(Type.Boolean({ description: 'send last:false partial prompts first; default false' })),
    lang: Type.Optional(Type.String({ minLength: 2, description: 'prompt lang (BCP-47); default en-US' })),
  },
  strict,
);
const saySchema = Type.Union([Type.String({ minLength: 1 }), sayObjectSchema]);

// `hangUp:` with nothing after it is the natural YAML for a step without options, so null means {}.
const emptyOrTimeout = Type.Union([Type.Null(), Type.Object({ timeoutMs }, strict)]);

/** The caller steps, by key; each step in a file is a mapping with exactly one of these keys. */
export const callerStepSchemas = {
  say: saySchema,
  waitForReply: emptyOrTimeout,
  bargeIn: Type.Object(
    {
      say: saySchema,
      afterTokens: Type.Optional(Type.Integer({ minimum: 0, description: 'after this many text tokens have arrived' })),
      afterPlaybackMs: Type.Optional(nonNegativeMs('after this much of the audio has played')),
      during: Type.Optional(
        Type.Union([Type.Literal('reply'), Type.Literal('greeting')], { description: 'what is interrupted; default reply' }),
      ),
      timeoutMs,
    },
    strict,
  ),
  press: Type.String({ pattern: '^[0-9*#]+$', hint: 'DTMF digits in quotes such as "1" or "*9#"' }),
  silence: Type.Object({ ms: nonNegativeMs('how long the caller says nothing') }, strict),
  hangUp: Type.Union([Type.Null(), Type.Object({}, strict)]),
  waitForEnd: emptyOrTimeout,
  sendRaw: Type.Object(
    {
      text: Type.Optional(Type.String({ description: 'a text frame sent verbatim (need not be JSON)' })),
      json: Type.Optional(Type.Unknown({ description: 'a text frame holding this value as JSON' })),
      binaryBase64: Type.Optional(
        Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$', hint: 'base64 (A-Z a-z 0-9 + / and = padding)' }),
      ),
    },
    strict,
  ),
  waitForGreeting: emptyOrTimeout,
} as const;

/** A step names its kind with its only key. */
export type CallerStepKind = keyof typeof callerStepSchemas;

/** The names of the caller steps, in documentation order. */
export const CALLER_STEP_KINDS = Object.freeze(Object.keys(callerStepSchemas) as CallerStepKind[]);

const steps = callerStepSchemas;
const stepSchema = Type.Object(
  {
    say: Type.Optional(steps.say),
    waitForReply: Type.Optional(steps.waitForReply),
    bargeIn: Type.Optional(steps.bargeIn),
    press: Type.Optional(steps.press),
    silence: Type.Optional(steps.silence),
    hangUp: Type.Optional(steps.hangUp),
    waitForEnd: Type.Optional(steps.waitForEnd),
    sendRaw: Type.Optional(steps.sendRaw),
    waitForGreeting: Type.Optional(steps.waitForGreeting),
  },
  { ...strict, minProperties: 1, maxProperties: 1, hint: `a mapping with exactly one step key (${CALLER_STEP_KINDS.join(', ')})` },
);
const stepsSchema = Type.Array(stepSchema, { minItems: 1 });

const callSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ pattern: KEBAB, hint: 'kebab-case such as "first-caller"', description: 'default call-<n>' })),
    from: Type.Optional(phoneNumber),
    to: Type.Optional(phoneNumber),
    registration: Type.Optional(registrationSchema),
    caller: stepsSchema,
  },
  strict,
);

const checkId = Type.String({
  pattern: '^(COR|CR|OTLP|SPAN|SEC|ROB|INFO)-[A-Z0-9]+(-[A-Z0-9]+)*$',
  hint: 'a check id such as CR-INTERRUPT-STOPS (COR-, CR-, OTLP-, SPAN-, SEC-, ROB- or INFO-, then upper-case words)',
});

const expectSchema = Type.Object(
  {
    replyContains: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    toolCalled: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1 }),
            arguments: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'subset match' })),
          },
          strict,
        ),
      ),
    ),
    handoffData: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'subset of the parsed handoffData JSON' })),
    export: Type.Optional(
      Type.Union([
        Type.Literal('none'),
        Type.Object(
          { spans: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.Integer({ minimum: 0 }), { additionalProperties: false })) },
          strict,
        ),
      ]),
    ),
    checks: Type.Optional(Type.Array(checkId, { uniqueItems: true })),
    failingChecks: Type.Optional(Type.Array(checkId, { uniqueItems: true })),
  },
  strict,
);

/** A scenario file as written (before defaults and normalisation). */
export const scenarioFileSchema = Type.Object(
  {
    id: Type.String({ pattern: KEBAB, hint: 'a kebab-case id (lower-case letters and digits joined by single hyphens)' }),
    title: Type.String({ minLength: 1 }),
    description: Type.Optional(Type.String()),
    tags: Type.Optional(Type.Array(Type.String({ pattern: KEBAB, hint: 'a kebab-case tag such as "interrupt"' }), { uniqueItems: true })),
    agent: Type.Optional(
      Type.Object(
        {
          env: Type.Optional(
            Type.Record(Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$' }), Type.String(), {
              additionalProperties: false,
              hint: 'an environment variable name in upper case such as SIMULATION_TTL_SECONDS',
            }),
          ),
        },
        strict,
      ),
    ),
    registration: Type.Optional(registrationSchema),
    twilio: Type.Optional(twilioSchema),
    llm: Type.Optional(llmScriptSchema),
    coval: Type.Optional(covalSchema),
    caller: Type.Optional(stepsSchema),
    calls: Type.Optional(Type.Array(callSchema, { minItems: 1 })),
    arrival: Type.Optional(
      Type.Union([
        Type.Literal('registration-order'),
        Type.Literal('reverse'),
        Type.Literal('seeded-shuffle'),
        Type.Array(Type.Integer({ minimum: 0 })),
      ]),
    ),
    expect: Type.Optional(expectSchema),
  },
  strict,
);

/** A scenario file as written. */
export type ScenarioFile = Static<typeof scenarioFileSchema>;
/** The `registration` block as written. */
export type RegistrationFile = Static<typeof registrationSchema>;
/** One caller step as written. */
export type CallerStepFile = Static<typeof stepSchema>;

// ---------------------------------------------------------------------------------------------
// Normalised form

/** How the pre-call webhook is sent for one call (defaults filled, call overrides applied). */
export interface RegistrationSpec {
  readonly payload: 'id' | 'id+from' | 'id+from+to' | 'none';
  readonly apiKey: 'valid' | 'wrong' | 'missing';
  readonly omitSimulationId: boolean;
  readonly headers: Readonly<Record<string, string>>;
  readonly delayBeforeDialMs: number;
  readonly repeat: number;
}

/** Fake-Twilio options. */
export interface TwilioSpec {
  readonly speechRate: number;
  readonly signWebhook: 'valid' | 'wrong' | 'missing';
  /** Absent: the greeting lasts as long as its text takes at `speechRate`. */
  readonly greetingMs?: number;
}

/** One scripted answer of the fake Coval to one export request. */
export type CovalFault =
  /** Answer with this status (2xx stores the batch), after `delayMs`. */
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterS?: number; readonly delayMs: number }
  /** Destroy the connection without an answer, after `delayMs`. */
  | { readonly kind: 'reset'; readonly delayMs: number }
  /** Answer as Coval would (no fault), after `delayMs`. */
  | { readonly kind: 'pass'; readonly delayMs: number };

/** Fake-Coval options. */
export interface CovalSpec {
  /** Used one per export request in order; later requests are answered normally. */
  readonly faults: readonly CovalFault[];
  readonly acceptUnknownIds: boolean;
}

/** What the caller says (a `say` step, or the speech of a barge-in). */
export interface Utterance {
  readonly text: string;
  readonly partials: boolean;
  readonly lang: string;
}

/** When a barge-in starts speaking. */
export type BargeInTrigger =
  | { readonly kind: 'afterTokens'; readonly tokens: number }
  | { readonly kind: 'afterPlaybackMs'; readonly ms: number };

/** What a `sendRaw` step puts on the socket. */
export type RawFrame =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'json'; readonly json: unknown }
  | { readonly kind: 'binary'; readonly base64: string };

/** One caller step, normalised. */
export type CallerStep =
  | ({ readonly kind: 'say' } & Utterance)
  | { readonly kind: 'waitForReply'; readonly timeoutMs: number }
  | {
      readonly kind: 'bargeIn';
      readonly during: 'reply' | 'greeting';
      readonly trigger: BargeInTrigger;
      readonly say: Utterance;
      readonly timeoutMs: number;
    }
  | { readonly kind: 'press'; readonly digits: string }
  | { readonly kind: 'silence'; readonly ms: number }
  | { readonly kind: 'hangUp' }
  | { readonly kind: 'waitForEnd'; readonly timeoutMs: number }
  | { readonly kind: 'sendRaw'; readonly frame: RawFrame }
  | { readonly kind: 'waitForGreeting'; readonly timeoutMs: number };

/** One simulated call. */
export interface ScenarioCall {
  /** Position in `calls` (0-based); registrations are sent in this order. */
  readonly index: number;
  /** The file's `name`, else `call-<index+1>`. */
  readonly name: string;
  /** Absent: the runner derives a caller number from the seed. */
  readonly from?: string;
  /** Absent: the runner's default called number. */
  readonly to?: string;
  readonly registration: RegistrationSpec;
  readonly caller: readonly CallerStep[];
}

/** The order in which calls reach the agent: fixed call indices, or shuffled by the run's seed. */
export type ArrivalOrder =
  | { readonly kind: 'fixed'; readonly order: readonly number[] }
  | { readonly kind: 'seeded-shuffle' };

/** Expected export: none at all, or at least these many spans by name. */
export type ExportExpectation =
  | { readonly kind: 'none' }
  | { readonly kind: 'spans'; readonly minSpans: Readonly<Record<string, number>> };

/** Per-scenario expectations; absent or empty entries are not checked. */
export interface ScenarioExpectations {
  readonly replyContains: readonly string[];
  readonly toolCalled: readonly { readonly name: string; readonly arguments?: Readonly<Record<string, unknown>> }[];
  readonly handoffData?: Readonly<Record<string, unknown>>;
  readonly export?: ExportExpectation;
  readonly checks: readonly string[];
  readonly failingChecks: readonly string[];
}

/** A validated, normalised, deeply frozen scenario. */
export interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  /** The file it was read from, as given to the loader. */
  readonly file: string;
  readonly agent: { readonly env: Readonly<Record<string, string>> };
  readonly twilio: TwilioSpec;
  readonly llm: LlmScript;
  readonly coval: CovalSpec;
  readonly calls: readonly ScenarioCall[];
  readonly arrival: ArrivalOrder;
  readonly expect: ScenarioExpectations;
}

/** A schema annotated with the optional `hint` option. */
export function schemaHint(schema: TSchema): string | undefined {
  const hint: unknown = (schema as { hint?: unknown }).hint;
  return typeof hint === 'string' ? hint : undefined;
}
