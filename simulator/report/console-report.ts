/**
 * The console report: one line per passing scenario; for a failing one, its failing and warning
 * checks grouped by check, each with its message, the evidence (summary and record path) and the
 * replay command; then a summary line and the seed. Colour only when the caller says the output is
 * a TTY; the text is the same either way.
 */
import { CHECKS } from '../checks/catalogue.ts';
import type { CheckResult } from '../checks/check-result.ts';
import { resultStanding, type ReportExpectation, type ResultStanding, type RunReport, type ScenarioReport } from './run-report.ts';
import { callName, evidenceText, formatDuration, oneLine } from './report-text.ts';

/** Options of {@link formatConsoleReport}. */
export interface ConsoleReportOptions {
  /** ANSI colours (pass `process.stdout.isTTY && !NO_COLOR`). */
  readonly color: boolean;
  /** Also list passing and skipped checks, and every scenario's checks. */
  readonly verbose: boolean;
}

type Paint = (code: string, text: string) => string;

const CODES = { red: '31', green: '32', yellow: '33', dim: '2', bold: '1', cyan: '36' } as const;

const CATALOGUE_ORDER = new Map(CHECKS.map((c, i) => [c.id, i]));

const SCENARIO_WORD: Record<ScenarioReport['outcome'], [string, keyof typeof CODES]> = {
  pass: ['PASS ', 'green'],
  fail: ['FAIL ', 'red'],
  skipped: ['SKIP ', 'yellow'],
  error: ['ERROR', 'red'],
};

const RESULT_WORD: Record<CheckResult['outcome'], keyof typeof CODES> = { pass: 'green', warn: 'yellow', fail: 'red', skip: 'dim', missing: 'red' };

function byCheck(results: readonly CheckResult[]): CheckResult[][] {
  const groups = new Map<string, CheckResult[]>();
  for (const r of results) groups.set(r.checkId, [...(groups.get(r.checkId) ?? []), r]);
  const order = (id: string) => CATALOGUE_ORDER.get(id) ?? Number.MAX_SAFE_INTEGER;
  return [...groups.entries()]
    .sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b))
    .map(([, rs]) => [...rs].sort((a, b) => (a.call ?? -1) - (b.call ?? -1)));
}

function resultLines(s: ScenarioReport, index: number, results: readonly CheckResult[], paint: Paint, standing: (r: CheckResult) => ResultStanding): string[] {
  const lines: string[] = [];
  for (const group of byCheck(results)) {
    const first = group[0];
    if (!first) continue;
    const standings = group.map(standing);
    const worst = standings.includes('failing') ? 'red' : standings.includes('warning') ? 'yellow' : 'dim';
    const expected = standings.includes('expected-failure') ? ', expected to fail' : '';
    lines.push(`    ${paint(CODES[worst], first.checkId)} ${paint(CODES.dim, `(${first.level}${expected})`)}`);
    for (const r of group) {
      const where = r.call === undefined ? '' : `[${callName(s.record, r.call)}] `;
      lines.push(`      ${where}${paint(CODES[RESULT_WORD[r.outcome]], r.outcome)}: ${oneLine(r.message)}`);
      for (const e of r.evidence) lines.push(`        - ${evidenceText(s.record, index, e)}`);
    }
  }
  return lines;
}

function expectationLines(expectations: readonly ReportExpectation[], s: ScenarioReport, paint: Paint, all: boolean): string[] {
  return expectations
    .filter((e) => all || !e.pass)
    .map((e) => {
      const where = e.call === undefined ? '' : `[${callName(s.record, e.call)}] `;
      const word = e.pass ? paint(CODES.green, 'pass') : paint(CODES.red, 'fail');
      return `    expect ${where}${word}: ${oneLine(e.expectation)} (${oneLine(e.evidence)})`;
    });
}

