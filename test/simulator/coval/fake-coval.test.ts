import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { otlpProtoTypes } from '../../../simulator/otlp/otlp-descriptor.ts';
import { encodeOtlpProtobuf } from '../../../simulator/otlp/encode-protobuf.ts';
import { encodeOtlpJson } from '../../../simulator/otlp/encode-json.ts';
import { SimErrors } from '../../../simulator/core/errors.ts';
import { covalCall, covalCallSpans, request, TRACE_ID } from '../../support/otlp-fixtures.ts';
import { CLEAN_JSON, fakeCoval, JSON_HEADERS, KEY, SIM } from './coval-test-kit.ts';

describe('buildFakeCoval ingest', () => {
  it("accepts OTLP/JSON with Coval's 200 body and stores the batch raw and normalised", async () => {
    const fake = fakeCoval();
    const res = await fake.app.inject({ method: 'POST', url: '/v1/traces', headers: JSON_HEADERS, payload: CLEAN_JSON });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', simulation_output_id: SIM });
    const [batch] = fake.store.batches(SIM);
    expect(batch).toMatchObject({ index: 0, simulationId: SIM, target: 'simulation', encoding: 'json', spanCount: 7, findings: [] });
    expect(Buffer.from(batch?.bodyBase64 ?? '', 'base64').toString()).toBe(CLEAN_JSON);
    expect(batch?.request).toEqual(covalCall());
    expect(batch?.headers['x-api-key']).toBe('<redacted>');
    expect(fake.store.attempts()).toMatchObject([{ seq: 1, status: 200, outcome: 'accepted', spanCount: 7, simulationId: SIM }]);
  });

  it('accepts protobuf and gzip and stores the same model as for JSON', async () => {
    const fake = fakeCoval();
    const pb = Buffer.from(encodeOtlpProtobuf(covalCall()));
    const headers = { ...JSON_HEADERS, 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' };
    const res = await fake.app.inject({ method: 'POST', url: '/v1/traces', headers, payload: gzipSync(pb) });
    expect(res.statusCode).toBe(200);
    expect(fake.store.batches(SIM)[0]?.request).toEqual(covalCall());
    expect(fake.store.batches(SIM)[0]?.contentEncoding).toBe('gzip');
  });

  it('answers strict OTLP bodies in otlp mode: {} / empty protobuf, google.rpc.Status errors in the request encoding', async () => {
    const fake = fakeCoval({ responseMode: 'otlp' });
    const okJson = await fake.app.inject({ method: 'POST', url: '/v1/traces', headers: JSON_HEADERS, payload: CLEAN_JSON });
    expect(okJson.body).toBe('{}');
    const pbHeaders = { ...JSON_HEADERS, 'content-type': 'application/x-protobuf' };
    const okPb = await fake.app.inject({ method: 'POST', url: '/v1/traces', headers: pbHeaders, payload: Buffer.from(encodeOtlpProtobuf(covalCall())) });
    expect(okPb.headers['content-type']).toBe('application/x-protobuf');
    expect(okPb.rawPayload.length).toBe(0);
    const badPb = await fake.app.inject({ method: 'POST', url: '/v1/traces', headers: pbHeaders, payload: Buffer.from([0x0a, 0x05, 0x01]) });
    expect(badPb.statusCode).toBe(400);
    const types = otlpProtoTypes();
    const status = types.RpcStatus.toObject(types.RpcStatus.decode(badPb.rawPayload)) as { code: number; message: string; details: { typeUrl: string; value: Uint8Array }[] };
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/^\[OTLP-DECODE\] /);
    expect(status.details[0]?.typeUrl).toBe('type.googleapis.com/google.rpc.BadRequest');
    const badJson = await fake.app.inject({ method: 'POST', url: '/v1/traces', headers: JSON_HEADERS, payload: '{"resourceSpans":{}}' });
    expect(badJson.json()).toMatchObject({ code: 3, details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'resourceSpans' }] }] });
  });

  it("answers a base64 traceId with Coval's 400 envelope naming OTLP-ID-BASE64", async () => {
    const fake = fakeCoval();
    const b64 = Buffer.from(TRACE_ID, 'hex').toString('base64');
    const res = await fake.app.inject({ method: 'POST', url: '/v1/traces', headers: JSON_HEADERS, payload: CLEAN_JSON.replaceAll(TRACE_ID, b64) });
    expect(res.statusCode).toBe(400);
    expect(res.headers['x-relaysim-rule']).toBe('OTLP-ID-BASE64');
    expect(res.json()).toMatchObject({ error: { code: 'INVALID_ARGUMENT', details: [{ field: 'resourceSpans[0].scopeSpans[0].spans[0].traceId' }] } });
    expect(fake.store.batches(SIM)).toEqual([]);
    expect(fake.store.attempts()[0]).toMatchObject({ status: 400, outcome: 'rejected', rule: 'OTLP-ID-BASE64' });
  });

  it('rejects both target headers at once, and a raw body over the limit with 413', async () => {
    const fake = fakeCoval({ maxBodyBytes: 1000 });
    const both = await fake.app.inject({ method: 'POST', url: '/v1/traces', headers: { ...JSON_HEADERS, 'x-conversation-id': 'conv-1' }, payload: '{}' });
    expect(both.statusCode).toBe(400);
    expect(both.headers['x-relaysim-rule']).toBe('OTLP-COVAL-TARGET');
    const big = await fake.app.inject({ method: 'POST', url: '/v1/traces', headers: JSON_HEADERS, payload: CLEAN_JSON });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(fake.store.attempts().at(-1)).toMatchObject({ status: 413, rule: 'OTLP-HTTP-SIZE', simulationId: SIM });
  });

  it('accepts an empty JSON request and counts zero spans', async () => {
    const fake = fakeCoval();
    const res = await fake.app.inject({ method: 'POST', url: '/v1/traces', headers: JSON_HEADERS, payload: '{}' });
    expect(res.statusCode).toBe(200);
    expect(fake.store.batches(SIM)[0]?.spanCount).toBe(0);
  });

  it('rejects invalid options with SIM_ERR_COVAL_OPTIONS_INVALID', async () => {
    const { buildFakeCoval } = await import('../../../simulator/coval/fake-coval.ts');
    expect(() => buildFakeCoval({ maxBodyBytes: 0 })).toThrow(SimErrors.SIM_ERR_COVAL_OPTIONS_INVALID);
    expect(() => buildFakeCoval({ apiKey: '' })).toThrow(/apiKey must be a non-empty string/);
  });
});

