import { describe, expect, it } from 'vitest';
import { formatConsoleReport } from '../../../simulator/report/console-report.ts';
import { HOSTILE, sampleRunReport } from '../../support/report-fixtures.ts';

const plain = formatConsoleReport(sampleRunReport(), { color: false, verbose: false });
const lines = plain.trimEnd().split('\n');

describe('formatConsoleReport', () => {
  it('prints a passing scenario on one line, with its warning ids below', () => {
    const i = lines.findIndex((l) => l.startsWith('PASS  greeting-and-one-question'));
    expect(i).toBeGreaterThan(0);
    expect(lines[i]).toContain('(16 checks, 1 warning,');
    expect(lines[i + 1]).toBe('    warnings: CR-TOKENS-UNTRIMMED');
    expect(lines[i + 2]).toMatch(/^FAIL /);
  });

  it('lists a failing scenario by check, with the message, evidence and record paths, then its replay', () => {
    const start = lines.findIndex((l) => l.startsWith('FAIL  barge-in-mid-answer'));
    const block = lines.slice(start, lines.findIndex((l, k) => k > start && /^(PASS|FAIL|SKIP|ERROR) /.test(l)));
    expect(block).toContain('    CR-INTERRUPT-STOPS (MUST)');
    expect(block).toContain('      [call-1] fail: 3 tokens of the interrupted cycle arrived after the interrupt (grace 50 ms)');
    expect(block.filter((l) => /^ {8}- text ".*" \d+ ms after the interrupt \(calls\[0\]\.relay\.frames\[\d+\]\)$/.test(l))).toHaveLength(3);
    expect(block).toContain('        - first token written 50 ms after the request (llm.requests[0].chunks[1])');
    expect(block).toContain('      [call-1] missing: no finalize findings were recorded for the simulation');
    expect(block).toContain('    expect fail: reply contains "Dr. Okafor" (no reply mentions it)');
    expect(block).toContain('    expect CR-INTERRUPT-STOPS to pass: not met (call 0: fail)');
    expect(block.at(-1)).toBe('    replay: relaysim run --seed 2202 --scenario barge-in-mid-answer');
    // passing checks of a failing scenario stay out unless verbose
    expect(block.join('\n')).not.toContain('CR-INTERRUPT-HISTORY');
  });

  it('keeps a scenario whose failure its expect.failingChecks asks for on one line, naming the expected failure', () => {
    const i = lines.findIndex((l) => l.startsWith('PASS  four-callers-out-of-order-without-numbers'));
    expect(lines[i]).toContain('(4 checks, 1 expected failure,');
    expect(lines[i + 1]).toBe('    expected failures: COR-OWN-SIMULATION-ID');
    const verbose = formatConsoleReport(sampleRunReport(), { color: false, verbose: true });
    expect(verbose).toContain('    COR-OWN-SIMULATION-ID (MUST, expected to fail)');
    expect(verbose).toContain('    expect COR-OWN-SIMULATION-ID to fail: met (call 0: fail)');
  });

  it('shows why a scenario was skipped or errored, and the replay of an errored one', () => {
    expect(plain).toContain('SKIP  registration-expired');
    expect(plain).toContain('    reason: needs REGISTRATION_TTL_SECONDS');
    expect(plain).toContain('    error: the agent under test exited during the run (code 1) (SIM_ERR_AGENT_EXITED)');
    expect(plain).toContain('    replay: relaysim run --seed 4404 --scenario llm-http-500');
    expect(plain).toContain('      fail: GET /health failed: connection refused');
  });

  it('ends with the verdict, the counts, the seed and the run replay', () => {
    expect(lines.at(-2)).toBe('FAILED: 2 passed, 1 failed, 1 skipped, 1 errored | checks 21 pass, 1 warn, 4 fail (1 expected), 2 missing, 2 skip | expectations 2 passed, 1 failed | check expectations 19 met, 1 unmet');
    expect(lines.at(-1)).toBe('seed 424242 | replay: relaysim run --seed 424242 --agent-embedded');
    expect(lines[0]).toBe('relaysim 0.1.0 - 5 scenarios, seed 424242, agent embedded agent/embed.ts');
  });

  it('lists every check and expectation when verbose', () => {
    const verbose = formatConsoleReport(sampleRunReport(), { color: false, verbose: true });
    expect(verbose).toContain('CR-INTERRUPT-HISTORY (MUST)');
    expect(verbose).toContain('      [call-1] pass: the next request carried the heard text');
    expect(verbose).toContain('    expect pass: reply contains "April 15th"');
    expect(verbose.split('\n').length).toBeGreaterThan(lines.length + 20);
  });

  it('colours only when asked, with the same text underneath', () => {
    const coloured = formatConsoleReport(sampleRunReport(), { color: true, verbose: false });
    expect(plain).not.toContain('\u001b[');
    expect(coloured).toContain('\u001b[31mFAIL ');
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });

  it('keeps untrusted text on one line and shows control characters instead of sending them', () => {
    const report = sampleRunReport({ hostile: true });
    const bad = {
      ...report,
      scenarios: report.scenarios.map((s, i) => (i !== 1 ? s : { ...s, results: s.results.map((r) => ({ ...r, message: `line one\nFAIL  fake-scenario\u001b[2J done` })) })),
    };
    const text = formatConsoleReport(bad, { color: false, verbose: false });
    expect(text).not.toContain('\u001b');
    expect(text).toContain('line one ⏎ FAIL  fake-scenario\\u{1b}[2J done');
    expect(text.split('\n').filter((l) => l.startsWith('FAIL  fake-scenario'))).toHaveLength(0);
    expect(text).toContain(HOSTILE);
  });
});
