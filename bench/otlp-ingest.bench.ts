// Fake Coval ingest throughput (architecture §9 target: >= 50k spans/s JSON decode+validate).
// Run: npx node bench/otlp-ingest.bench.ts   (prints medians of 15 rounds over a 10k-span batch)
// `npm run bench` calls measureIngest() from here.
import { decodeOtlpJson } from '../simulator/otlp/decode-json.ts';
import { decodeOtlpProtobuf } from '../simulator/otlp/decode-protobuf.ts';
import { encodeOtlpJson } from '../simulator/otlp/encode-json.ts';
import { encodeOtlpProtobuf } from '../simulator/otlp/encode-protobuf.ts';
import type { OtlpRequest, OtlpSpan } from '../simulator/otlp/model.ts';
import { validateRequest } from '../simulator/otlp/validate.ts';

const names = ['stt', 'llm', 'tts'] as const;

function batch(count: number): OtlpRequest {
  const spans: OtlpSpan[] = [];
  for (let i = 0; i < count; i++) {
    const start = 1_760_000_000_000_000_000n + BigInt(i) * 1_000_000n;
    spans.push({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: (i + 1).toString(16).padStart(16, '0'),
      traceState: '',
      parentSpanId: '00f067aa0ba902b7',
      flags: 257,
      name: names[i % 3] as string,
      kind: 1,
      startTimeUnixNano: start,
      endTimeUnixNano: start + 600_000_000n,
      attributes: [
        { key: 'metrics.ttfb', value: { type: 'double', value: 0.42 } },
        { key: 'transcript', value: { type: 'string', value: 'what are your opening hours' } },
        { key: 'llm.finish_reason', value: { type: 'string', value: 'stop' } },
        { key: 'gen_ai.usage.input_tokens', value: { type: 'int', value: 120n } },
      ],
      droppedAttributesCount: 0,
      events: [],
      droppedEventsCount: 0,
      links: [],
      droppedLinksCount: 0,
      status: { code: 1, message: '' },
    });
  }
  const scope = { name: 'bench', version: '1', attributes: [], droppedAttributesCount: 0 };
  const resource = { attributes: [{ key: 'service.name', value: { type: 'string' as const, value: 'bench' } }], droppedAttributesCount: 0 };
  return { resourceSpans: [{ resource, scopeSpans: [{ scope, spans, schemaUrl: '' }], schemaUrl: '' }] };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function timeRounds(fn: () => void, rounds: number): number[] {
  for (let i = 0; i < 3; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times;
}

/** Decode+validate throughput of one encoding: the median of `rounds` rounds, in spans/s. */
export interface IngestFigure {
  readonly label: string;
  readonly spansPerSecond: number;
  readonly medianMs: number;
  readonly roundsMs: readonly number[];
}

/** Times decode+validate of one `spans`-span batch in OTLP/JSON (string and number int64s) and protobuf. */
export function measureIngest(spans = 10_000, rounds = 15): IngestFigure[] {
  const request = batch(spans);
  const json = (text: string) => () => {
    const r = decodeOtlpJson(text);
    if (r.ok) validateRequest(r.request);
  };
  const protobuf = (bytes: Uint8Array) => () => {
    const r = decodeOtlpProtobuf(bytes);
    if (r.ok) validateRequest(r.request);
  };
  const cases: [string, () => void][] = [
    ['json (int64 strings)', json(encodeOtlpJson(request))],
    ['json (int64 numbers)', json(encodeOtlpJson(request, { int64: 'number' }))],
    ['protobuf', protobuf(encodeOtlpProtobuf(request))],
  ];
  return cases.map(([label, fn]) => {
    const roundsMs = timeRounds(fn, rounds).map((ms) => Math.round(ms * 100) / 100);
    const medianMs = median(roundsMs);
    return { label, spansPerSecond: Math.round((spans / medianMs) * 1000), medianMs, roundsMs };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of measureIngest()) {
    console.log(`${`${f.label} decode+validate`.padEnd(40)} ${f.medianMs.toFixed(1).padStart(7)} ms / 10000 spans = ${f.spansPerSecond.toLocaleString('en-US')} spans/s`);
  }
}
