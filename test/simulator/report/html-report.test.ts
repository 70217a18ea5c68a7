import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { evaluateRecord } from '../../../simulator/checks/evaluate-checks.ts';
import { REPORT_JS } from '../../../simulator/report/html-assets.ts';
import { buildRunReport } from '../../../simulator/report/run-report.ts';
import { anchors, locateEvidence } from '../../../simulator/report/evidence-location.ts';
import { formatHtmlReport, writeHtmlReport } from '../../../simulator/report/html-report.ts';
import { parseXml, type XmlElement } from '../../../simulator/twilio/xml.ts';
import { HOSTILE, sampleRunReport } from '../../support/report-fixtures.ts';

/** The document parsed strictly (the report is well-formed XML apart from its doctype). */
function parseHtml(html: string): XmlElement {
  const result = parseXml(html.replace(/^<!DOCTYPE html>\n/, ''));
  if (!result.ok) throw new Error(`not well-formed at ${result.error.line}:${result.error.column}: ${result.error.message}`);
  return result.root;
}

function elements(root: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    out.push(e);
    for (const c of e.children) if (c.kind === 'element') walk(c);
  };
  walk(root);
  return out;
}

const attr = (e: XmlElement, name: string) => e.attributes.find((a) => a.name === name)?.value;
const text = (e: XmlElement): string => e.children.map((c) => (c.kind === 'text' ? c.text : text(c))).join('');
const hasClass = (e: XmlElement, cls: string) => (attr(e, 'class') ?? '').split(/\s+/).includes(cls);

const report = sampleRunReport({ hostile: true });
const html = formatHtmlReport(report);
const all = elements(parseHtml(html));
const ids = all.map((e) => attr(e, 'id')).filter((id): id is string => id !== undefined);

