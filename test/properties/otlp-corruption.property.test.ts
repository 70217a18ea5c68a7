import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFakeCoval } from '../../simulator/coval/fake-coval.ts';
import { encodeOtlpJson } from '../../simulator/otlp/encode-json.ts';
import { encodeOtlpProtobuf } from '../../simulator/otlp/encode-protobuf.ts';
import type { OtlpRequest } from '../../simulator/otlp/model.ts';
import { fcOptions } from '../support/fc-config.ts';
import { oneEnvelopeRequestArb } from '../support/otlp-arbitraries.ts';

type Json = Record<string, unknown>;

/** A body and headers that must be refused with 400. */
interface Corrupt {
  readonly label: string;
  readonly contentType: string;
  readonly gzip: boolean;
  readonly body: Buffer;
}

function firstSpan(doc: Json): Json {
  const rs = (doc.resourceSpans as Json[])[0] as Json;
  const ss = (rs.scopeSpans as Json[]).find((s) => Array.isArray(s.spans) && s.spans.length > 0) as Json;
  return (ss.spans as Json[])[0] as Json;
}

const WRONG_TYPES: ReadonlyArray<readonly [string, readonly unknown[]]> = [
  ['name', [42, true, {}, []]],
  ['kind', ['SPAN_KIND_INTERNAL', 'INTERNAL', 1.5, true, {}]],
  ['startTimeUnixNano', ['abc', true, -1, 1.5, '1e9', {}, []]],
  ['endTimeUnixNano', ['', ' 1', '0x10', [], '-5']],
  ['attributes', [{}, 'x', 7]],
  ['events', ['x', {}, 3]],
  ['links', [{ traceId: 'x' }, 'y']],
  ['status', ['OK', 1, []]],
  ['droppedAttributesCount', [-1, 1.5, 'x', 2 ** 32]],
  ['flags', [-1, 'x', 2 ** 32]],
];

const BAD_IDS: ReadonlyArray<readonly [string, (id: string) => string]> = [
  ['base64', (id) => Buffer.from(id, 'hex').toString('base64')],
  ['short', (id) => id.slice(2)],
  ['long', (id) => `${id}00`],
  ['non-hex', (id) => `${id.slice(1)}g`],
  ['zero', (id) => '0'.repeat(id.length)],
  ['empty', () => ''],
];

function corruptJsonType(request: OtlpRequest, pick: number, wrong: number): Corrupt {
  const doc = JSON.parse(encodeOtlpJson(request)) as Json;
  const [field, values] = WRONG_TYPES[pick % WRONG_TYPES.length] as (typeof WRONG_TYPES)[number];
  firstSpan(doc)[field] = values[wrong % values.length];
  return { label: `json type ${field}`, contentType: 'application/json', gzip: false, body: Buffer.from(JSON.stringify(doc)) };
}

function corruptId(request: OtlpRequest, pick: number, field: number): Corrupt {
  const doc = JSON.parse(encodeOtlpJson(request)) as Json;
  const span = firstSpan(doc);
  const key = (['traceId', 'spanId'] as const)[field % 2] as 'traceId' | 'spanId';
  const [how, mangle] = BAD_IDS[pick % BAD_IDS.length] as (typeof BAD_IDS)[number];
  span[key] = mangle(String(span[key]));
  return { label: `id ${key} ${how}`, contentType: 'application/json', gzip: false, body: Buffer.from(JSON.stringify(doc)) };
}

function truncatedProtobuf(request: OtlpRequest, cut: number): Corrupt {
  const bytes = Buffer.from(encodeOtlpProtobuf(request));
  // One top-level field spans the whole body, so every cut strictly inside it breaks its length prefix.
  const at = 1 + (cut % (bytes.length - 1));
  return { label: `protobuf cut at ${at}/${bytes.length}`, contentType: 'application/x-protobuf', gzip: false, body: bytes.subarray(0, at) };
}

function badGzip(request: OtlpRequest, pos: number, flip: number, truncate: boolean): Corrupt {
  const gz = gzipSync(Buffer.from(encodeOtlpJson(request)));
  // Bytes 0-9 are the gzip header (mtime, flags, OS are not checked); from 10 on, deflate data and
  // the CRC32/ISIZE trailer are.
  const at = 10 + (pos % (gz.length - 10));
  const body = truncate ? gz.subarray(0, at) : Buffer.from(gz);
  if (!truncate) body[at] = (body[at] ?? 0) ^ (1 + (flip % 255));
  return { label: `gzip ${truncate ? 'truncated' : 'flipped'} at ${at}`, contentType: 'application/json', gzip: true, body };
}

const corruptArb: fc.Arbitrary<Corrupt> = fc.oneof(
  fc.tuple(oneEnvelopeRequestArb, fc.nat(), fc.nat()).map(([r, a, b]) => corruptJsonType(r, a, b)),
  fc.tuple(oneEnvelopeRequestArb, fc.nat(), fc.nat()).map(([r, a, b]) => corruptId(r, a, b)),
  fc.tuple(oneEnvelopeRequestArb, fc.nat()).map(([r, a]) => truncatedProtobuf(r, a)),
  fc.tuple(oneEnvelopeRequestArb, fc.nat(), fc.nat(), fc.boolean()).map(([r, a, b, t]) => badGzip(r, a, b, t)),
);

describe('fake Coval under corrupted payloads (property)', () => {
  const fake = buildFakeCoval({ acceptUnknownIds: true });
  afterAll(() => fake.app.close());

  it('answers every corruption with 400 and a rule-tagged reason, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(corruptArb, async (c) => {
        const res = await fake.app.inject({
          method: 'POST',
          url: '/v1/traces',
          headers: { 'content-type': c.contentType, 'x-api-key': fake.options.apiKey, 'x-simulation-id': 'corrupt-sim', ...(c.gzip ? { 'content-encoding': 'gzip' } : {}) },
          payload: c.body,
        });
        expect({ label: c.label, status: res.statusCode }).toEqual({ label: c.label, status: 400 });
        const body = res.json() as { error: { code: string; message: string } };
        expect(body.error.code).toBe('INVALID_ARGUMENT');
        expect(body.error.message).toMatch(/^\[OTLP-[A-Z0-9-]+\] \S/);
        expect(res.headers['x-relaysim-rule']).toMatch(/^OTLP-/);
      }),
      fcOptions({ numRuns: 200 }, 'otlp corruption'),
    );
    expect(fake.store.batches('corrupt-sim')).toEqual([]);
  });
});