describe('buildFakeCoval read-back', () => {
  async function postEach(fake: ReturnType<typeof fakeCoval>): Promise<void> {
    for (const s of covalCallSpans()) {
      const res = await fake.app.inject({ method: 'POST', url: '/v1/traces', headers: JSON_HEADERS, payload: encodeOtlpJson(request([s])) });
      expect(res.statusCode).toBe(200);
    }
  }

  it('assembles spans sent one per POST and pages them like Coval', async () => {
    const fake = fakeCoval();
    await postEach(fake);
    const page = await fake.app.inject({ url: `/v1/traces/spans?simulation_output_id=${SIM}&limit=3&offset=2`, headers: { 'x-api-key': KEY } });
    const body = page.json() as { traces: { span_name: string; batch: number; start_time_unix_nano: string }[]; total_spans: number };
    expect(body.total_spans).toBe(7);
    expect(body.traces.map((t) => [t.span_name, t.batch])).toEqual([['stt.provider.twilio', 2], ['llm', 3], ['llm_tool_call', 4]]);
    expect(body.traces[1]?.start_time_unix_nano).toBe('1760000001500000000');
    expect(fake.store.findings(SIM)).toEqual([]);
  });

  it('requires the API key and a known simulation id on read-back', async () => {
    const fake = fakeCoval();
    expect((await fake.app.inject({ url: `/v1/traces/spans?simulation_output_id=${SIM}` })).statusCode).toBe(401);
    expect((await fake.app.inject({ url: '/v1/traces/spans', headers: { 'x-api-key': KEY } })).statusCode).toBe(400);
    expect((await fake.app.inject({ url: '/v1/traces/spans?simulation_output_id=nope', headers: { 'x-api-key': KEY } })).statusCode).toBe(404);
    expect((await fake.app.inject({ url: `/v1/traces/spans?simulation_output_id=${SIM}&limit=-1`, headers: { 'x-api-key': KEY } })).statusCode).toBe(400);
  });

  it('summarises names, statuses, coverage and integrity without attribute values', async () => {
    const fake = fakeCoval();
    await postEach(fake);
    await fake.app.inject({ method: 'POST', url: '/v1/traces', headers: JSON_HEADERS, payload: encodeOtlpJson(request(covalCallSpans().slice(0, 1))) });
    const res = await fake.app.inject({ url: `/v1/traces/summary?simulation_id=${SIM}`, headers: { 'x-api-key': KEY } });
    const body = res.json() as Record<string, unknown> & { span_names: { name: string; count: number; attribute_keys: { key: string; types: string[] }[] }[]; integrity: Record<string, unknown> };
    expect(body).toMatchObject({ simulation_id: SIM, total_spans: 8, trace_ids: [TRACE_ID], status_counts: { ok: 8, error: 0, unset: 0 } });
    expect(body.span_names.find((n) => n.name === 'conversation')).toMatchObject({ count: 2, attribute_keys: [{ key: 'call.duration_seconds', types: ['double'] }] });
    expect(body.integrity).toMatchObject({ root_spans: 2, duplicate_spans: 1, orphan_spans: 0 });
    expect(res.body).not.toContain('What are your opening hours?');
    expect((await fake.app.inject({ url: `/v1/traces/summary?simulation_id=${SIM}&conversation_id=x`, headers: { 'x-api-key': KEY } })).statusCode).toBe(400);
  });

  it('lists captured simulations with batch and finalize findings under /_relaysim/simulations', async () => {
    const fake = fakeCoval();
    fake.issue('other-sim');
    await fake.app.inject({ method: 'POST', url: '/v1/traces', headers: JSON_HEADERS, payload: CLEAN_JSON });
    await fake.app.inject({ method: 'POST', url: '/v1/traces', headers: JSON_HEADERS, payload: CLEAN_JSON });
    const res = await fake.app.inject({ url: '/_relaysim/simulations' });
    const { simulations } = res.json() as { simulations: { simulation_id: string; batches: number; spans: number; error_count: number; findings: { rule: string }[] }[] };
    expect(simulations.map((s) => [s.simulation_id, s.batches, s.spans, s.error_count])).toEqual([[SIM, 2, 14, 7], ['other-sim', 0, 0, 0]]);
    expect(new Set(simulations[0]?.findings.map((f) => f.rule))).toEqual(new Set(['OTLP-SPAN-RESENT']));
    const detail = await fake.app.inject({ url: `/_relaysim/simulations/${SIM}` });
    expect((detail.json() as { batches: { request: { resourceSpans: { scopeSpans: { spans: { startTimeUnixNano: unknown }[] }[] }[] } }[] }).batches[0]?.request.resourceSpans[0]?.scopeSpans[0]?.spans[0]?.startTimeUnixNano).toBe('1760000000000000000');
    expect(JSON.parse(JSON.stringify(fake.store))).toMatchObject({ simulations: [{ simulationId: SIM }, { simulationId: 'other-sim' }] });
  });
});
