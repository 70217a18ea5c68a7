import { describe, expect, it } from 'vitest';
import { validateScenario } from '../../../simulator/scenario/load-scenario.ts';
import { formatProblem } from '../../../simulator/scenario/scenario-problem.ts';

/** Problems of `rules.yaml` as `line:column: message (key: …)`, without the file name. */
function problems(body: string, options: Parameters<typeof validateScenario>[2] = {}): string[] {
  const result = validateScenario(`id: rules\ntitle: Rules\n${body}`, 'rules.yaml', options);
  return result.ok ? [] : result.problems.map((p) => formatProblem(p).replace(/^rules\.yaml:/, ''));
}

describe('scenario cross-field rules', () => {
  it('accepts a scenario that breaks no rule', () => {
    expect(problems('caller:\n  - say: "Hi"\n  - bargeIn: { afterTokens: 2, say: "Stop" }\n  - hangUp: {}\n')).toEqual([]);
  });

  it('requires either caller or calls, not both and not neither', () => {
    expect(problems('tags: [x]\n')).toEqual(['1:1: missing the call script: add caller (one call) or calls (several calls)']);
    expect(problems('caller: [hangUp: {}]\ncalls:\n  - caller: [hangUp: {}]\n')).toEqual([
      '4:1: use either caller (one call) or calls (several calls), not both (key: calls)',
    ]);
  });

  it('requires exactly one barge-in trigger, and playback time for the greeting', () => {
    expect(problems('caller:\n  - say: "a"\n  - bargeIn: { say: "b" }\n')).toEqual([
      '5:14: bargeIn needs afterTokens or afterPlaybackMs (when to start speaking) (key: caller[1].bargeIn)',
    ]);
    expect(problems('caller:\n  - say: "a"\n  - bargeIn: { say: "b", afterTokens: 1, afterPlaybackMs: 5 }\n')).toEqual([
      '5:26: give only one of afterTokens and afterPlaybackMs (key: caller[1].bargeIn.afterTokens)',
    ]);
    expect(problems('caller:\n  - bargeIn: { during: greeting, afterTokens: 1, say: "b" }\n')).toEqual([
      '4:34: the greeting has no tokens: use afterPlaybackMs with during: greeting (key: caller[0].bargeIn.afterTokens)',
    ]);
  });

  it('requires something for a reply barge-in to interrupt', () => {
    expect(problems('caller:\n  - bargeIn: { afterTokens: 1, say: "b" }\n')).toEqual([
      '4:5: bargeIn interrupts a reply, but no earlier say or press asked for one (use during: greeting to interrupt the greeting) (key: caller[0])',
    ]);
  });

  it('rejects greeting steps once the greeting is over, and a second greeting step', () => {
    expect(problems('caller:\n  - silence: { ms: 5 }\n  - waitForGreeting: {}\n  - say: "a"\n')).toEqual([]);
    expect(problems('caller:\n  - say: "a"\n  - waitForGreeting: {}\n')).toEqual([
      '5:5: waitForGreeting here comes too late: the greeting is over after caller[0] (say); greeting steps go before any say, press or reply (key: caller[1])',
    ]);
    expect(problems('caller:\n  - waitForGreeting:\n  - bargeIn: { during: greeting, afterPlaybackMs: 5, say: "b" }\n')).toEqual([
      '5:5: bargeIn here comes too late: the greeting is over after caller[0] (waitForGreeting); greeting steps go before any say, press or reply (key: caller[1])',
    ]);
  });

  it('rejects steps after hangUp or waitForEnd', () => {
    expect(problems('caller:\n  - waitForEnd: {}\n  - say: "late"\n  - press: "1"\n')).toEqual([
      '5:5: this step never runs: the call is over after waitForEnd; remove it or move waitForEnd to the end (key: caller[1])',
      '6:5: this step never runs: the call is over after waitForEnd; remove it or move waitForEnd to the end (key: caller[2])',
    ]);
  });

  it('requires exactly one payload in sendRaw', () => {
    expect(problems('caller:\n  - sendRaw: {}\n  - sendRaw: { text: "a", binaryBase64: "AA==" }\n')).toEqual([
      '4:14: sendRaw needs exactly one of text, json or binaryBase64 (got none) (key: caller[0].sendRaw)',
      '5:14: sendRaw needs exactly one of text, json or binaryBase64 (got text and binaryBase64) (key: caller[1].sendRaw)',
    ]);
    expect(problems('caller:\n  - sendRaw: { json: null }\n')).toEqual([]);
  });

  it('requires arrival to be a permutation of the call indices, and calls for arrival at all', () => {
    const calls = 'calls:\n  - caller: [hangUp: {}]\n  - caller: [hangUp: {}]\n';
    expect(problems(`${calls}arrival: [1, 0]\n`)).toEqual([]);
    expect(problems(`${calls}arrival: [1, 1, 2]\n`)).toEqual([
      '6:10: arrival lists 3 indices but there are 2 calls; list each call index once (key: arrival)',
      '6:14: call index 1 is listed twice (also at position 0) (key: arrival[1])',
      '6:17: call index 2 does not exist (calls are numbered 0 to 1) (key: arrival[2])',
    ]);
    expect(problems('caller: [hangUp: {}]\narrival: reverse\n')).toEqual([
      '4:1: arrival orders several calls; it needs calls, not caller (key: arrival)',
    ]);
  });

  it('requires unique call names', () => {
    expect(problems('calls:\n  - { name: a, caller: [hangUp: {}] }\n  - { name: a, caller: [hangUp: {}] }\n')).toEqual([
      "5:13: duplicate call name 'a' (also used by calls[0]) (key: calls[1].name)",
    ]);
  });

  it('checks Coval fault combinations', () => {
    expect(problems('caller: [hangUp: {}]\ncoval:\n  faults:\n    - {}\n    - { resetConnection: true, status: 503 }\n    - { retryAfterS: 2 }\n')).toEqual([
      '6:7: an empty fault: give status, resetConnection or delayMs (key: coval.faults[0])',
      '7:32: resetConnection sends no answer, so status has no effect; remove one (key: coval.faults[1].status)',
      '8:9: retryAfterS needs a status (e.g. 503 or 429) (key: coval.faults[2].retryAfterS)',
    ]);
  });

  it('applies the LLM script semantic rules of parseLlmScript at the rule positions', () => {
    const llm = 'llm:\n  - reply: {}\n  - id: a\n    when: { user: { pattern: "(" } }\n    reply: { text: "x", error: { status: 500 } }\n  - id: a\n    reply: { text: "y" }\n';
    expect(problems(`caller: [hangUp: {}]\n${llm}`)).toEqual([
      '5:12: needs text, toolCalls or error (key: llm[0].reply)',
      '7:30: Invalid regular expression: /(/: Unterminated group (key: llm[1].when.user.pattern)',
      '8:12: an error reply cannot also carry text or toolCalls (key: llm[1].reply)',
      "9:9: duplicate rule id 'a' (key: llm[2].id)",
    ]);
  });

  it('rejects a check expected both to pass and to fail, and ids outside the catalogue (by default the real one)', () => {
    const body = 'caller: [hangUp: {}]\nexpect:\n  checks: [CR-FRAMES-VALID, CR-B]\n  failingChecks: [CR-FRAMES-VALID]\n';
    expect(problems(body)).toEqual([
      '5:29: unknown check id CR-B (see the check catalogue) (key: expect.checks[1])',
      '6:19: check CR-FRAMES-VALID cannot be both expected to pass (checks) and to fail (failingChecks) (key: expect.failingChecks[0])',
    ]);
    expect(problems('caller: [hangUp: {}]\nexpect:\n  checks: [CR-A, CR-B]\n', { knownCheckIds: new Set(['CR-A']) })).toEqual([
      '5:18: unknown check id CR-B (see the check catalogue) (key: expect.checks[1])',
    ]);
  });
});
