import { parseLlmScript } from '../openai/script.ts';
import { keyPath } from './scenario-problem.ts';
import type { CallerStepFile, ScenarioFile } from './schema.ts';
import type { PointerProblem } from './schema-problems.ts';

/** Options of the cross-field rules. */
export interface ScenarioRuleOptions {
  /** The scenario id the file name demands (the base name without `.yaml`). */
  readonly expectedId?: string;
  /** When given, `expect.checks` / `expect.failingChecks` must name ids from this set. */
  readonly knownCheckIds?: ReadonlySet<string>;
}

/** The rules a schema cannot say: key combinations, step order, arrival permutations, LLM script semantics. */
export function scenarioRuleProblems(file: ScenarioFile, options: ScenarioRuleOptions = {}): PointerProblem[] {
  const out: PointerProblem[] = [];
  const add = (pointer: string, message: string, target: 'key' | 'value' = 'value') => out.push({ pointer, target, message });

  if (options.expectedId !== undefined && file.id !== options.expectedId) {
    add('/id', `id '${file.id}' must equal the file name without .yaml ('${options.expectedId}'); rename one of them`);
  }

  if (file.caller !== undefined && file.calls !== undefined) {
    add('/calls', 'use either caller (one call) or calls (several calls), not both', 'key');
  } else if (file.caller === undefined && file.calls === undefined) {
    add('', 'missing the call script: add caller (one call) or calls (several calls)');
  }
  if (file.caller !== undefined) stepProblems(file.caller, '/caller', add);
  const names = new Map<string, number>();
  file.calls?.forEach((call, i) => {
    stepProblems(call.caller, `/calls/${i}/caller`, add);
    if (call.name === undefined) return;
    const first = names.get(call.name);
    if (first !== undefined) add(`/calls/${i}/name`, `duplicate call name '${call.name}' (also used by calls[${first}])`);
    else names.set(call.name, i);
  });
  arrivalProblems(file, add);

  file.coval?.faults?.forEach((fault, i) => {
    const at = `/coval/faults/${i}`;
    if (Object.keys(fault).length === 0) add(at, 'an empty fault: give status, resetConnection or delayMs');
    if (fault.resetConnection && fault.status !== undefined) add(`${at}/status`, 'resetConnection sends no answer, so status has no effect; remove one', 'key');
    if (fault.retryAfterS !== undefined && fault.status === undefined) add(`${at}/retryAfterS`, 'retryAfterS needs a status (e.g. 503 or 429)', 'key');
  });

  const checks = file.expect?.checks ?? [];
  const failing = file.expect?.failingChecks ?? [];
  failing.forEach((id, i) => {
    if (checks.includes(id)) add(`/expect/failingChecks/${i}`, `check ${id} cannot be both expected to pass (checks) and to fail (failingChecks)`);
  });
  if (options.knownCheckIds !== undefined) {
    const known = options.knownCheckIds;
    for (const [list, ids] of [['checks', checks], ['failingChecks', failing]] as const) {
      ids.forEach((id, i) => {
        if (!known.has(id)) add(`/expect/${list}/${i}`, `unknown check id ${id} (see the check catalogue)`);
      });
    }
  }

  if (file.llm !== undefined) llmProblems(file.llm, add);
  return out;
}

type Add = (pointer: string, message: string, target?: 'key' | 'value') => void;

const SPEAKING_KINDS = new Set(['say', 'press', 'bargeIn']);

function stepProblems(steps: readonly CallerStepFile[], base: string, add: Add): void {
  let ended: string | undefined;
  let greetingOver: string | undefined;
  let spoken = false;
  steps.forEach((step, i) => {
    const at = `${base}/${i}`;
    const kind = Object.keys(step)[0] ?? '';
    if (ended !== undefined) {
      add(at, `this step never runs: the call is over after ${ended}; remove it or move ${ended} to the end`);
      return;
    }
    const bargeIn = step.bargeIn;
    const isGreetingStep = kind === 'waitForGreeting' || bargeIn?.during === 'greeting';
    if (isGreetingStep && greetingOver !== undefined) {
      add(at, `${kind} here comes too late: the greeting is over after ${greetingOver}; greeting steps go before any say, press or reply`);
    }
    if (bargeIn !== undefined) {
      const both = bargeIn.afterTokens !== undefined && bargeIn.afterPlaybackMs !== undefined;
      const neither = bargeIn.afterTokens === undefined && bargeIn.afterPlaybackMs === undefined;
      if (both) add(`${at}/bargeIn/afterTokens`, 'give only one of afterTokens and afterPlaybackMs', 'key');
      if (neither) add(`${at}/bargeIn`, 'bargeIn needs afterTokens or afterPlaybackMs (when to start speaking)');
      if (bargeIn.during === 'greeting' && bargeIn.afterTokens !== undefined) {
        add(`${at}/bargeIn/afterTokens`, 'the greeting has no tokens: use afterPlaybackMs with during: greeting', 'key');
      }
      if (bargeIn.during !== 'greeting' && !spoken) {
        add(at, 'bargeIn interrupts a reply, but no earlier say or press asked for one (use during: greeting to interrupt the greeting)');
      }
    }
    const raw = step.sendRaw;
    if (raw !== undefined) {
      const given = (['text', 'json', 'binaryBase64'] as const).filter((k) => k in raw);
      if (given.length !== 1) {
        const got = given.length === 0 ? 'none' : given.join(' and ');
        add(`${at}/sendRaw`, `sendRaw needs exactly one of text, json or binaryBase64 (got ${got})`);
      }
    }
    if (SPEAKING_KINDS.has(kind)) spoken = true;
    if (greetingOver === undefined && (isGreetingStep || SPEAKING_KINDS.has(kind) || kind === 'waitForReply')) {
      greetingOver = `${keyPath(at)} (${kind})`;
    }
    if (kind === 'hangUp' || kind === 'waitForEnd') ended = kind;
  });
}

function arrivalProblems(file: ScenarioFile, add: Add): void {
  const arrival = file.arrival;
  if (arrival === undefined) return;
  if (file.calls === undefined) {
    if (file.caller !== undefined) add('/arrival', 'arrival orders several calls; it needs calls, not caller', 'key');
    return;
  }
  if (!Array.isArray(arrival)) return;
  const n = file.calls.length;
  if (arrival.length !== n) add('/arrival', `arrival lists ${arrival.length} indices but there are ${n} calls; list each call index once`);
  const seen = new Map<number, number>();
  arrival.forEach((index, i) => {
    if (index >= n) add(`/arrival/${i}`, `call index ${index} does not exist (calls are numbered 0 to ${n - 1})`);
    const first = seen.get(index);
    if (first !== undefined) add(`/arrival/${i}`, `call index ${index} is listed twice (also at position ${first})`);
    else seen.set(index, i);
  });
}

/** The LLM script's own semantic rules (parseLlmScript), re-addressed from `/i/...` to `/llm/i/...`. */
function llmProblems(script: unknown, add: Add): void {
  try {
    parseLlmScript(script);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const body = text.replace(/^[\s\S]*?Invalid LLM script: /, '').replace(/\. Fix the `llm` rules[\s\S]*$/, '');
    for (const part of body.split(/; (?=\/)/)) {
      const match = /^(\/[^:\s]*): ([\s\S]*)$/.exec(part);
      if (match) add(`/llm${match[1] ?? ''}`, match[2] ?? part);
      else add('/llm', part);
    }
  }
}
