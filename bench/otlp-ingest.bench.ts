// Fake Coval ingest throughput (architecture §9 target: >= 50k spans/s JSON decode+validate).
// Run: npx node bench/otlp-ingest.bench.ts   (prints medians of 15 rounds over a 10k-span batch)
import { decodeOtlpJson } from '../simulator/otlp/decode-json.ts';
import { decodeOtlpProtobuf } from '../simulator/otlp/decode-protobuf.ts';
import { encodeOtlpJson } from '../simulator/otlp/encode-json.ts';
import { encodeOtlpProtobuf } from '../simulator/otlp/encode-protobuf.ts';
import type { OtlpRequest, OtlpSpan } from '../simulator/otlp/model.ts';
import { validateRequest } from '../simulator/otlp/validate.ts';

const SPANS = 10_000;
const ROUNDS = 15;
const names = ['stt', 'llm', 'tts'] as const;

function batch(): OtlpRequest {
  const spans: OtlpSpan[] = [];
  for (let i = 0; i < SPANS; i++) {
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

function median(fn: () => void): number {
  for (let i = 0; i < 3; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(ROUNDS / 2)] as number;
}

const request = batch();
const cases: Array<[string, () => void]> = [
  ['json (int64 strings) decode+validate', ((t) => () => { const r = decodeOtlpJson(t); if (r.ok) validateRequest(r.request); })(encodeOtlpJson(request))],
  ['json (int64 numbers) decode+validate', ((t) => () => { const r = decodeOtlpJson(t); if (r.ok) validateRequest(r.request); })(encodeOtlpJson(request, { int64: 'number' }))],
  ['protobuf decode+validate', ((b) => () => { const r = decodeOtlpProtobuf(b); if (r.ok) validateRequest(r.request); })(encodeOtlpProtobuf(request))],
];
for (const [label, fn] of cases) {
  const ms = median(fn);
  console.log(`${label.padEnd(40)} ${ms.toFixed(1).padStart(7)} ms / ${SPANS} spans = ${Math.round((SPANS / ms) * 1000).toLocaleString('en-US')} spans/s`);
}