describe('formatHtmlReport', () => {
  it('is one well-formed document with unique ids', () => {
    expect(all[0]?.name).toBe('html');
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('draws a waterfall row for every captured span, anchored by span id', () => {
    report.scenarios.forEach((s, i) => {
      const spans = s.record.coval.batches.flatMap((b) => b.spans);
      for (const span of spans) expect(ids, `${s.scenario.id} ${span.name}`).toContain(anchors.span(i, span.spanId));
    });
    const rows = all.filter((e) => e.name === 'details' && (attr(e, 'id') ?? '').includes('_span_'));
    expect(rows).toHaveLength(report.scenarios.reduce((n, s) => n + s.record.coval.batches.reduce((m, b) => m + b.spans.length, 0), 0));
    const errorRows = rows.filter((r) => hasClass(r, 'err'));
    expect(errorRows.map((r) => text(r))).toEqual([expect.stringContaining('tool_call_result')]);
    expect(text(errorRows[0]!)).toContain('ERROR');
  });

  it('indents spans by parent depth and marks synthetic attributes', () => {
    const spans = report.scenarios[1]!.record.coval.batches[0]!.spans;
    const provider = spans.find((r) => r.name === 'stt.provider.twilio')!;
    const row = all.find((e) => attr(e, 'id') === anchors.span(1, provider.spanId))!;
    const name = elements(row).find((e) => hasClass(e, 'wname'))!;
    expect(attr(name, 'style')).toBe('padding-left:28px');
    const synthetic = elements(row).filter((e) => e.name === 'tr' && hasClass(e, 'synthetic')).map((tr) => text(tr));
    expect(synthetic).toEqual([expect.stringMatching(/^stt\.confidence synthetic/), expect.stringMatching(/^metrics\.ttfb synthetic/)]);
    const summary = elements(row).find((e) => e.name === 'summary')!;
    expect(attr(summary, 'title')).toContain('stt.confidence = 0.95  (synthetic)');
  });

  it('has a timeline row for every relay frame and LLM request, coalescing agent tokens per cycle', () => {
    const s = report.scenarios[1]!;
    const call = s.record.calls[0]!;
    for (const f of call.relay!.frames) expect(ids).toContain(anchors.frame(1, 0, f.index));
    for (const seq of call.llmRequestSeqs) expect(ids).toContain(anchors.llm(1, seq));
    for (const a of s.record.coval.attempts) expect(ids).toContain(anchors.attempt(1, a.seq));
    const tokenRows = all.filter((e) => e.name === 'div' && hasClass(e, 'lane-from-agent') && (attr(e, 'id') ?? '').startsWith('s1_'));
    expect(tokenRows.map((r) => text(elements(r).find((e) => e.name === 'b')!))).toEqual(['text ×6', 'text ×3', 'text ×7 (last)']);
  });

  it('links every located piece of evidence of a failing check to a row that exists', () => {
    const hrefs = all.map((e) => attr(e, 'href')).filter((h): h is string => h !== undefined);
    expect(hrefs.length).toBeGreaterThan(10);
    for (const href of hrefs) {
      expect(href.startsWith('#'), href).toBe(true);
      expect(ids, href).toContain(href.slice(1));
    }
    report.scenarios.forEach((s, i) => {
      for (const r of s.results.filter((x) => x.outcome === 'fail')) {
        for (const e of r.evidence) {
          const anchor = locateEvidence(s.record, i, e)?.anchor;
          if (anchor !== undefined) expect(hrefs, `${r.checkId}: ${e.summary}`).toContain(`#${anchor}`);
        }
      }
    });
    // rows cited by a failing check link back to it
    const late = report.scenarios[1]!.results.find((r) => r.checkId === 'CR-INTERRUPT-STOPS')!;
    expect(hrefs).toContain(`#${anchors.result(1, 'CR-INTERRUPT-STOPS', late.call)}`);
  });

  it('lists the failing checks at the top of their call, before the timeline', () => {
    const call = all.find((e) => attr(e, 'id') === anchors.call(1, 0))!;
    const kids = call.children.filter((c): c is XmlElement => c.kind === 'element');
    const problems = kids.findIndex((e) => hasClass(e, 'problems'));
    const timeline = kids.findIndex((e) => hasClass(e, 'tl'));
    expect(problems).toBeGreaterThan(-1);
    expect(problems).toBeLessThan(timeline);
    expect(text(kids[problems]!)).toMatch(/2 failing, 1 warning.*CR-INTERRUPT-STOPS.*SPAN-LLM-TTFB-REAL.*SPAN-CHILDREN-IN-ROOT/s);
  });

  it('shows the verdict, seed and replay commands in the header and per scenario', () => {
    const header = all.find((e) => e.name === 'header')!;
    expect(text(header)).toContain('FAILED');
    expect(text(header)).toContain('424242');
    expect(text(header)).toContain(report.replay);
    for (const s of report.scenarios) expect(html).toContain(s.replay);
  });

  it('references no network resource and runs only its own hash-pinned script', () => {
    expect(html).not.toMatch(/\b(?:src|href|action|poster|data|srcset)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/url\(|@import|<link\b|<img\b|<iframe\b|<object\b/i);
    expect(all.filter((e) => ['img', 'link', 'iframe', 'object', 'embed', 'video', 'audio', 'source'].includes(e.name))).toEqual([]);
    const scripts = all.filter((e) => e.name === 'script');
    expect(scripts).toHaveLength(1);
    expect(text(scripts[0]!)).toBe(REPORT_JS);
    const csp = attr(all.find((e) => e.name === 'meta' && attr(e, 'http-equiv') === 'Content-Security-Policy')!, 'content')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`'sha256-${createHash('sha256').update(REPORT_JS).digest('base64')}'`);
    expect(all.flatMap((e) => e.attributes.map((a) => a.name)).filter((n) => n.startsWith('on'))).toEqual([]);
  });

  it('shows agent-provided markup as text', () => {
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('</style><b>');
    const texts = all.map((e) => text(e));
    expect(texts.some((t) => t.includes(`text ×8 (last)`) && t.includes(HOSTILE))).toBe(true);
    expect(all.some((e) => hasClass(e, 'wname') && text(e).startsWith('conversation</style><b>'))).toBe(true);
    expect(all.some((e) => e.name === 'td' && text(e) === '<img src=x onerror=alert(1)>')).toBe(true);
    expect(all.find((e) => e.name === 'title')).toBeDefined();
    expect(text(all.find((e) => e.name === 'summary' && attr(e, 'class') === undefined && text(e).includes('greeting-and-one-question'))!)).toContain(`Title ${HOSTILE} & "quotes"`);
  });

  it('lists a failure the scenario expects apart from real failures, and the check expectations', () => {
    const call = all.find((e) => attr(e, 'id') === anchors.call(4, 0))!;
    const problems = call.children.find((c): c is XmlElement => c.kind === 'element' && hasClass(c, 'problems'))!;
    expect(hasClass(problems, 'info-only')).toBe(true);
    expect(text(problems)).toMatch(/0 failing, 0 warning, 1 failing as the scenario expects.*COR-OWN-SIMULATION-ID.*\(expected to fail\)/s);
    const scenario = all.find((e) => attr(e, 'id') === anchors.scenario(1))!;
    expect(text(scenario)).toMatch(/unmetCR-INTERRUPT-STOPS must pass/);
    // an expected failure cites nothing back
    expect(all.filter((e) => e.name === 'a' && hasClass(e, 'cite') && (attr(e, 'href') ?? '').startsWith('#s4_'))).toEqual([]);
  });

  it('opens failing and errored scenarios and leaves passing and skipped ones closed', () => {
    const open = report.scenarios.map((_, i) => attr(all.find((e) => attr(e, 'id') === anchors.scenario(i))!, 'open'));
    expect(open).toEqual([undefined, 'open', undefined, 'open', undefined]);
  });
});

describe("formatHtmlReport over the check engine's own results", () => {
  it('is well-formed and every evidence link it makes resolves', () => {
    const records = sampleRunReport({ hostile: true }).scenarios.map((x) => x.record);
    const real = buildRunReport({
      startedAtEpochMs: 0,
      endedAtEpochMs: 1,
      seed: 1,
      replay: 'relaysim run --seed 1',
      strict: false,
      agent: { mode: 'url', target: 'http://127.0.0.1:9' },
      scenarios: records.map((record) => ({ record, results: evaluateRecord(record) })),
    });
    const els = elements(parseHtml(formatHtmlReport(real)));
    const docIds = els.map((e) => attr(e, 'id')).filter((id): id is string => id !== undefined);
    expect(new Set(docIds).size).toBe(docIds.length);
    const hrefs = els.map((e) => attr(e, 'href')).filter((h): h is string => h !== undefined);
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(docIds, href).toContain(href.slice(1));
  });
});

describe('writeHtmlReport', () => {
  it('writes index.html and nothing else, creating the directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaysim-html-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = await writeHtmlReport(report, join(dir, 'nested', 'report'));
    expect(file).toBe(join(dir, 'nested', 'report', 'index.html'));
    expect(readdirSync(join(dir, 'nested', 'report'))).toEqual(['index.html']);
    expect(readFileSync(file, 'utf8')).toBe(html);
  });

  it('says where and why when it cannot write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaysim-html-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    await writeHtmlReport(report, dir);
    await expect(writeHtmlReport(report, join(dir, 'index.html'))).rejects.toMatchObject({ code: 'SIM_ERR_REPORT_WRITE_FAILED', message: expect.stringContaining('index.html') });
  });
});

