/* The HTML report's inline stylesheet and script: constants (no recorded data goes into them), free of `<` and `&` so the page stays well-formed XML. */
import { createHash } from 'node:crypto';

/** The stylesheet (system fonts only; nothing is fetched). */
export const REPORT_CSS = `
:root { --fg:#1f2933; --muted:#6b7785; --line:#d9dee5; --bg:#ffffff; --panel:#f6f8fa; --pass:#1a7f37; --fail:#cf222e; --warn:#9a6700; --skip:#6b7785; --hl:#fff8c5; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
code, .mono, .t, .detail, td.v { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12px; }
header.top { padding: 16px 24px; border-bottom: 1px solid var(--line); background: var(--panel); }
header.top h1 { margin: 0 0 6px; font-size: 20px; display: flex; gap: 12px; align-items: center; }
main { padding: 8px 24px 48px; }
.verdict { padding: 2px 10px; border-radius: 4px; color: #fff; font-size: 14px; letter-spacing: .04em; }
.verdict.pass, .chip.pass { background: var(--pass); } .verdict.fail, .chip.fail, .chip.error, .chip.missing { background: var(--fail); }
.chip { display: inline-block; min-width: 56px; text-align: center; padding: 0 6px; border-radius: 3px; color: #fff; font-size: 11px; font-weight: 600; text-transform: uppercase; }
.chip.skipped, .chip.skip { background: var(--skip); } .chip.warn { background: var(--warn); }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0; }
.meta dt { color: var(--muted); } .meta dd { margin: 0; word-break: break-all; }
table.list { border-collapse: collapse; margin: 8px 0; width: 100%; }
table.list td, table.list th { border-bottom: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
details.scenario { border: 1px solid var(--line); border-radius: 6px; margin: 14px 0; }
details.scenario > summary { padding: 8px 12px; cursor: pointer; background: var(--panel); font-weight: 600; }
details.scenario > summary .title { font-weight: 400; color: var(--muted); }
.scenario-body { padding: 4px 14px 14px; }
section.call { border-top: 2px solid var(--line); margin-top: 14px; padding-top: 6px; }
section.call h3 { margin: 4px 0; font-size: 15px; }
.problems { margin: 8px 0; padding: 6px 10px; border-left: 4px solid var(--fail); background: #fff5f5; }
.problems.warn-only { border-left-color: var(--warn); background: #fffbeb; }
.problems.info-only { border-left-color: var(--skip); background: var(--panel); }
.problems h4 { margin: 0 0 4px; font-size: 13px; }
.problem { margin: 4px 0; } .problem .id { font-weight: 600; }
.problem ul { margin: 2px 0 2px 18px; padding: 0; }
h4 { margin: 14px 0 4px; font-size: 13px; color: var(--muted); text-transform: uppercase; letter-spacing: .05em; }
.tl, .wf { border: 1px solid var(--line); border-radius: 4px; overflow: hidden; }
.row, .wf summary { display: grid; grid-template-columns: 78px 96px minmax(240px, 34%) 1fr; align-items: center; gap: 0 8px; padding: 1px 8px; border-bottom: 1px solid #eef1f4; }
.row.axis { background: var(--panel); color: var(--muted); font-size: 11px; }
.row:target, details:target > summary, .row:has(:target) { background: var(--hl); outline: 2px solid #d4a72c; }
.row .lane { color: var(--muted); font-size: 12px; white-space: nowrap; }
.row .what { overflow: hidden; } .row .what b { font-weight: 600; }
.row .detail { display: block; color: #3b4754; white-space: pre-wrap; word-break: break-word; max-height: 4.4em; overflow: hidden; }
.row.tone-bad .what b { color: var(--fail); } .row.tone-warn .what b { color: var(--warn); } .row.tone-muted { color: var(--muted); }
.track { position: relative; height: 14px; }
.axis .track { height: 16px; }
.tick { position: absolute; top: 0; transform: translateX(-50%); white-space: nowrap; }
.tick.first { transform: none; } .tick.last { transform: translateX(-100%); }
.bar { position: absolute; top: 3px; height: 8px; min-width: 3px; border-radius: 2px; background: #8896a5; }
.dot { position: absolute; top: 2px; width: 10px; height: 10px; margin-left: -5px; border-radius: 50%; background: #8896a5; }
.mark { position: absolute; top: 0; width: 2px; height: 14px; background: #111; }
.lane-to-agent .bar, .lane-to-agent .dot { background: #2563eb; } .lane-from-agent .bar, .lane-from-agent .dot { background: #059669; }
.lane-llm .bar, .lane-llm .dot { background: #7c3aed; } .lane-export .bar, .lane-export .dot { background: #d97706; }
.lane-registration .bar, .lane-registration .dot, .lane-webhook .bar, .lane-webhook .dot { background: #64748b; }
.tone-bad .bar, .tone-bad .dot { background: var(--fail) !important; }
.wf details { border-bottom: 1px solid #eef1f4; } .wf summary { list-style: none; cursor: pointer; border-bottom: 0; }
.wf summary::-webkit-details-marker { display: none; }
.wname { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; grid-column: span 2; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.wf .bar { height: 10px; top: 2px; }
.wf .err .bar { outline: 2px solid var(--fail); background-image: repeating-linear-gradient(45deg, transparent 0 4px, rgba(255,255,255,.55) 4px 7px); }
.badge { display: inline-block; padding: 0 4px; margin-left: 4px; border-radius: 3px; font-size: 10px; font-weight: 700; color: #fff; background: var(--fail); }
.badge.syn { background: #8250df; } .badge.prob { background: var(--warn); }
.attrs { margin: 2px 8px 8px 182px; border-collapse: collapse; }
.attrs td { padding: 1px 8px; border-bottom: 1px solid #eef1f4; vertical-align: top; word-break: break-all; }
.attrs tr.synthetic td { color: #8250df; }
.legend { color: var(--muted); font-size: 12px; margin: 4px 0; }
.toolbar button { font: inherit; font-size: 12px; margin-right: 6px; }
a { color: #0969da; }
a.cite { display: inline-block; margin-left: 6px; padding: 0 4px; border-radius: 3px; font-size: 10px; font-weight: 700; text-decoration: none; color: #fff; background: var(--fail); }
a.cite.warn, a.cite.missing { background: var(--warn); }
.problem:target { background: var(--hl); outline: 2px solid #d4a72c; }
`;

/** The script: opens the collapsed sections around a linked row, and expands or collapses everything. */
export const REPORT_JS = `
(function () {
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id ? document.getElementById(id) : null;
    if (!el) return;
    for (var p = el; p; p = p.parentElement) if (p.tagName === 'DETAILS') p.open = true;
    el.scrollIntoView({ block: 'center' });
  }
  window.addEventListener('hashchange', reveal);
  document.addEventListener('DOMContentLoaded', function () {
    reveal();
    document.querySelectorAll('[data-toggle]').forEach(function (b) {
      b.addEventListener('click', function () {
        var open = b.getAttribute('data-toggle') === 'open';
        document.querySelectorAll('details.scenario').forEach(function (d) { d.open = open; });
      });
    });
  });
})();
`;

/** The CSP hash of {@link REPORT_JS}, so the page may run that script and nothing else. */
export function scriptHash(): string {
  return `sha256-${createHash('sha256').update(REPORT_JS).digest('base64')}`;
}