function checkExpectationLines(s: ScenarioReport, paint: Paint, all: boolean): string[] {
  return s.checkExpectations
    .filter((e) => all || !e.met)
    .map((e) => `    expect ${e.checkId} to ${e.expected}: ${e.met ? paint(CODES.green, 'met') : paint(CODES.red, 'not met')} (${oneLine(e.detail)})`);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function scenarioLines(report: RunReport, s: ScenarioReport, index: number, o: ConsoleReportOptions, paint: Paint): string[] {
  const standing = (r: CheckResult) => resultStanding(r, s.checkExpectations, report.options.strict);
  const [word, colour] = SCENARIO_WORD[s.outcome];
  const warnings = s.results.filter((r) => standing(r) === 'warning');
  const expected = s.results.filter((r) => standing(r) === 'expected-failure');
  const counts = [
    `${s.results.length} checks`,
    ...(warnings.length ? [plural(warnings.length, 'warning')] : []),
    ...(expected.length ? [plural(expected.length, 'expected failure')] : []),
    formatDuration(s.durationMs),
  ];
  const head = `${paint(CODES[colour], word)} ${paint(CODES.bold, s.scenario.id)} ${paint(CODES.dim, `- ${oneLine(s.scenario.title)} (${counts.join(', ')})`)}`;
  const lines = [head];
  if (s.reason !== undefined) lines.push(`    ${s.outcome === 'error' ? 'error' : 'reason'}: ${oneLine(s.reason)}`);
  const detailed = o.verbose || s.outcome === 'fail' || s.outcome === 'error';
  if (!detailed) {
    if (warnings.length) lines.push(`    ${paint(CODES.yellow, 'warnings')}: ${[...new Set(warnings.map((w) => w.checkId))].join(', ')}`);
    if (expected.length) lines.push(`    ${paint(CODES.dim, 'expected failures')}: ${[...new Set(expected.map((w) => w.checkId))].join(', ')}`);
    return lines;
  }
  const shown = o.verbose ? s.results : s.results.filter((r) => standing(r) === 'failing' || standing(r) === 'warning');
  lines.push(...resultLines(s, index, shown, paint, standing), ...expectationLines(s.expectations, s, paint, o.verbose), ...checkExpectationLines(s, paint, o.verbose));
  if (s.outcome !== 'pass' && s.outcome !== 'skipped') lines.push(`    ${paint(CODES.cyan, 'replay')}: ${s.replay}`);
  return lines;
}

/** The whole run as terminal text (ends with a newline). */
export function formatConsoleReport(report: RunReport, options: ConsoleReportOptions): string {
  const paint: Paint = options.color ? (code, text) => `\u001b[${code}m${text}\u001b[0m` : (_code, text) => text;
  const { summary } = report;
  const agent = `${report.options.agent.mode} ${oneLine(report.options.agent.target)}`;
  const lines = [
    `${report.kit.name} ${report.kit.version} - ${summary.scenarios.total} scenario${summary.scenarios.total === 1 ? '' : 's'}, seed ${report.seed}, agent ${agent}${report.options.strict ? ', strict' : ''}`,
  ];
  report.scenarios.forEach((s, i) => lines.push(...scenarioLines(report, s, i, options, paint)));
  const sc = summary.scenarios;
  const o = summary.byOutcome;
  // Checks a scenario declares as failing (expect.failingChecks) still count under their outcome;
  // the line says how many of those were expected, so a passing run does not read as failing.
  const expected: Partial<Record<CheckResult['outcome'], number>> = {};
  for (const s of report.scenarios) {
    for (const r of s.results) if (resultStanding(r, s.checkExpectations, report.options.strict) === 'expected-failure') expected[r.outcome] = (expected[r.outcome] ?? 0) + 1;
  }
  const count = (outcome: CheckResult['outcome']): string => `${o[outcome]} ${outcome}${expected[outcome] ? ` (${expected[outcome]} expected)` : ''}`;
  const verdict = summary.exitCode === 0 ? paint(CODES.green, 'PASSED') : paint(CODES.red, 'FAILED');
  lines.push(
    '',
    `${verdict}: ${sc.passed} passed, ${sc.failed} failed, ${sc.skipped} skipped, ${sc.errored} errored` +
      ` | checks ${count('pass')}, ${count('warn')}, ${count('fail')}, ${count('missing')}, ${count('skip')}` +
      ` | expectations ${summary.expectations.passed} passed, ${summary.expectations.failed} failed` +
      (summary.checkExpectations.met + summary.checkExpectations.unmet ? ` | check expectations ${summary.checkExpectations.met} met, ${summary.checkExpectations.unmet} unmet` : ''),
    `seed ${report.seed} | replay: ${report.replay}`,
  );
  return `${lines.join('\n')}\n`;
}
