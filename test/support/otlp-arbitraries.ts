import fc from 'fast-check';
import type { OtlpAnyValue, OtlpEvent, OtlpKeyValue, OtlpLink, OtlpRequest, OtlpResourceSpans, OtlpScopeSpans, OtlpSpan } from '../../simulator/otlp/model.ts';

const hexBytes = (n: number): fc.Arbitrary<string> =>
  fc.uint8Array({ minLength: n, maxLength: n }).filter((b) => b.some((x) => x !== 0)).map((b) => Buffer.from(b).toString('hex'));

/** A valid 32-hex trace id (never all zero). */
export const traceIdArb = hexBytes(16);
/** A valid 16-hex span id (never all zero). */
export const spanIdArb = hexBytes(8);

// Well-formed Unicode only: protobuf strings are UTF-8, so lone surrogates cannot round-trip.
const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });

const { value: anyValueArb } = fc.letrec<{ value: OtlpAnyValue; kvs: OtlpKeyValue[] }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant<OtlpAnyValue>({ type: 'empty' }),
    text.map((value): OtlpAnyValue => ({ type: 'string', value })),
    fc.boolean().map((value): OtlpAnyValue => ({ type: 'bool', value })),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value): OtlpAnyValue => ({ type: 'int', value })),
    fc.double().map((value): OtlpAnyValue => ({ type: 'double', value })),
    fc.uint8Array({ maxLength: 12 }).map((b): OtlpAnyValue => ({ type: 'bytes', value: Buffer.from(b).toString('base64') })),
    fc.array(tie('value'), { maxLength: 3 }).map((values): OtlpAnyValue => ({ type: 'array', values })),
    tie('kvs').map((values): OtlpAnyValue => ({ type: 'kvlist', values })),
  ),
  kvs: fc.uniqueArray(fc.record({ key: text, value: tie('value') }), { selector: (kv) => kv.key, maxLength: 3 }),
}));

/** Attribute lists with unique keys (the decoders reject duplicates). */
export const attributesArb: fc.Arbitrary<OtlpKeyValue[]> = fc.uniqueArray(fc.record({ key: text, value: anyValueArb }), { selector: (kv) => kv.key, maxLength: 4 });

const eventArb: fc.Arbitrary<OtlpEvent> = fc.record({ timeUnixNano: u64, name: text, attributes: attributesArb, droppedAttributesCount: u32 });
const linkArb: fc.Arbitrary<OtlpLink> = fc.record({ traceId: traceIdArb, spanId: spanIdArb, traceState: text, attributes: attributesArb, droppedAttributesCount: u32, flags: u32 });

/** Any span OTLP can carry (not necessarily Coval-clean). */
export const spanArb: fc.Arbitrary<OtlpSpan> = fc.record({
  traceId: traceIdArb,
  spanId: spanIdArb,
  traceState: text,
  parentSpanId: fc.oneof(fc.constant(''), spanIdArb),
  flags: u32,
  name: text,
  kind: fc.integer({ min: 0, max: 7 }),
  startTimeUnixNano: u64,
  endTimeUnixNano: u64,
  attributes: attributesArb,
  droppedAttributesCount: u32,
  events: fc.array(eventArb, { maxLength: 2 }),
  droppedEventsCount: u32,
  links: fc.array(linkArb, { maxLength: 2 }),
  droppedLinksCount: u32,
  status: fc.record({ code: fc.integer({ min: 0, max: 4 }), message: text }),
});

const scopeSpansArb: fc.Arbitrary<OtlpScopeSpans> = fc.record({
  scope: fc.record({ name: text, version: text, attributes: attributesArb, droppedAttributesCount: u32 }),
  spans: fc.array(spanArb, { maxLength: 3 }),
  schemaUrl: text,
});

const resourceSpansArb: fc.Arbitrary<OtlpResourceSpans> = fc.record({
  resource: fc.record({ attributes: attributesArb, droppedAttributesCount: u32 }),
  scopeSpans: fc.array(scopeSpansArb, { maxLength: 2 }),
  schemaUrl: text,
});

/** Any valid ExportTraceServiceRequest in the normalised model. */
export const requestArb: fc.Arbitrary<OtlpRequest> = fc.record({ resourceSpans: fc.array(resourceSpansArb, { maxLength: 2 }) });

/** A valid request with exactly one resourceSpans holding at least one span. */
export const oneEnvelopeRequestArb: fc.Arbitrary<OtlpRequest> = fc
  .tuple(resourceSpansArb, scopeSpansArb, spanArb)
  .map(([rs, ss, span]) => ({ resourceSpans: [{ ...rs, scopeSpans: [{ ...ss, spans: [span, ...ss.spans] }, ...rs.scopeSpans] }] }));
