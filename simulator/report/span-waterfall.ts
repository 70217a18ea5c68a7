/**
 * A span waterfall from captured OTLP span rows: tree order (children by start time under their
 * parent), depth by parent chain, offsets relative to the root's start. Times are int64 nanosecond
 * strings, so the arithmetic is BigInt; only millisecond numbers leave this file.
 */
import type { BatchRecord, SpanRow } from '../scenario/run-record.ts';

/** Attributes Twilio hides and agents fill with constants (architecture §6), by span name. */
const KNOWN_SYNTHETIC: Readonly<Record<string, readonly string[]>> = {
  stt: ['metrics.ttfb', 'stt.confidence'],
  'stt.provider.twilio': ['metrics.ttfb', 'stt.confidence'],
  tts: ['metrics.ttfb'],
};

/** One bar of the waterfall. */
export interface WaterfallRow {
  readonly span: SpanRow;
  readonly batchSeq: number;
  readonly depth: number;
  /** Milliseconds from the reference start (the root's) to this span's start and end. */
  readonly startMs: number;
  readonly endMs: number;
  /** The span's times were not decimal nanoseconds, or its parent is not among the spans. */
  readonly problems: readonly string[];
  /** Keys of attributes whose values are synthetic (declared by `synthetic.attributes` or known for the span name). */
  readonly synthetic: ReadonlySet<string>;
}

/** The rows plus the range they cover. */
export interface Waterfall {
  readonly rows: readonly WaterfallRow[];
  readonly fromMs: number;
  readonly toMs: number;
}

const parseNs = (text: string): bigint | undefined => (/^\d+$/.test(text) ? BigInt(text) : undefined);

/** The synthetic attribute keys of a span. */
export function syntheticKeys(span: SpanRow): Set<string> {
  const keys = new Set(KNOWN_SYNTHETIC[span.name] ?? []);
  const declared = span.attributes['synthetic.attributes'];
  if (declared?.type === 'string') for (const k of declared.value.split(',')) if (k.trim()) keys.add(k.trim());
  return new Set([...keys].filter((k) => k in span.attributes));
}

/** Lays out the spans of `batches` (one call's, in arrival order). */
export function spanWaterfall(batches: readonly BatchRecord[]): Waterfall {
  const all = batches.flatMap((b) => b.spans.map((span) => ({ span, batchSeq: b.seq })));
  const ids = new Set(all.map((x) => x.span.spanId));
  const isRoot = (x: (typeof all)[number]) => x.span.parentSpanId === '' || !ids.has(x.span.parentSpanId);
  const starts = all.map((x) => parseNs(x.span.startNs));
  const root = all.find((x) => x.span.parentSpanId === '') ?? all[0];
  const validStarts = starts.filter((v): v is bigint => v !== undefined);
  const ref = (root && parseNs(root.span.startNs)) ?? (validStarts.length ? validStarts.reduce((a, b) => (a < b ? a : b)) : 0n);
  const ms = (ns: bigint | undefined) => (ns === undefined ? 0 : Number(ns - ref) / 1e6);
  const children = new Map<string, (typeof all)[number][]>();
  for (const x of all) if (!isRoot(x)) children.set(x.span.parentSpanId, [...(children.get(x.span.parentSpanId) ?? []), x]);
  const byStart = (a: (typeof all)[number], b: (typeof all)[number]) => ms(parseNs(a.span.startNs)) - ms(parseNs(b.span.startNs));
  const rows: WaterfallRow[] = [];
  const placed = new Set<(typeof all)[number]>();
  const visit = (x: (typeof all)[number], depth: number) => {
    if (placed.has(x)) return;
    placed.add(x);
    const start = parseNs(x.span.startNs);
    const end = parseNs(x.span.endNs);
    const problems = [
      ...(start === undefined || end === undefined ? [`times are not decimal nanoseconds (${x.span.startNs} – ${x.span.endNs})`] : []),
      ...(x.span.parentSpanId !== '' && !ids.has(x.span.parentSpanId) ? [`parent ${x.span.parentSpanId} is not among the spans`] : []),
    ];
    rows.push({ span: x.span, batchSeq: x.batchSeq, depth, startMs: ms(start), endMs: ms(end ?? start), problems, synthetic: syntheticKeys(x.span) });
    for (const c of [...(children.get(x.span.spanId) ?? [])].sort(byStart)) visit(c, depth + 1);
  };
  for (const x of all.filter(isRoot).sort(byStart)) visit(x, 0);
  // Spans caught in a parent cycle have no root above them; show them flat rather than drop them.
  for (const x of all) if (!placed.has(x)) visit(x, 0);
  const times = rows.flatMap((r) => [r.startMs, r.endMs]);
  const fromMs = times.length ? Math.min(0, ...times) : 0;
  const toMs = times.length ? Math.max(...times) : 1;
  return { rows, fromMs, toMs: toMs > fromMs ? toMs : fromMs + 1 };
}
