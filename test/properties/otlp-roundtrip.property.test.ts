import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFakeCoval } from '../../simulator/coval/fake-coval.ts';
import { decodeOtlpJson } from '../../simulator/otlp/decode-json.ts';
import { decodeOtlpProtobuf } from '../../simulator/otlp/decode-protobuf.ts';
import { encodeOtlpJson } from '../../simulator/otlp/encode-json.ts';
import { encodeOtlpProtobuf } from '../../simulator/otlp/encode-protobuf.ts';
import { fcOptions } from '../support/fc-config.ts';
import { requestArb } from '../support/otlp-arbitraries.ts';

const jsonOptionsArb = fc.record({ int64: fc.constantFrom('string' as const, 'number' as const), keys: fc.constantFrom('camel' as const, 'snake' as const) });

describe('OTLP encodings round-trip (property)', () => {
  it('decodes both encodings of any valid request back to the same normalised model', () => {
    fc.assert(
      fc.property(requestArb, jsonOptionsArb, (request, jsonOptions) => {
        const fromJson = decodeOtlpJson(encodeOtlpJson(request, jsonOptions));
        const fromPb = decodeOtlpProtobuf(encodeOtlpProtobuf(request));
        expect(fromJson.ok && fromJson.request).toEqual(request);
        expect(fromPb.ok && fromPb.request).toEqual(request);
      }),
      fcOptions({ numRuns: 200 }, 'otlp round-trip'),
    );
  });

  const fake = buildFakeCoval({ acceptUnknownIds: true });
  afterAll(() => fake.app.close());

  it('stores exactly the request it was sent, over HTTP, in JSON or protobuf, gzipped or not', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, fc.constantFrom('json' as const, 'protobuf' as const), fc.boolean(), jsonOptionsArb, async (request, encoding, gzip, jsonOptions) => {
        const raw = encoding === 'json' ? Buffer.from(encodeOtlpJson(request, jsonOptions)) : Buffer.from(encodeOtlpProtobuf(request));
        const res = await fake.app.inject({
          method: 'POST',
          url: '/v1/traces',
          headers: {
            'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf',
            'x-api-key': fake.options.apiKey,
            'x-simulation-id': 'prop-sim',
            ...(gzip ? { 'content-encoding': 'gzip' } : {}),
          },
          payload: gzip ? gzipSync(raw) : raw,
        });
        expect(res.statusCode).toBe(200);
        expect(fake.store.batches('prop-sim').at(-1)?.request).toEqual(request);
      }),
      fcOptions({ numRuns: 60 }, 'otlp ingest round-trip'),
    );
  });
});
