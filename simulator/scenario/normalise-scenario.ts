import {
  type ArrivalOrder,
  type CallerStep,
  type CallerStepFile,
  type CovalFault,
  type ExportExpectation,
  type RegistrationFile,
  type RegistrationSpec,
  SCENARIO_DEFAULTS,
  type Scenario,
  type ScenarioCall,
  type ScenarioFile,
  type Utterance,
} from './schema.ts';

type SayFile = NonNullable<CallerStepFile['say']>;

/**
 * Turns a valid scenario file (schema and cross-field rules already checked) into the runner's form:
 * defaults filled, `caller` shorthand turned into one call, call registrations merged over the
 * scenario's, steps tagged with `kind`. The result is deeply frozen.
 */
export function normaliseScenario(file: ScenarioFile, source: string): Scenario {
  const base = file.registration ?? {};
  const rawCalls = file.calls ?? [{ caller: file.caller ?? [] }];
  const calls: ScenarioCall[] = rawCalls.map((call, index) => ({
    index,
    name: 'name' in call && call.name !== undefined ? call.name : `call-${index + 1}`,
    ...('from' in call && call.from !== undefined ? { from: call.from } : {}),
    ...('to' in call && call.to !== undefined ? { to: call.to } : {}),
    registration: registration(base, 'registration' in call ? call.registration : undefined),
    caller: call.caller.map(step),
  }));
  const scenario: Scenario = {
    id: file.id,
    title: file.title,
    description: file.description ?? SCENARIO_DEFAULTS.description,
    tags: file.tags ?? [],
    file: source,
    agent: { env: { ...(file.agent?.env ?? {}) } },
    twilio: {
      speechRate: file.twilio?.speechRate ?? SCENARIO_DEFAULTS.twilio.speechRate,
      signWebhook: file.twilio?.signWebhook ?? SCENARIO_DEFAULTS.twilio.signWebhook,
      ...(file.twilio?.greetingMs !== undefined ? { greetingMs: file.twilio.greetingMs } : {}),
    },
    llm: file.llm ?? [],
    coval: {
      faults: (file.coval?.faults ?? []).map(covalFault),
      acceptUnknownIds: file.coval?.acceptUnknownIds ?? SCENARIO_DEFAULTS.coval.acceptUnknownIds,
    },
    calls,
    arrival: arrival(file.arrival ?? SCENARIO_DEFAULTS.arrival, calls.length),
    expect: {
      replyContains: file.expect?.replyContains ?? [],
      toolCalled: file.expect?.toolCalled ?? [],
      ...(file.expect?.handoffData !== undefined ? { handoffData: file.expect.handoffData } : {}),
      ...(file.expect?.export !== undefined ? { export: exportExpectation(file.expect.export) } : {}),
      checks: file.expect?.checks ?? [],
      failingChecks: file.expect?.failingChecks ?? [],
    },
  };
  return deepFreeze(scenario);
}

function registration(base: RegistrationFile, override: RegistrationFile | undefined): RegistrationSpec {
  const d = SCENARIO_DEFAULTS.registration;
  const o = override ?? {};
  return {
    payload: o.payload ?? base.payload ?? d.payload,
    apiKey: o.apiKey ?? base.apiKey ?? d.apiKey,
    omitSimulationId: o.omitSimulationId ?? base.omitSimulationId ?? d.omitSimulationId,
    headers: { ...(base.headers ?? {}), ...(o.headers ?? {}) },
    delayBeforeDialMs: o.delayBeforeDialMs ?? base.delayBeforeDialMs ?? d.delayBeforeDialMs,
    repeat: o.repeat ?? base.repeat ?? d.repeat,
  };
}

function utterance(say: SayFile): Utterance {
  if (typeof say === 'string') return { text: say, partials: SCENARIO_DEFAULTS.sayPartials, lang: SCENARIO_DEFAULTS.sayLang };
  return { text: say.text, partials: say.partials ?? SCENARIO_DEFAULTS.sayPartials, lang: say.lang ?? SCENARIO_DEFAULTS.sayLang };
}

function step(s: CallerStepFile): CallerStep {
  const timeout = (t: { timeoutMs?: number } | null | undefined) => t?.timeoutMs ?? SCENARIO_DEFAULTS.waitTimeoutMs;
  if (s.say !== undefined) return { kind: 'say', ...utterance(s.say) };
  if (s.waitForReply !== undefined) return { kind: 'waitForReply', timeoutMs: timeout(s.waitForReply) };
  if (s.bargeIn !== undefined) {
    const b = s.bargeIn;
    return {
      kind: 'bargeIn',
      during: b.during ?? 'reply',
      trigger: b.afterTokens !== undefined ? { kind: 'afterTokens', tokens: b.afterTokens } : { kind: 'afterPlaybackMs', ms: b.afterPlaybackMs ?? 0 },
      say: utterance(b.say),
      timeoutMs: timeout(b),
    };
  }
  if (s.press !== undefined) return { kind: 'press', digits: s.press };
  if (s.silence !== undefined) return { kind: 'silence', ms: s.silence.ms };
  if (s.hangUp !== undefined) return { kind: 'hangUp' };
  if (s.waitForEnd !== undefined) return { kind: 'waitForEnd', timeoutMs: timeout(s.waitForEnd) };
  if (s.sendRaw !== undefined) {
    const r = s.sendRaw;
    if (r.text !== undefined) return { kind: 'sendRaw', frame: { kind: 'text', text: r.text } };
    if (r.binaryBase64 !== undefined) return { kind: 'sendRaw', frame: { kind: 'binary', base64: r.binaryBase64 } };
    return { kind: 'sendRaw', frame: { kind: 'json', json: r.json } };
  }
  if (s.waitForGreeting !== undefined) return { kind: 'waitForGreeting', timeoutMs: timeout(s.waitForGreeting) };
  // Unreachable for validated input (a step has exactly one known key); kept as a loud guard.
  throw new TypeError(`unnormalisable caller step: ${JSON.stringify(s)}`);
}

function covalFault(f: NonNullable<NonNullable<ScenarioFile['coval']>['faults']>[number]): CovalFault {
  const delayMs = f.delayMs ?? 0;
  if (f.resetConnection) return { kind: 'reset', delayMs };
  if (f.status !== undefined) {
    return { kind: 'status', status: f.status, ...(f.retryAfterS !== undefined ? { retryAfterS: f.retryAfterS } : {}), delayMs };
  }
  return { kind: 'pass', delayMs };
}

function arrival(value: NonNullable<ScenarioFile['arrival']>, n: number): ArrivalOrder {
  const indices = Array.from({ length: n }, (_, i) => i);
  if (value === 'seeded-shuffle') return { kind: 'seeded-shuffle' };
  if (value === 'registration-order') return { kind: 'fixed', order: indices };
  if (value === 'reverse') return { kind: 'fixed', order: indices.reverse() };
  return { kind: 'fixed', order: [...value] };
}

function exportExpectation(value: NonNullable<NonNullable<ScenarioFile['expect']>['export']>): ExportExpectation {
  if (value === 'none') return { kind: 'none' };
  return { kind: 'spans', minSpans: { ...(value.spans ?? {}) } };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
