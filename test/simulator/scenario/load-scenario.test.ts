import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { SimErrors } from '../../../simulator/core/errors.ts';
import {
  loadScenarioFile,
  loadScenarioLibrary,
  parseScenario,
  validateScenario,
} from '../../../simulator/scenario/load-scenario.ts';
import { formatProblem, scenarioProblemsOf } from '../../../simulator/scenario/scenario-problem.ts';
import { SCENARIO_DEFAULTS } from '../../../simulator/scenario/schema.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The formatted problems of a text that must be invalid. */
function problemLines(text: string, file = 'scenarios/broken-file.yaml'): string[] {
  const result = validateScenario(text, file);
  if (result.ok) throw new Error('expected problems, got a valid scenario');
  return result.problems.map(formatProblem);
}

async function tempDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'relaysim-scenarios-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

const minimal = (id: string, extra = '') => `id: ${id}\ntitle: T\ncaller:\n  - say: "Hi"\n${extra}`;

describe('parseScenario problem positions', () => {
  const broken = [
    'id: broken-file',
    'title: A broken file',
    'tags: [core]',
    'twilio:',
    '  speechRate: fast',
    '  signWebhok: valid',
    'calls:',
    '  - from: "+15550100001"',
    '    caller:',
    '      - say: "Hi"',
    '      - sya: "Hello"',
    '      - press: 1',
    '  - caller:',
    '      - bargeIn: { afterTokens: 3 }',
    '',
  ].join('\n');

  it('reports a wrong type at the value, an unknown key at the key, a bad step and a missing key, in source order', () => {
    expect(problemLines(broken)).toEqual([
      "scenarios/broken-file.yaml:5:15: expected a number, got 'fast' (key: twilio.speechRate)",
      "scenarios/broken-file.yaml:6:3: unknown key 'signWebhok' (did you mean 'signWebhook'?); allowed: speechRate, signWebhook, greetingMs (key: twilio.signWebhok)",
      "scenarios/broken-file.yaml:11:9: unknown key 'sya' (did you mean 'say'?); allowed: say, waitForReply, bargeIn, press, silence, hangUp, waitForEnd, sendRaw, waitForGreeting (key: calls[0].caller[1].sya)",
      'scenarios/broken-file.yaml:12:16: expected a string, got the number 1 (put it in quotes) (key: calls[0].caller[2].press)',
      "scenarios/broken-file.yaml:14:18: missing required key 'say' (key: calls[1].caller[0].bargeIn)",
    ]);
  });

  it('points a missing top-level key at the start of the document content, after leading comments', () => {
    expect(problemLines('# header\n\nid: no-title\ncaller: [hangUp: {}]\n', 'no-title.yaml')).toEqual([
      "no-title.yaml:3:1: missing required key 'title'",
    ]);
  });

  it('keeps the YAML parser position for a syntax error and reports nothing else', () => {
    const text = 'id: bad-yaml\ntitle: T\ntags: [a, b\ncaller:\n  - hangUp: {}\n';
    expect(problemLines(text, 'bad-yaml.yaml')).toEqual([
      'bad-yaml.yaml:4:1: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('reports a duplicate key at the second occurrence', () => {
    expect(problemLines('id: dup\ntitle: T\ntitle: U\ncaller: [hangUp: {}]\n', 'dup.yaml')).toEqual([
      'dup.yaml:3:1: YAML: Map keys must be unique',
    ]);
  });

  it('reports an alias without an anchor at the alias, and refuses an alias bomb', () => {
    expect(problemLines('id: a\ntitle: *nope\ncaller: [hangUp: {}]\n', 'a.yaml')).toEqual(['a.yaml:2:8: YAML: alias *nope has no anchor &nope before it']);
    let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 6; i++) bomb += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    expect(problemLines(bomb, 'bomb.yaml')).toEqual(['bomb.yaml:1:1: YAML: Excessive alias count indicates a resource exhaustion attack']);
  });

  it('refuses several documents in one file', () => {
    expect(problemLines('id: a\ntitle: x\n---\nid: b\n', 'a.yaml')).toEqual([
      'a.yaml:3:1: YAML: one scenario per file: remove the --- document separator',
    ]);
  });

  it('counts lines the same with CRLF line ends', () => {
    expect(problemLines('id: a\r\ntitle: 5\r\ncaller: [hangUp: {}]\r\n', 'a.yaml')).toEqual([
      'a.yaml:2:8: expected a string, got the number 5 (put it in quotes) (key: title)',
    ]);
  });

  it('reports a step with two keys or none at the step', () => {
    const text = minimal('steps', '  - say: "a"\n    press: "1"\n  - {}\n');
    expect(problemLines(text, 'steps.yaml')).toEqual([
      'steps.yaml:5:5: expected a mapping with exactly one step key (say, waitForReply, bargeIn, press, silence, hangUp, waitForEnd, sendRaw, waitForGreeting), got 2 keys (say, press) (key: caller[1])',
      'steps.yaml:7:5: expected a mapping with exactly one step key (say, waitForReply, bargeIn, press, silence, hangUp, waitForEnd, sendRaw, waitForGreeting), got no key (key: caller[2])',
    ]);
  });

  it('resolves a union to the intended form and reports the key inside it', () => {
    const text = minimal('say-object', '  - say: { text: "Hello", partial: true }\n');
    expect(problemLines(text, 'say-object.yaml')).toEqual([
      "say-object.yaml:5:27: unknown key 'partial' (did you mean 'partials'?); allowed: text, partials, lang (key: caller[1].say.partial)",
    ]);
  });

  it('lists the allowed words for an enum', () => {
    const text = minimal('enum', 'registration:\n  payload: id+form\n');
    expect(problemLines(text, 'enum.yaml')).toEqual([
      "enum.yaml:6:12: expected 'id', 'id+from', 'id+from+to' or 'none', got 'id+form' (key: registration.payload)",
    ]);
  });

  it('checks the embedded LLM script against its own schema with positions', () => {
    const text = minimal('llm-shape', 'llm:\n  - when: { user: 5 }\n    reply: { text: "x", chunk: words }\n');
    expect(problemLines(text, 'llm-shape.yaml')).toEqual([
      'llm-shape.yaml:6:19: expected a string or a mapping, got the number 5 (key: llm[0].when.user)',
      "llm-shape.yaml:7:32: expected 'token', 'word' or a mapping, got 'words' (key: llm[0].reply.chunk)",
    ]);
  });

  it('says what the file is when it is empty or not a mapping', () => {
    expect(problemLines('', 'empty.yaml')).toEqual(['empty.yaml:1:1: expected a scenario (a mapping with id, title and caller), got an empty file']);
    expect(problemLines('- a\n', 'list.yaml')).toEqual(['list.yaml:1:1: expected a scenario (a mapping with id, title and caller), got a list']);
  });

  it('throws SIM_ERR_SCENARIO_INVALID carrying every problem with file, line, column and key', () => {
    let caught: unknown;
    try {
      parseScenario(broken, 'scenarios/broken-file.yaml');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SimErrors.SIM_ERR_SCENARIO_INVALID);
    const problems = scenarioProblemsOf(caught);
    expect(problems).toHaveLength(5);
    expect(problems?.[0]).toEqual({
      file: 'scenarios/broken-file.yaml',
      line: 5,
      column: 15,
      key: 'twilio.speechRate',
      pointer: '/twilio/speechRate',
      message: "expected a number, got 'fast'",
    });
    expect((caught as Error).message).toContain('scenarios/broken-file.yaml:14:18: missing required key');
  });
});

describe('parseScenario normalisation', () => {
  it('turns the caller shorthand into one call with every default filled', () => {
    const scenario = parseScenario(minimal('short', '  - waitForReply: {}\n  - hangUp:\n'), 'short.yaml');
    expect(scenario).toEqual({
      id: 'short',
      title: 'T',
      description: '',
      tags: [],
      file: 'short.yaml',
      agent: { env: {} },
      twilio: { speechRate: SCENARIO_DEFAULTS.twilio.speechRate, signWebhook: 'valid' },
      llm: [],
      coval: { faults: [], acceptUnknownIds: false },
      calls: [
        {
          index: 0,
          name: 'call-1',
          registration: { payload: 'id+from', apiKey: 'valid', omitSimulationId: false, headers: {}, delayBeforeDialMs: 0, repeat: 1 },
          caller: [
            { kind: 'say', text: 'Hi', partials: false, lang: 'en-US' },
            { kind: 'waitForReply', timeoutMs: SCENARIO_DEFAULTS.waitTimeoutMs },
            { kind: 'hangUp' },
          ],
        },
      ],
      arrival: { kind: 'fixed', order: [0] },
      expect: { replyContains: [], toolCalled: [], checks: [], failingChecks: [] },
    });
  });

  it('merges each call registration over the scenario default, headers key by key', () => {
    const text = `id: merge
title: T
registration: { payload: id, repeat: 2, headers: { X-A: "1", X-B: "2" } }
calls:
  - caller: [hangUp: {}]
  - name: second
    from: "+15550100002"
    registration: { apiKey: wrong, repeat: 1, headers: { X-B: "3" } }
    caller: [hangUp: {}]
`;
    const [first, second] = parseScenario(text, 'merge.yaml').calls;
    expect(first?.registration).toEqual({ payload: 'id', apiKey: 'valid', omitSimulationId: false, headers: { 'X-A': '1', 'X-B': '2' }, delayBeforeDialMs: 0, repeat: 2 });
    expect(second?.registration).toEqual({ payload: 'id', apiKey: 'wrong', omitSimulationId: false, headers: { 'X-A': '1', 'X-B': '3' }, delayBeforeDialMs: 0, repeat: 1 });
    expect(second?.name).toBe('second');
    expect(second?.from).toBe('+15550100002');
    expect(first && 'from' in first).toBe(false);
  });

  it.each([
    ['registration-order', { kind: 'fixed', order: [0, 1, 2] }],
    ['reverse', { kind: 'fixed', order: [2, 1, 0] }],
    ['[1, 2, 0]', { kind: 'fixed', order: [1, 2, 0] }],
    ['seeded-shuffle', { kind: 'seeded-shuffle' }],
  ])('normalises arrival %s', (arrival, expected) => {
    const call = '  - caller: [hangUp: {}]\n';
    const scenario = parseScenario(`id: order\ntitle: T\ncalls:\n${call}${call}${call}arrival: ${arrival}\n`, 'order.yaml');
    expect(scenario.arrival).toEqual(expected);
  });

  it('tags every step with its kind and fills step defaults', () => {
    const text = `id: steps
title: T
caller:
  - waitForGreeting:
  - say: { text: "Hello", partials: true, lang: "es-ES" }
  - bargeIn: { afterTokens: 4, say: "Stop" }
  - bargeIn: { afterPlaybackMs: 250, say: { text: "Wait" }, timeoutMs: 3000 }
  - press: "12#"
  - silence: { ms: 700 }
  - sendRaw: { text: "not json" }
  - sendRaw: { json: { type: bogus } }
  - sendRaw: { binaryBase64: "AAEC" }
  - waitForEnd: { timeoutMs: 2000 }
`;
    expect(parseScenario(text, 'steps.yaml').calls[0]?.caller).toEqual([
      { kind: 'waitForGreeting', timeoutMs: 10_000 },
      { kind: 'say', text: 'Hello', partials: true, lang: 'es-ES' },
      { kind: 'bargeIn', during: 'reply', trigger: { kind: 'afterTokens', tokens: 4 }, say: { text: 'Stop', partials: false, lang: 'en-US' }, timeoutMs: 10_000 },
      { kind: 'bargeIn', during: 'reply', trigger: { kind: 'afterPlaybackMs', ms: 250 }, say: { text: 'Wait', partials: false, lang: 'en-US' }, timeoutMs: 3000 },
      { kind: 'press', digits: '12#' },
      { kind: 'silence', ms: 700 },
      { kind: 'sendRaw', frame: { kind: 'text', text: 'not json' } },
      { kind: 'sendRaw', frame: { kind: 'json', json: { type: 'bogus' } } },
      { kind: 'sendRaw', frame: { kind: 'binary', base64: 'AAEC' } },
      { kind: 'waitForEnd', timeoutMs: 2000 },
    ]);
  });

  it('normalises Coval faults and export expectations into tagged forms', () => {
    const text = minimal(
      'faults',
      `coval:
  faults: [{ status: 503, retryAfterS: 1 }, { resetConnection: true, delayMs: 5 }, { delayMs: 100 }, { status: 200 }]
expect:
  export: none
`,
    );
    const scenario = parseScenario(text, 'faults.yaml');
    expect(scenario.coval.faults).toEqual([
      { kind: 'status', status: 503, retryAfterS: 1, delayMs: 0 },
      { kind: 'reset', delayMs: 5 },
      { kind: 'pass', delayMs: 100 },
      { kind: 'status', status: 200, delayMs: 0 },
    ]);
    expect(scenario.expect.export).toEqual({ kind: 'none' });
    const spans = parseScenario(minimal('spans', 'expect:\n  export: { spans: { stt: 2 } }\n'), 'spans.yaml');
    expect(spans.expect.export).toEqual({ kind: 'spans', minSpans: { stt: 2 } });
  });

  it('returns a deeply frozen scenario', () => {
    const scenario = parseScenario(minimal('frozen', 'llm:\n  - reply: { text: "x" }\n'), 'frozen.yaml');
    expect(Object.isFrozen(scenario)).toBe(true);
    expect(Object.isFrozen(scenario.calls[0]?.caller[0])).toBe(true);
    expect(Object.isFrozen(scenario.llm[0]?.reply)).toBe(true);
    expect(() => {
      (scenario.calls as unknown as unknown[]).push({});
    }).toThrow(TypeError);
  });

  it('requires the id to equal the file name', () => {
    expect(problemLines(minimal('other-name'), 'dir/file-name.yaml')).toEqual([
      "dir/file-name.yaml:1:5: id 'other-name' must equal the file name without .yaml ('file-name'); rename one of them (key: id)",
    ]);
  });

  it('loads a file written from docs/scenarios.md by someone outside the team', async () => {
    const scenario = await loadScenarioFile(join(root, 'test/fixtures/scenarios/lab-results-handoff.yaml'));
    expect(scenario.id).toBe('lab-results-handoff');
    expect(scenario.calls).toHaveLength(1);
    expect(scenario.calls[0]?.registration.payload).toBe('id+from+to');
    expect(scenario.calls[0]?.caller.map((s) => s.kind)).toEqual(['waitForGreeting', 'say', 'waitForReply', 'press', 'sendRaw', 'waitForEnd']);
    expect(scenario.llm[3]?.reply.text).toBe(scenario.llm[1]?.reply.text);
    expect(scenario.coval.faults).toEqual([
      { kind: 'reset', delayMs: 0 },
      { kind: 'pass', delayMs: 250 },
    ]);
    expect(scenario.expect.handoffData).toEqual({ reason: 'caller asked for a nurse' });
  });
});

describe('loadScenarioFile', () => {
  it('throws SIM_ERR_SCENARIO_READ_FAILED naming a missing file', async () => {
    await expect(loadScenarioFile('/nonexistent/none.yaml')).rejects.toThrow(SimErrors.SIM_ERR_SCENARIO_READ_FAILED);
    await expect(loadScenarioFile('/nonexistent/none.yaml')).rejects.toThrow('/nonexistent/none.yaml');
  });
});

describe('loadScenarioLibrary', () => {
  it('loads every *.yaml sorted by file name and ignores other files', async () => {
    const dir = await tempDir({ 'b-two.yaml': minimal('b-two'), 'a-one.yaml': minimal('a-one'), 'README.md': '# not a scenario' });
    const library = await loadScenarioLibrary(dir);
    expect(library.map((s) => s.id)).toEqual(['a-one', 'b-two']);
    expect(library[0]?.file).toBe(join(dir, 'a-one.yaml'));
  });

  it('reports the problems of every file at once and flags .yml files instead of skipping them', async () => {
    const dir = await tempDir({ 'bad-a.yaml': 'id: bad-a\n', 'bad-b.yaml': minimal('bad-b', 'tags: 3\n'), 'good.yml': minimal('good') });
    const error = await loadScenarioLibrary(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(scenarioProblemsOf(error)?.map(formatProblem)).toEqual([
      `${join(dir, 'bad-a.yaml')}:1:1: missing required key 'title'`,
      `${join(dir, 'bad-b.yaml')}:5:7: expected a list, got the number 3 (key: tags)`,
      `${join(dir, 'good.yml')}:1:1: scenario files must end in .yaml (this one would be skipped); rename it`,
    ]);
  });

  it('throws SIM_ERR_SCENARIO_READ_FAILED for a missing folder', async () => {
    await expect(loadScenarioLibrary('/nonexistent-folder')).rejects.toThrow(SimErrors.SIM_ERR_SCENARIO_READ_FAILED);
  });

  it('loads the shipped scenario library', async () => {
    const library = await loadScenarioLibrary(join(root, 'scenarios'));
    expect(library.map((s) => s.id)).toEqual(expect.arrayContaining(['barge-in-mid-answer', 'greeting-and-one-question']));
  });
});
