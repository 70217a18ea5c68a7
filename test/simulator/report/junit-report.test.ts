import { describe, expect, it } from 'vitest';
import { formatJunitReport, xmlAttr, xmlText } from '../../../simulator/report/junit-report.ts';
import { childElements, parseXml, type XmlElement } from '../../../simulator/twilio/xml.ts';
import { HOSTILE, sampleRunReport } from '../../support/report-fixtures.ts';

function parse(xml: string): XmlElement {
  const result = parseXml(xml);
  if (!result.ok) throw new Error(`invalid XML at ${result.error.line}:${result.error.column}: ${result.error.message}`);
  return result.root;
}

const attr = (e: XmlElement | undefined, name: string) => e?.attributes.find((a) => a.name === name)?.value;
const text = (e: XmlElement | undefined): string => (e?.children ?? []).map((c) => (c.kind === 'text' ? c.text : text(c))).join('');
const child = (e: XmlElement, name: string) => childElements(e).filter((c) => c.name === name);

const report = sampleRunReport({ hostile: true });
const root = parse(formatJunitReport(report));
const suites = child(root, 'testsuite');
const suite = (id: string) => suites.find((s) => attr(s, 'name') === id)!;
const cases = (id: string) => child(suite(id), 'testcase');
const caseNamed = (id: string, name: string) => cases(id).find((c) => attr(c, 'name') === name)!;

describe('formatJunitReport', () => {
  it('writes a testsuite per scenario whose counts match its testcases', () => {
    expect(root.name).toBe('testsuites');
    expect(suites.map((s) => attr(s, 'name'))).toEqual(report.scenarios.map((s) => s.scenario.id));
    for (const s of suites) {
      const tcs = child(s, 'testcase');
      const has = (tag: string) => tcs.filter((t) => child(t, tag).length > 0).length;
      expect(Number(attr(s, 'tests'))).toBe(tcs.length);
      expect(Number(attr(s, 'failures'))).toBe(has('failure'));
      expect(Number(attr(s, 'errors'))).toBe(has('error'));
      expect(Number(attr(s, 'skipped'))).toBe(has('skipped'));
    }
    const total = suites.reduce((n, s) => n + Number(attr(s, 'tests')), 0);
    expect(Number(attr(root, 'tests'))).toBe(total);
    expect(Number(attr(root, 'failures'))).toBe(suites.reduce((n, s) => n + Number(attr(s, 'failures')), 0));
  });

  it('has a testcase per check per call plus one per expectation and check expectation, named and classed after the scenario', () => {
    const s = report.scenarios[1]!;
    expect(cases('barge-in-mid-answer')).toHaveLength(s.results.length + s.expectations.length + s.checkExpectations.length);
    const unmet = child(caseNamed('barge-in-mid-answer', 'expect check CR-INTERRUPT-STOPS to pass'), 'failure')[0];
    expect(attr(unmet, 'type')).toBe('check-expectation');
    expect(child(caseNamed('barge-in-mid-answer', 'expect check CR-INTERRUPT-HISTORY to pass'), 'failure')).toHaveLength(0);
    const stops = caseNamed('barge-in-mid-answer', 'CR-INTERRUPT-STOPS [call-1]');
    expect(attr(stops, 'classname')).toBe('relaysim.barge-in-mid-answer');
    const failure = child(stops, 'failure')[0];
    expect(attr(failure, 'message')).toBe(`3 tokens followed the interrupt ${HOSTILE}`);
    expect(attr(failure, 'type')).toBe('MUST');
    expect(text(failure)).toContain('calls[0].relay.frames[9]');
    expect(text(failure)).toContain('replay: relaysim run --seed 2202 --scenario barge-in-mid-answer');
    expect(child(caseNamed('barge-in-mid-answer', 'expect replyContains: reply contains "Dr. Okafor"'), 'failure')).toHaveLength(1);
  });

  it('maps skip to skipped, warn to a passing case with system-out, and a missing SHOULD to a passing case', () => {
    expect(child(caseNamed('barge-in-mid-answer', 'CR-DTMF-HANDLED [call-1]'), 'skipped')).toHaveLength(1);
    const warn = caseNamed('greeting-and-one-question', 'CR-TOKENS-UNTRIMMED [call-1]');
    expect(child(warn, 'failure')).toHaveLength(0);
    expect(text(child(warn, 'system-out')[0])).toMatch(/^WARN: CR-TOKENS-UNTRIMMED \(SHOULD\) warn: token <script>/);
    const missingShould = caseNamed('barge-in-mid-answer', 'SPAN-CHILDREN-IN-ROOT [call-1]');
    expect(child(missingShould, 'failure')).toHaveLength(0);
    expect(text(child(missingShould, 'system-out')[0])).toMatch(/^MISSING: /);
  });

  it('reports a missing MUST check as a failure of type missing, a run error as error, a skipped run as skipped', () => {
    const missing = child(caseNamed('llm-http-500', 'SPAN-ROOT [call-1]'), 'failure')[0];
    expect(attr(missing, 'type')).toBe('missing');
    const run = child(caseNamed('llm-http-500', 'run'), 'error')[0];
    expect(attr(run, 'type')).toBe('SIM_ERR_AGENT_EXITED');
    expect(child(caseNamed('registration-expired', 'run'), 'skipped')).toHaveLength(1);
    expect(caseNamed('llm-http-500', 'ROB-NEXT-CALL-WORKS')).toBeDefined();
  });

  it('passes a failure the scenario expects, saying so', () => {
    const own = caseNamed('four-callers-out-of-order-without-numbers', 'COR-OWN-SIMULATION-ID [ana]');
    expect(child(own, 'failure')).toHaveLength(0);
    expect(text(child(own, 'system-out')[0])).toMatch(/^EXPECTED FAILURE \(expect\.failingChecks\): COR-OWN-SIMULATION-ID \(MUST\) fail: /);
    expect(attr(suite('four-callers-out-of-order-without-numbers'), 'failures')).toBe('0');
  });

  it('carries seed and replay as properties of each suite', () => {
    const props = Object.fromEntries(child(child(suite('barge-in-mid-answer'), 'properties')[0]!, 'property').map((p) => [attr(p, 'name'), attr(p, 'value')]));
    expect(props).toMatchObject({ seed: '2202', replay: 'relaysim run --seed 2202 --scenario barge-in-mid-answer', 'run.seed': '424242', tags: 'interrupt,core', outcome: 'fail' });
    expect(attr(suite('greeting-and-one-question'), 'name')).toBe('greeting-and-one-question');
  });

  it('round-trips markup, quotes and line breaks, and never emits characters XML cannot hold', () => {
    const nasty = 'a<b>&"c"\'d\'\nline2\u0000\u0007\ud800end';
    expect(xmlText(nasty)).toBe('a&lt;b&gt;&amp;"c"\'d\'\nline2\\u{0}\\u{7}\\u{d800}end');
    expect(xmlAttr(nasty)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;&#10;line2\\u{0}\\u{7}\\u{d800}end');
    const withNasty = { ...report, scenarios: report.scenarios.map((s) => ({ ...s, results: s.results.map((r) => ({ ...r, message: nasty })) })) };
    const reparsed = parse(formatJunitReport(withNasty));
    const failure = child(child(child(reparsed, 'testsuite')[1]!, 'testcase').find((c) => attr(c, 'name') === 'CR-INTERRUPT-STOPS [call-1]')!, 'failure')[0];
    expect(attr(failure, 'message')).toBe('a<b>&"c"\'d\'\nline2\\u{0}\\u{7}\\u{d800}end');
  });
});
