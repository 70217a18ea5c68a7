import { describe, expect, it } from 'vitest';
import { pointerSegments, YamlSource } from '../../../simulator/scenario/yaml-positions.ts';

const text = `# comment
top:
  key: value
  list:
    - a
    - { inner: 1 }
  "we/ird~": x
anchor: &shared { deep: 2 }
alias: *shared
empty:
`;

describe('YamlSource.locate', () => {
  const source = new YamlSource(text);

  it('points at a value, or at its key when asked', () => {
    expect(source.locate('/top/key')).toEqual({ line: 3, column: 8 });
    expect(source.locate('/top/key', 'key')).toEqual({ line: 3, column: 3 });
  });

  it('walks sequences and flow mappings', () => {
    expect(source.locate('/top/list/0')).toEqual({ line: 5, column: 7 });
    expect(source.locate('/top/list/1/inner')).toEqual({ line: 6, column: 16 });
    expect(source.locate('/top/list/1/inner', 'key')).toEqual({ line: 6, column: 9 });
  });

  it('unescapes JSON-pointer segments', () => {
    expect(source.locate('/top/we~1ird~0', 'key')).toEqual({ line: 7, column: 3 });
  });

  it('follows aliases to the anchored node', () => {
    expect(source.locate('/alias/deep')).toEqual({ line: 8, column: 25 });
  });

  it('falls back to the deepest existing node for a path that does not exist', () => {
    expect(source.locate('/top/missing')).toEqual({ line: 3, column: 3 });
    expect(source.locate('/top/list/9')).toEqual({ line: 5, column: 5 });
    expect(source.locate('')).toEqual({ line: 2, column: 1 });
  });

  it('points an empty value at the end of its key line', () => {
    expect(source.locate('/empty')).toEqual({ line: 10, column: 7 });
  });

  it('reports syntax problems with their position and no excerpt', () => {
    const problems = new YamlSource('a: [1, 2\nb: 3\n').syntaxProblems();
    expect(problems[0]).toMatchObject({ line: 2, column: 1 });
    expect(problems[0]?.message).not.toContain('\n');
  });
});

describe('pointerSegments', () => {
  it('splits and unescapes', () => {
    expect(pointerSegments('')).toEqual([]);
    expect(pointerSegments('/a/0/b~1c/d~0e')).toEqual(['a', '0', 'b/c', 'd~e']);
  });
});
