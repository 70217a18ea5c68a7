/* HTML for one call's timeline and span waterfall; every id it emits is added to `ids` so links can be checked. */
import { attributeText, type AttributeValueJson } from '../scenario/run-record.ts';
import type { TimelineRow } from './call-timeline.ts';
import { anchors } from './evidence-location.ts';
import { escapeHtml as h, pct } from './html-escape.ts';
import { formatDuration } from './report-text.ts';
import type { Waterfall } from './span-waterfall.ts';

const LANE_LABEL: Record<TimelineRow['lane'], string> = {
  registration: 'Coval → agent',
  webhook: 'Twilio → agent',
  'to-agent': 'relay → agent',
  'from-agent': 'agent → relay',
  llm: 'agent → LLM',
  export: 'agent → Coval',
  step: 'caller',
  session: 'session',
};

const SPAN_COLOURS: Readonly<Record<string, string>> = {
  conversation: '#64748b',
  stt: '#0ea5e9',
  'stt.provider.twilio': '#7dd3fc',
  llm: '#8b5cf6',
  tts: '#10b981',
  tool_call: '#f59e0b',
  tool_call_result: '#d97706',
};

/** A stable colour per span name: the Coval names get fixed ones, others a hue from a hash. */
export function spanColour(name: string): string {
  const fixed = SPAN_COLOURS[name];
  if (fixed) return fixed;
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return `hsl(${hash % 360}, 55%, 55%)`;
}

/** Failing or warning results citing a row, by the row's anchor: drawn as badges linking back to the result. */
export type Citations = ReadonlyMap<string, readonly { readonly checkId: string; readonly outcome: string; readonly anchor: string }[]>;

function citedBy(cited: Citations, anchorsOfRow: readonly string[]): string {
  const seen = new Set<string>();
  return anchorsOfRow
    .flatMap((a) => cited.get(a) ?? [])
    .filter((c) => !seen.has(c.anchor) && seen.add(c.anchor))
    .map((c) => ` <a class="cite ${h(c.outcome)}" href="#${h(c.anchor)}" title="evidence for ${h(c.checkId)} (${h(c.outcome)})">${h(c.checkId)}</a>`)
    .join('');
}

function ticks(fromMs: number, toMs: number, label: (ms: number) => string): string {
  const parts = [0, 0.25, 0.5, 0.75, 1].map((f, i, all) => {
    const cls = i === 0 ? 'tick first' : i === all.length - 1 ? 'tick last' : 'tick';
    return `<span class="${cls}" style="left:${pct(f * 100)}">${h(label(fromMs + f * (toMs - fromMs)))}</span>`;
  });
  return `<span class="track">${parts.join('')}</span>`;
}

/** The call's timeline rows on one time axis (times shown from the run's start). */
export function timelineHtml(rows: readonly TimelineRow[], fromMs: number, toMs: number, runStartMs: number, ids: Set<string>, cited: Citations): string {
  const x = (ms: number) => ((ms - fromMs) / (toMs - fromMs)) * 100;
  const since = (ms: number) => `+${formatDuration(ms - runStartMs)}`;
  const out = [`<div class="tl"><div class="row axis"><span>time</span><span>who</span><span>what</span>${ticks(fromMs, toMs, since)}</div>`];
  for (const r of rows) {
    ids.add(r.anchor);
    for (const a of r.extraAnchors) ids.add(a);
    const shape =
      r.endMs > r.startMs
        ? `<span class="bar" style="left:${pct(x(r.startMs))};width:${pct(x(r.endMs) - x(r.startMs))}"></span>`
        : `<span class="dot" style="left:${pct(x(r.startMs))}"></span>`;
    const marks = r.marks.map((m) => `<span class="mark" style="left:${pct(x(m.atMs))}" title="${h(m.label)}"></span>`).join('');
    const extra = r.extraAnchors.map((a) => `<span id="${h(a)}"></span>`).join('');
    const span = r.endMs > r.startMs ? ` (${formatDuration(r.endMs - r.startMs)})` : '';
    out.push(
      `<div class="row lane-${r.lane} tone-${r.tone}" id="${h(r.anchor)}">` +
        `<span class="t">${extra}${h(since(r.startMs))}</span><span class="lane">${h(LANE_LABEL[r.lane])}</span>` +
        `<span class="what"><b>${h(r.title)}</b>${h(span)}${citedBy(cited, [r.anchor, ...r.extraAnchors])}${r.detail ? `<span class="detail" title="${h(r.detail)}">${h(r.detail)}</span>` : ''}</span>` +
        `<span class="track">${shape}${marks}</span></div>`,
    );
  }
  out.push('</div>');
  return out.join('\n');
}

