import { describe, expect, it } from 'vitest';
import { SimErrors } from '../../../simulator/core/errors.ts';
import {
  formatProblem,
  keyPath,
  type ScenarioProblem,
  scenarioInvalidError,
  scenarioProblemsOf,
  sortProblems,
} from '../../../simulator/scenario/scenario-problem.ts';

const problem = (over: Partial<ScenarioProblem>): ScenarioProblem => ({
  file: 'a.yaml',
  line: 1,
  column: 1,
  key: '',
  pointer: '',
  message: 'm',
  ...over,
});

describe('keyPath', () => {
  it('writes indices in brackets and keys with dots', () => {
    expect(keyPath('/calls/0/caller/12/bargeIn')).toBe('calls[0].caller[12].bargeIn');
    expect(keyPath('/arrival/1')).toBe('arrival[1]');
    expect(keyPath('')).toBe('');
  });
});

describe('formatProblem', () => {
  it('prints file:line:column: message and the key when there is one', () => {
    expect(formatProblem(problem({ line: 3, column: 9, key: 'twilio.speechRate', message: 'bad' }))).toBe('a.yaml:3:9: bad (key: twilio.speechRate)');
    expect(formatProblem(problem({ message: 'whole file' }))).toBe('a.yaml:1:1: whole file');
  });
});

describe('sortProblems', () => {
  it('orders by file, line, column, then message', () => {
    const sorted = sortProblems([
      problem({ file: 'b.yaml' }),
      problem({ line: 2, column: 1 }),
      problem({ line: 1, column: 5 }),
      problem({ line: 1, column: 5, message: 'a' }),
    ]);
    expect(sorted.map((p) => `${p.file}:${p.line}:${p.column}:${p.message}`)).toEqual(['a.yaml:1:5:a', 'a.yaml:1:5:m', 'a.yaml:2:1:m', 'b.yaml:1:1:m']);
  });
});

describe('scenarioInvalidError', () => {
  it('is SIM_ERR_SCENARIO_INVALID listing the problems, which scenarioProblemsOf returns', () => {
    const error = scenarioInvalidError('a.yaml', [problem({ line: 2 }), problem({ line: 1 })]);
    expect(error).toBeInstanceOf(SimErrors.SIM_ERR_SCENARIO_INVALID);
    expect(error.code).toBe('SIM_ERR_SCENARIO_INVALID');
    expect(error.message).toContain('a.yaml:1:1: m\na.yaml:2:1: m');
    expect(scenarioProblemsOf(error)?.map((p) => p.line)).toEqual([1, 2]);
    expect(Object.isFrozen(error.problems)).toBe(true);
  });

  it('gives nothing for other errors', () => {
    expect(scenarioProblemsOf(new Error('x'))).toBeUndefined();
    expect(scenarioProblemsOf(new SimErrors.SIM_ERR_SCENARIO_NOT_FOUND('a', 'b'))).toBeUndefined();
  });
});
