/**
 * JUnit XML for CI dashboards: a `<testsuite>` per scenario (properties: seed, replay, title, tags),
 * a `<testcase>` per check per call (`CR-INTERRUPT-STOPS [call-1]`, classname
 * `relaysim.<scenario-id>`) and per expectation. fail → `<failure>` with the evidence; skip →
 * `<skipped/>`; warn → a passing case with `<system-out>`; missing → `<failure type="missing">`
 * when it fails the scenario (see isFailingResult); a failure `expect.failingChecks` asks for → a
 * passing case with `<system-out>`; `expect.checks`/`failingChecks` → one case each; a scenario
 * that could not run → one `run` case with `<error>` (or `<skipped>`).
 */
import type { CheckResult } from '../checks/check-result.ts';
import type { CheckExpectationResult } from '../checks/evaluate-checks.ts';
import { resultStanding, type ReportExpectation, type RunReport, type ScenarioReport } from './run-report.ts';
import { callName, evidenceText, resultName } from './report-text.ts';

/** Text safe in XML 1.0 element content: characters XML cannot carry are shown as `\u{…}`. */
export function xmlText(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Text safe in a double-quoted XML attribute (line breaks kept as character references). */
export function xmlAttr(text: string): string {
  return xmlText(text).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

interface Case {
  readonly name: string;
  readonly body: string;
  readonly kind: 'pass' | 'failure' | 'error' | 'skipped';
}

const attrs = (values: Record<string, string | number>): string =>
  Object.entries(values)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');

function checkCase(s: ScenarioReport, index: number, r: CheckResult, strict: boolean): Case {
  const name = resultName(s.record, r);
  const evidence = r.evidence.map((e) => `- ${evidenceText(s.record, index, e)}`);
  const details = [`${r.checkId} (${r.level}) ${r.outcome}: ${r.message}`, ...evidence, `replay: ${s.replay}`].join('\n');
  if (r.outcome === 'skip') return { name, kind: 'skipped', body: `<skipped${attrs({ message: r.message })}/>` };
  const standing = resultStanding(r, s.checkExpectations, strict);
  if (standing === 'expected-failure') return { name, kind: 'pass', body: `<system-out>${xmlText(`EXPECTED FAILURE (expect.failingChecks): ${details}`)}</system-out>` };
  if (standing === 'failing') {
    return { name, kind: 'failure', body: `<failure${attrs({ message: r.message, type: r.outcome === 'missing' ? 'missing' : r.level })}>${xmlText(details)}</failure>` };
  }
  if (r.outcome === 'pass') return { name, kind: 'pass', body: r.evidence.length ? `<system-out>${xmlText(details)}</system-out>` : '' };
  return { name, kind: 'pass', body: `<system-out>${xmlText(`${r.outcome.toUpperCase()}: ${details}`)}</system-out>` };
}

function expectationCase(s: ScenarioReport, e: ReportExpectation): Case {
  const name = `expect ${e.kind}${e.call === undefined ? '' : ` [${callName(s.record, e.call)}]`}: ${e.expectation}`;
  if (e.pass) return { name, kind: 'pass', body: `<system-out>${xmlText(e.evidence)}</system-out>` };
  return { name, kind: 'failure', body: `<failure${attrs({ message: `${e.expectation} not met`, type: 'expectation' })}>${xmlText(`${e.evidence}\nreplay: ${s.replay}`)}</failure>` };
}

function checkExpectationCase(s: ScenarioReport, e: CheckExpectationResult): Case {
  const name = `expect check ${e.checkId} to ${e.expected}`;
  if (e.met) return { name, kind: 'pass', body: `<system-out>${xmlText(e.detail)}</system-out>` };
  const message = `${e.checkId} was expected to ${e.expected} (${e.detail})`;
  return { name, kind: 'failure', body: `<failure${attrs({ message, type: 'check-expectation' })}>${xmlText(`${message}\nreplay: ${s.replay}`)}</failure>` };
}

function runCase(s: ScenarioReport): Case[] {
  if (s.outcome === 'skipped') return [{ name: 'run', kind: 'skipped', body: `<skipped${attrs({ message: s.reason ?? 'skipped' })}/>` }];
  if (s.outcome === 'error') {
    const code = s.record.outcome.code ?? 'error';
    return [{ name: 'run', kind: 'error', body: `<error${attrs({ message: s.reason ?? 'the run failed', type: code })}>${xmlText(`${s.reason ?? ''}\nreplay: ${s.replay}`)}</error>` }];
  }
  return [];
}

function suite(report: RunReport, s: ScenarioReport, index: number): { xml: string; cases: Case[] } {
  const strict = report.options.strict;
  const cases = [...runCase(s), ...s.results.map((r) => checkCase(s, index, r, strict)), ...s.expectations.map((e) => expectationCase(s, e)), ...s.checkExpectations.map((e) => checkExpectationCase(s, e))];
  const count = (k: Case['kind']) => cases.filter((c) => c.kind === k).length;
  const properties = [
    ['seed', String(s.seed)],
    ['replay', s.replay],
    ['run.seed', String(report.seed)],
    ['title', s.scenario.title],
    ['tags', s.scenario.tags.join(',')],
    ['outcome', s.outcome],
  ];
  const classname = `relaysim.${s.scenario.id}`;
  const xml = [
    `  <testsuite${attrs({ name: s.scenario.id, tests: cases.length, failures: count('failure'), errors: count('error'), skipped: count('skipped'), time: (s.durationMs / 1000).toFixed(3), timestamp: report.startedAt })}>`,
    '    <properties>',
    ...properties.map(([name, value]) => `      <property${attrs({ name: name ?? '', value: value ?? '' })}/>`),
    '    </properties>',
    ...cases.map((c) => `    <testcase${attrs({ name: c.name, classname, time: '0' })}${c.body ? `>${c.body}</testcase>` : '/>'}`),
    '  </testsuite>',
  ].join('\n');
  return { xml, cases };
}

/** The run as a JUnit XML document. */
export function formatJunitReport(report: RunReport): string {
  const suites = report.scenarios.map((s, i) => suite(report, s, i));
  const all = suites.flatMap((s) => s.cases);
  const count = (k: Case['kind']) => all.filter((c) => c.kind === k).length;
  const seconds = (Date.parse(report.endedAt) - Date.parse(report.startedAt)) / 1000;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: `relaysim seed ${report.seed}`, tests: all.length, failures: count('failure'), errors: count('error'), skipped: count('skipped'), time: Number.isFinite(seconds) ? seconds.toFixed(3) : '0' })}>`,
    ...suites.map((s) => s.xml),
    '</testsuites>',
    '',
  ].join('\n');
}