function valueText(v: AttributeValueJson): string {
  if (v.type === 'empty') return '(empty)';
  if (v.type === 'array' || v.type === 'kvlist') return JSON.stringify(v.values);
  return attributeText(v) ?? '';
}

/** The span waterfall; a span id gets its anchor on its first row in the scenario only. */
export function waterfallHtml(w: Waterfall, s: number, ids: Set<string>, cited: Citations): string {
  if (w.rows.length === 0) return '<p class="legend">No spans were captured for this call.</p>';
  const x = (ms: number) => ((ms - w.fromMs) / (w.toMs - w.fromMs)) * 100;
  const out = [`<div class="wf"><div class="row axis"><span>start</span><span>span</span><span></span>${ticks(w.fromMs, w.toMs, (ms) => `+${formatDuration(ms)}`)}</div>`];
  for (const r of w.rows) {
    const anchor = anchors.span(s, r.span.spanId);
    const idAttr = ids.has(anchor) ? '' : ` id="${h(anchor)}"`;
    ids.add(anchor);
    const error = r.span.status.code === 2;
    const attrs = Object.entries(r.span.attributes);
    const tooltip = [
      `${r.span.name} · ${formatDuration(r.endMs - r.startMs)} · span ${r.span.spanId}${r.span.parentSpanId ? ` ← ${r.span.parentSpanId}` : ''}`,
      ...(error ? [`status ERROR ${r.span.status.message}`] : []),
      ...attrs.map(([k, v]) => `${k} = ${valueText(v)}${r.synthetic.has(k) ? '  (synthetic)' : ''}`),
      ...r.problems,
    ].join('\n');
    const badges = [
      ...(error ? [`<span class="badge">ERROR</span>`] : []),
      ...(r.synthetic.size ? [`<span class="badge syn">synthetic ${r.synthetic.size}</span>`] : []),
      ...(r.problems.length ? [`<span class="badge prob">!</span>`] : []),
    ].join('');
    const rows = attrs
      .map(([k, v]) => `<tr class="${r.synthetic.has(k) ? 'synthetic' : ''}"><td>${h(k)}${r.synthetic.has(k) ? ' <span class="badge syn">synthetic</span>' : ''}</td><td class="v">${h(valueText(v))}</td><td>${h(v.type)}</td></tr>`)
      .join('');
    const status = error ? `<tr><td>status</td><td class="v">ERROR ${h(r.span.status.message)}</td><td></td></tr>` : '';
    const problems = r.problems.map((p) => `<tr><td>problem</td><td class="v">${h(p)}</td><td></td></tr>`).join('');
    out.push(
      `<details${idAttr} class="${error ? 'err' : ''}"><summary class="row" title="${h(tooltip)}">` +
        `<span class="t">+${h(formatDuration(r.startMs))}</span>` +
        `<span class="wname" style="padding-left:${Math.min(r.depth, 20) * 14}px"><span class="swatch" style="background:${spanColour(r.span.name)}"></span>${h(r.span.name)}${badges}${citedBy(cited, [anchor])}</span>` +
        `<span class="track"><span class="bar" style="left:${pct(x(r.startMs))};width:${pct(x(r.endMs) - x(r.startMs))};background-color:${spanColour(r.span.name)}"></span></span></summary>` +
        `<table class="attrs"><tr><td>span</td><td class="v">${h(r.span.spanId)} in trace ${h(r.span.traceId)} (batch #${r.batchSeq})</td><td></td></tr>${status}${problems}${rows}</table></details>`,
    );
  }
  out.push('</div>');
  return out.join('\n');
}
