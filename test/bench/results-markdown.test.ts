import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchResults } from '../../bench/bench-results.ts';
import { markedBlock, renderReadmeFigures, renderResultsMarkdown, replaceMarkedBlock, targetRows } from '../../bench/results-markdown.ts';

const ROOT = join(import.meta.dirname, '../..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const published = (): BenchResults => JSON.parse(read('bench/results.json')) as BenchResults;

describe('published bench figures', () => {
  it('bench/RESULTS.md is exactly what bench/results.json renders to', () => {
    expect(read('bench/RESULTS.md')).toBe(renderResultsMarkdown(published()));
  });

  it('the README quotes the figures of bench/results.json, not a hand-copied table', () => {
    const block = markedBlock(read('README.md'), 'bench-figures');
    expect(block, 'README.md needs a <!-- bench-figures:start --> … <!-- bench-figures:end --> block').toBeDefined();
    expect(block).toBe(renderReadmeFigures(published()));
  });
});

describe('targetRows', () => {
  const verdictOf = (results: BenchResults, prefix: string): string | undefined => targetRows(results).find(([target]) => target.startsWith(prefix))?.[2];

  it('judges the paced p99 against 5 ms and the library against 10 s at the default concurrency', () => {
    const results = published();
    const paced = results.agents.find((l) => l.name === 'c500-paced');
    if (!paced) throw new Error('bench/results.json has no c500-paced level');
    const withP99 = (ms: number): BenchResults => ({
      ...results,
      agents: results.agents.map((l) => (l === paced ? { ...l, reference: { ...l.reference, median: { ...l.reference.median, agentAddedP99: ms } } } : l)),
    });
    expect(verdictOf(withP99(4.9), 'agent-added latency p99 ≤ 5 ms (500 paced')).toBe('met');
    expect(verdictOf(withP99(5.1), 'agent-added latency p99 ≤ 5 ms (500 paced')).toMatch(/^\*\*not met\*\*/);
    const withSuite = (ms: number): BenchResults => ({ ...results, suite: { ...results.suite, concurrency16: { ...results.suite.concurrency16, medianMs: ms } } });
    expect(verdictOf(withSuite(9_900), 'full scenario suite')).toBe('met');
    expect(verdictOf(withSuite(10_100), 'full scenario suite')).toBe('**not met**');
  });
});

describe('marked blocks', () => {
  it('replaces only the text between the markers and reads it back', () => {
    const doc = 'intro\n<!-- x:start -->\nold\n<!-- x:end -->\noutro\n';
    const next = replaceMarkedBlock(doc, 'x', 'new\ntable');
    expect(next).toBe('intro\n<!-- x:start -->\nnew\ntable\n<!-- x:end -->\noutro\n');
    expect(markedBlock(next, 'x')).toBe('new\ntable');
    expect(markedBlock(next, 'y')).toBeUndefined();
  });

  it('refuses a document without the block', () => {
    expect(() => replaceMarkedBlock('no markers', 'x', 'body')).toThrow(/<!-- x:start -->/);
  });
});
