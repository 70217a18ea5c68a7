/**
 * The HTML report: one self-contained file (inline CSS and a hash-pinned inline script, a CSP that
 * forbids every fetch), well-formed as XML too (void elements closed, attributes quoted), so tests can
 * parse it strictly. Header with verdict, seed and replay; per scenario its checks and
 * expectations; per call the failing checks first, linked to their evidence rows in the call's
 * timeline (frames, LLM, exports on one time axis) and span waterfall. All recorded text is escaped.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHECKS_BY_ID } from '../checks/catalogue.ts';
import type { CheckResult, Evidence } from '../checks/check-result.ts';
import { SimErrors } from '../core/errors.ts';
import type { CallRecord } from '../scenario/run-record.ts';
import { callTimeline } from './call-timeline.ts';
import { anchors, locateEvidence } from './evidence-location.ts';
import { REPORT_CSS, REPORT_JS, scriptHash } from './html-assets.ts';
import { timelineHtml, waterfallHtml, type Citations } from './html-call.ts';
import { escapeHtml as h } from './html-escape.ts';
import { resultStanding, type RunReport, type ScenarioReport } from './run-report.ts';
import { callName, formatDuration } from './report-text.ts';
import { spanWaterfall } from './span-waterfall.ts';

function evidenceHtml(s: ScenarioReport, index: number, e: Evidence, ids: ReadonlySet<string>): string {
  const where = locateEvidence(s.record, index, e);
  const path = where ? ` <code class="mono">${h(where.path)}</code>` : '';
  const text = h(e.summary);
  return `<li>${where?.anchor !== undefined && ids.has(where.anchor) ? `<a href="#${h(where.anchor)}">${text}</a>` : text}${path}</li>`;
}

function resultHtml(s: ScenarioReport, index: number, r: CheckResult, ids: ReadonlySet<string>, withCall: boolean): string {
  const title = CHECKS_BY_ID.get(r.checkId)?.title ?? '';
  const where = withCall && r.call !== undefined ? ` [${h(callName(s.record, r.call))}]` : '';
  const evidence = r.evidence.length ? `<ul>${r.evidence.map((e) => evidenceHtml(s, index, e, ids)).join('')}</ul>` : '';
  const id = withCall ? '' : ` id="${h(anchors.result(index, r.checkId, r.call))}"`;
  const expected = s.checkExpectations.some((e) => e.checkId === r.checkId && e.expected === 'fail') ? ' <span class="legend">(expected to fail)</span>' : '';
  return `<div class="problem"${id}><span class="chip ${r.outcome}">${r.outcome}</span> <span class="id" title="${h(title)}">${h(r.checkId)}</span>${where} <span class="legend">${r.level}</span>${expected} ${h(r.message)}${evidence}</div>`;
}

function problemsHtml(s: ScenarioReport, index: number, results: readonly CheckResult[], strict: boolean, ids: ReadonlySet<string>, heading: string): string {
  const of = (standing: string) => results.filter((r) => resultStanding(r, s.checkExpectations, strict) === standing);
  const [failing, warning, expected] = [of('failing'), of('warning'), of('expected-failure')];
  if (failing.length + warning.length + expected.length === 0) return '';
  const cls = failing.length ? 'problems' : warning.length ? 'problems warn-only' : 'problems info-only';
  const counts = `${failing.length} failing, ${warning.length} warning${expected.length ? `, ${expected.length} failing as the scenario expects` : ''}`;
  return `<div class="${cls}"><h4>${h(heading)}: ${counts}</h4>${[...failing, ...warning, ...expected].map((r) => resultHtml(s, index, r, ids, false)).join('')}</div>`;
}

function citations(s: ScenarioReport, index: number, strict: boolean): Citations {
  const out = new Map<string, { checkId: string; outcome: string; anchor: string }[]>();
  for (const r of s.results) {
    const standing = resultStanding(r, s.checkExpectations, strict);
    if (standing !== 'failing' && standing !== 'warning') continue;
    for (const e of r.evidence) {
      const target = locateEvidence(s.record, index, e)?.anchor;
      if (target !== undefined) out.set(target, [...(out.get(target) ?? []), { checkId: r.checkId, outcome: r.outcome, anchor: anchors.result(index, r.checkId, r.call) }]);
    }
  }
  return out;
}

function callSection(report: RunReport, s: ScenarioReport, index: number, call: CallRecord, body: string, ids: ReadonlySet<string>): string {
  const results = s.results.filter((r) => r.call === call.index);
  const head = `${h(call.name)} <span class="legend">${h(call.from)} → ${h(call.to)} · ${h(call.callSid)} · simulation ${h(call.simulationOutputId)} · arrived #${call.arrivalPosition + 1} · export ${h(call.export.status)}</span>`;
  return `<section class="call" id="${h(anchors.call(index, call.index))}"><h3>${head}</h3>${problemsHtml(s, index, results, report.options.strict, ids, 'Checks on this call')}${body}</section>`;
}

function scenarioSection(report: RunReport, s: ScenarioReport, index: number): string {
  const ids = new Set<string>();
  const { record } = s;
  const cited = citations(s, index, report.options.strict);
  const simIds = new Set(record.calls.map((c) => c.simulationOutputId));
  const bodies = record.calls.map((call) => {
    const t = callTimeline(record, index, call);
    const batches = record.coval.batches.filter((b) => b.simulationId === call.simulationOutputId);
    return `<h4>Timeline</h4>${timelineHtml(t.rows, t.fromMs, t.toMs, record.startedAtMs, ids, cited)}<h4>Span waterfall</h4>${waterfallHtml(spanWaterfall(batches), index, ids, cited)}`;
  });
  const strayBatches = record.coval.batches.filter((b) => !simIds.has(b.simulationId));
  const strayAttempts = record.coval.attempts.filter((a) => a.simulationId === null || !simIds.has(a.simulationId));
  const others: string[] = [];
  if (strayAttempts.length) {
    const rows = strayAttempts.map((a) => {
      ids.add(anchors.attempt(index, a.seq));
      return `<tr id="${h(anchors.attempt(index, a.seq))}"><td>#${a.seq}</td><td>${h(a.simulationId ?? '(no simulation id)')}</td><td>${a.status ?? 'reset'} ${h(a.outcome)}</td><td>${h(a.reason ?? '')}</td></tr>`;
    });
    others.push(`<h4>Export attempts for no call of this scenario</h4><table class="list">${rows.join('')}</table>`);
  }
  if (strayBatches.length) others.push(`<h4>Spans for no call of this scenario</h4>${waterfallHtml(spanWaterfall(strayBatches), index, ids, cited)}`);
  const probes = record.probes?.results ?? [];
  const health = record.probes?.healthAfter;
  if (probes.length || health) {
    const rows = probes.map((p, i) => {
      ids.add(anchors.probe(index, i));
      return `<tr id="${h(anchors.probe(index, i))}"><td>${h(p.kind)}</td><td>${h(p.result)}${p.httpStatus === undefined ? '' : ` (${p.httpStatus})`}</td><td>${h(p.detail)}</td></tr>`;
    });
    if (health) {
      ids.add(anchors.health(index));
      rows.push(`<tr id="${h(anchors.health(index))}"><td>GET /health after the run</td><td>${health.status ?? 'no answer'}</td><td>${h(health.detail)}</td></tr>`);
    }
    others.push(`<h4>Security probes and health</h4><table class="list">${rows.join('')}</table>`);
  }
  const strict = report.options.strict;
  const scenarioWide = s.results.filter((r) => r.call === undefined);
  const expectations = s.expectations.length
    ? `<h4>Expectations</h4><table class="list">${s.expectations.map((e) => `<tr><td><span class="chip ${e.pass ? 'pass' : 'fail'}">${e.pass ? 'pass' : 'fail'}</span></td><td>${e.call === undefined ? '' : `[${h(callName(record, e.call))}] `}${h(e.expectation)}</td><td>${h(e.evidence)}</td></tr>`).join('')}</table>`
    : '';
  const checkExpectations = s.checkExpectations.length
    ? `<h4>Check expectations</h4><table class="list">${s.checkExpectations.map((e) => `<tr><td><span class="chip ${e.met ? 'pass' : 'fail'}">${e.met ? 'met' : 'unmet'}</span></td><td>${h(e.checkId)} must ${e.expected}</td><td>${h(e.detail)}</td></tr>`).join('')}</table>`
    : '';
  const allChecks = s.results.length
    ? `<details><summary>All ${s.results.length} check results</summary>${s.results.map((r) => resultHtml(s, index, r, ids, true)).join('')}</details>`
    : '';
  const meta = [
    ['seed', `<code>${s.seed}</code>`],
    ['replay', `<code>${h(s.replay)}</code>`],
    ['file', h(s.scenario.file)],
    ['tags', h(s.scenario.tags.join(', '))],
    ['duration', h(formatDuration(s.durationMs))],
    ...(s.reason === undefined ? [] : [[s.outcome === 'error' ? 'error' : 'reason', h(s.reason)]]),
  ];
  const legend = '<p class="legend">Timeline times are from the run start; waterfall times from the root span start. Hover a span for its attributes, click it for the table. <span class="badge syn">synthetic</span> marks values Twilio hides and agents fill with constants.</p>';
  const calls = record.calls.map((call, i) => callSection(report, s, index, call, bodies[i] ?? '', ids));
  const open = s.outcome === 'fail' || s.outcome === 'error' ? ' open="open"' : '';
  return (
    `<details class="scenario"${open} id="${h(anchors.scenario(index))}"><summary><span class="chip ${s.outcome}">${s.outcome}</span> ${h(s.scenario.id)} <span class="title">— ${h(s.scenario.title)} · ${s.results.length} checks · ${h(formatDuration(s.durationMs))}</span></summary>` +
    `<div class="scenario-body"><dl class="meta">${meta.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>` +
    `${problemsHtml(s, index, scenarioWide, strict, ids, 'Checks on the whole scenario')}${record.calls.length ? legend : ''}${expectations}${checkExpectations}${allChecks}${calls.join('')}${others.join('')}</div></details>`
  );
}

/** The report as one self-contained HTML document. */
export function formatHtmlReport(report: RunReport): string {
  const { summary } = report;
  const pass = summary.exitCode === 0;
  const sc = summary.scenarios;
  const o = summary.byOutcome;
  const rows = report.scenarios.map(
    (s, i) => `<tr><td><span class="chip ${s.outcome}">${s.outcome}</span></td><td><a href="#${anchors.scenario(i)}">${h(s.scenario.id)}</a></td><td>${h(s.scenario.title)}</td><td>${s.results.filter((r) => resultStanding(r, s.checkExpectations, report.options.strict) === 'failing').length} failing</td></tr>`,
  );
  const header =
    `<header class="top"><h1><span class="verdict ${pass ? 'pass' : 'fail'}">${pass ? 'PASSED' : 'FAILED'}</span> ${h(report.kit.name)} ${h(report.kit.version)} run report</h1>` +
    `<dl class="meta"><dt>seed</dt><dd><code>${report.seed}</code></dd><dt>replay</dt><dd><code>${h(report.replay)}</code></dd>` +
    `<dt>scenarios</dt><dd>${sc.passed} passed, ${sc.failed} failed, ${sc.skipped} skipped, ${sc.errored} errored</dd>` +
    `<dt>checks</dt><dd>${o.pass} pass, ${o.warn} warn, ${o.fail} fail, ${o.missing} missing, ${o.skip} skip</dd>` +
    `<dt>expectations</dt><dd>${summary.expectations.passed} passed, ${summary.expectations.failed} failed</dd>` +
    `<dt>agent</dt><dd>${h(report.options.agent.mode)} ${h(report.options.agent.target)}${report.options.strict ? ' · strict' : ''}</dd>` +
    `<dt>run</dt><dd>${h(report.startedAt)} → ${h(report.endedAt)} · exit code ${summary.exitCode}</dd></dl>` +
    `<table class="list">${rows.join('')}</table>` +
    `<div class="toolbar"><button type="button" data-toggle="open">Expand all</button><button type="button" data-toggle="close">Collapse all</button></div></header>`;
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src '${scriptHash()}'; img-src data:; form-action 'none'; base-uri 'none'`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8" />',
    `<meta http-equiv="Content-Security-Policy" content="${csp}" />`,
    '<meta name="viewport" content="width=device-width, initial-scale=1" />',
    `<title>${pass ? 'PASSED' : 'FAILED'} · relaysim seed ${report.seed}</title>`,
    `<style>${REPORT_CSS}</style>`,
    `<script>${REPORT_JS}</script>`,
    '</head><body>',
    header,
    `<main>${report.scenarios.map((s, i) => scenarioSection(report, s, i)).join('\n')}</main>`,
    '</body></html>',
    '',
  ].join('\n');
}

/** Writes the report to `<dir>/index.html` (creating `dir`) and nothing else; returns the file's path. */
export async function writeHtmlReport(report: RunReport, dir: string): Promise<string> {
  const file = join(dir, 'index.html');
  const html = formatHtmlReport(report);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(file, html, 'utf8');
  } catch (error) {
    throw new SimErrors.SIM_ERR_REPORT_WRITE_FAILED(file, error instanceof Error ? error.message : String(error), { cause: error });
  }
  return file;
}
