import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayCommand, shellQuote } from '../../../simulator/cli/replay-command.ts';
import { isUsageProblem, parseRunOptions, type RunOptions } from '../../../simulator/cli/run-options.ts';
import { fcOptions } from '../../support/fc-config.ts';

function options(args: string[]): RunOptions {
  const o = parseRunOptions(args);
  if (isUsageProblem(o)) throw new Error(o.usage);
  return o;
}

/** What /bin/sh makes of the words: each argument printed NUL-terminated. */
function shellWords(line: string): string[] {
  return execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' }).split('\0').slice(0, -1);
}

describe('shellQuote', () => {
  it('leaves plain words bare and quotes the rest', () => {
    expect(shellQuote('barge-in-mid-answer')).toBe('barge-in-mid-answer');
    expect(shellQuote('http://127.0.0.1:8080/x')).toBe('http://127.0.0.1:8080/x');
    expect(shellQuote('python3 agent.py')).toBe('"python3 agent.py"');
    expect(shellQuote('barge-*')).toBe('"barge-*"');
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
    expect(shellQuote('')).toBe('""');
  });

  it('round-trips every string through /bin/sh', () => {
    const words = fc.array(fc.string({ unit: fc.constantFrom('a', ' ', "'", '"', '$', '`', '\\', '!', '*', '?', '=', '-', '\n', '#', '&', ';', '|', '(', '~', 'é') }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(words, (ws) => {
        expect(shellWords(ws.map(shellQuote).join(' '))).toEqual(ws);
      }),
      fcOptions({ numRuns: 60 }, 'shellQuote round trip'),
    );
  });
});

describe('replayCommand', () => {
  it('names one scenario, the seed and the spawned agent', () => {
    expect(replayCommand(options(['--spawn', 'python3 agent.py', '-s', 'barge-*']), { seed: 123_456, scenario: 'barge-in-mid-answer' })).toBe(
      'npx relaysim run --scenario barge-in-mid-answer --seed 123456 --spawn "python3 agent.py"',
    );
  });

  it('keeps the whole selection, paths, url options, env, path overrides, strict and determinism for a run replay', () => {
    const o = options([
      'my-scenarios', '-s', 'barge-*', '-t', 'core', '--agent-url', 'http://127.0.0.1:9000', '--coval-port', '5011',
      '--webhook-path', '/voice', '--ws-path', '/relay', '--strict', '--start-timeout', '30',
    ]);
    const line = replayCommand(o, { seed: 7 });
    expect(line).toBe(
      'npx relaysim run my-scenarios --scenario "barge-*" --tag core --seed 7 --agent-url http://127.0.0.1:9000 --coval-port 5011 --webhook-path /voice --ws-path /relay --start-timeout 30 --strict',
    );
    const spawned = replayCommand(options(['--spawn', 'node a.js', '--agent-env', 'CORRELATION_STRATEGY=fifo', '--check-determinism']), { seed: 1, scenario: 'x' });
    expect(spawned).toBe('npx relaysim run --scenario x --seed 1 --spawn "node a.js" --agent-env CORRELATION_STRATEGY=fifo --check-determinism');
  });

  it('gives arguments that parse back to the same run', () => {
    const o = options(['--spawn', `python3 -c 'print("hi $USER")'`, '-s', 'a?c', '--agent-env', 'X=a b', '--seed', '9']);
    const words = shellWords(replayCommand(o, { seed: 9 }).replace(/^npx relaysim run /, ''));
    const back = options(words);
    expect(back.agent).toEqual(o.agent);
    expect(back.agentEnv).toEqual(o.agentEnv);
    expect(back.scenarios).toEqual(o.scenarios);
    expect(back.seed).toBe(9);
  });
});