describe('formatHtmlReport with several calls, stray exports and probes', () => {
  const sample = sampleRunReport();
  const s = sample.scenarios[1]!;
  const [call] = s.record.calls;
  const second = { ...call!, index: 1, name: 'second-caller', simulationOutputId: 'sim-second', callSid: 'CA2', llmRequestSeqs: [] };
  const stray = { ...s.record.coval.batches[0]!, seq: 9, simulationId: 'sim-unknown' };
  const record = {
    ...s.record,
    calls: [call!, second],
    coval: { ...s.record.coval, attempts: [...s.record.coval.attempts, { ...s.record.coval.attempts[0]!, seq: 9, simulationId: null, status: 401, outcome: 'rejected' as const }], batches: [...s.record.coval.batches, stray] },
    probes: { signatureProbes: true, results: [{ kind: 'webhook-unsigned' as const, result: 'accepted' as const, httpStatus: 200, detail: 'answered 200 <b>' }], healthAfter: { status: null, detail: 'connection refused' } },
  };
  const results = [
    ...s.results,
    { checkId: 'SEC-WEBHOOK-SIGNATURE', level: 'MUST' as const, scenarioId: s.scenario.id, outcome: 'fail' as const, message: 'unsigned webhook accepted', evidence: [{ kind: 'probe' as const, ref: 'webhook-unsigned', summary: 'probe answered 200' }] },
    { checkId: 'ROB-NEXT-CALL-WORKS', level: 'MUST' as const, scenarioId: s.scenario.id, outcome: 'fail' as const, message: 'agent down', evidence: [{ kind: 'probe' as const, ref: 'healthAfter', summary: 'GET /health failed' }] },
    { checkId: 'OTLP-HEADERS', level: 'MUST' as const, scenarioId: s.scenario.id, call: 1, outcome: 'fail' as const, message: 'no X-Simulation-Id', evidence: [{ kind: 'attempt' as const, ref: 9, summary: 'attempt #9 without the header' }] },
  ];
  const doc = formatHtmlReport({ ...sample, scenarios: [{ ...s, record, results }] });
  const els = elements(parseHtml(doc));
  const docIds = els.map((e) => attr(e, 'id')).filter((id): id is string => id !== undefined);

  it('gives each call its own section and keeps ids unique although the stray batch repeats span ids', () => {
    expect(docIds).toContain(anchors.call(0, 0));
    expect(docIds).toContain(anchors.call(0, 1));
    expect(new Set(docIds).size).toBe(docIds.length);
    const spanRows = els.filter((e) => e.name === 'details' && e.children.some((c) => c.kind === 'element' && c.name === 'summary' && hasClass(c, 'row')));
    expect(spanRows).toHaveLength(s.record.coval.batches[0]!.spans.length * 2);
  });

  it('lists exports and spans that belong to no call, and the probes, and links evidence to them', () => {
    expect(doc).toContain('Export attempts for no call of this scenario');
    expect(doc).toContain('Spans for no call of this scenario');
    expect(docIds).toContain(anchors.attempt(0, 9));
    expect(docIds).toContain(anchors.probe(0, 0));
    const hrefs = els.map((e) => attr(e, 'href')).filter((h): h is string => h !== undefined);
    expect(hrefs).toContain(`#${anchors.probe(0, 0)}`);
    expect(hrefs).toContain(`#${anchors.health(0)}`);
    expect(hrefs).toContain(`#${anchors.attempt(0, 9)}`);
    for (const href of hrefs) expect(docIds).toContain(href.slice(1));
    expect(els.some((e) => e.name === 'td' && text(e) === 'answered 200 <b>')).toBe(true);
    expect(text(els.find((e) => attr(e, 'id') === anchors.call(0, 1))!)).toContain('no X-Simulation-Id');
  });
});
