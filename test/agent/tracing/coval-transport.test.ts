import { describe, expect, it, onTestFinished } from 'vitest';
import { ManualClock } from '../../../agent/platform/manual-clock.ts';
import { createCovalTransport } from '../../../agent/tracing/coval-transport.ts';
import type { ExportRequest } from '../../../agent/tracing/export-result.ts';
import { createScriptedFetch } from '../../support/tracing-fakes.ts';
import type { FetchStep } from '../../support/tracing-fakes.ts';

const URL_ = 'https://api.coval.dev/v1/traces';

function setup(steps: FetchStep[]) {
  const clock = new ManualClock();
  const fetch = createScriptedFetch(steps);
  const transport = createCovalTransport({ fetch, clock, url: URL_, apiKey: 'key-1' });
  const request: ExportRequest = { body: '{"resourceSpans":[]}', simulationOutputId: 'sim-9', timeoutMs: 30_000 };
  return { clock, fetch, transport, request };
}

describe('createCovalTransport', () => {
  it('POSTs the body once with the content type, api key and simulation id headers', async () => {
    const { fetch, transport, request } = setup([{ status: 200, body: '{"status":"ok"}' }]);
    await expect(transport.send(request)).resolves.toEqual({ status: 'success', httpStatus: 200 });
    expect(fetch.calls).toHaveLength(1);
    const [call] = fetch.calls;
    expect(call).toMatchObject({ url: URL_, method: 'POST', body: request.body });
    expect(call!.headers).toEqual({ 'content-type': 'application/json', 'x-api-key': 'key-1', 'X-Simulation-Id': 'sim-9' });
  });

  it('treats every 2xx as success, even with an undecodable body', async () => {
    const { transport, request } = setup([{ status: 202, body: 'not json' }]);
    await expect(transport.send(request)).resolves.toEqual({ status: 'success', httpStatus: 202 });
  });

  it('reports an OTLP partial success as a warning on a success', async () => {
    const { transport, request } = setup([{ status: 200, body: '{"partialSuccess":{"rejectedSpans":"2","errorMessage":"bad spanId"}}' }]);
    const result = await transport.send(request);
    expect(result).toEqual({ status: 'success', httpStatus: 200, warning: 'the receiver rejected 2 span(s): bad spanId' });
    const empty = setup([{ status: 200, body: '{"partialSuccess":{}}' }]);
    await expect(empty.transport.send(empty.request)).resolves.toEqual({ status: 'success', httpStatus: 200 });
  });

  it.each([429, 502, 503, 504])('marks %i retryable', async (status) => {
    const { transport, request } = setup([{ status, body: '{"detail":"slow down"}' }]);
    await expect(transport.send(request)).resolves.toEqual({ status: 'retryable', httpStatus: status, error: `HTTP ${status}: {"detail":"slow down"}` });
  });

  it('parses Retry-After delta-seconds', async () => {
    const { transport, request } = setup([{ status: 429, headers: { 'retry-after': '7' } }]);
    await expect(transport.send(request)).resolves.toMatchObject({ status: 'retryable', retryInMs: 7000 });
  });

  it('parses a Retry-After HTTP-date relative to the clock', async () => {
    const { clock, transport, request } = setup([{ status: 503, headers: { 'Retry-After': 'Thu, 01 Jan 2026 00:00:12 GMT' } }]);
    clock.advance(2_000);
    await expect(transport.send(request)).resolves.toMatchObject({ status: 'retryable', retryInMs: 10_000 });
  });

  it.each([400, 401, 403, 404, 413, 415, 500, 501])('marks %i a failure that must not be retried', async (status) => {
    const { transport, request } = setup([{ status, body: '{"error":"nope"}', headers: { 'retry-after': '1' } }]);
    await expect(transport.send(request)).resolves.toEqual({ status: 'failure', httpStatus: status, error: `HTTP ${status}: {"error":"nope"}` });
  });

  it('marks a network error retryable and names its cause', async () => {
    const { transport, request } = setup([new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) })]);
    const result = await transport.send(request);
    expect(result.status).toBe('retryable');
    expect(result.status === 'retryable' && result.error).toBe('network error: fetch failed: connect ECONNREFUSED (ECONNREFUSED)');
  });

  it('times out on the clock after timeoutMs, aborting the request, and marks it retryable', async () => {
    const { clock, fetch, transport, request } = setup(['hang']);
    let settled = false;
    const pending = transport.send(request).finally(() => {
      settled = true;
    });
    await clock.advanceAsync(29_999);
    expect(settled).toBe(false);
    expect(fetch.calls[0]!.signal.aborted).toBe(false);
    await clock.advanceAsync(1);
    await expect(pending).resolves.toEqual({ status: 'retryable', error: 'timed out: no response within 30000 ms' });
    expect(fetch.calls[0]!.signal.aborted).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('cancels its timer once answered', async () => {
    const { clock, transport, request } = setup([{ status: 200 }]);
    await transport.send(request);
    expect(clock.pendingTimers).toBe(0);
  });

  it('gives up as a failure when the caller aborts, before or during the request', async () => {
    const before = setup([{ status: 200 }]);
    const controller = new AbortController();
    controller.abort();
    await expect(before.transport.send({ ...before.request, signal: controller.signal })).resolves.toMatchObject({ status: 'failure' });
    expect(before.fetch.calls).toHaveLength(0);

    const during = setup(['hang']);
    const live = new AbortController();
    const pending = during.transport.send({ ...during.request, signal: live.signal });
    await during.clock.advanceAsync(10);
    live.abort();
    await expect(pending).resolves.toEqual({ status: 'failure', error: 'the export was aborted while in flight' });
  });
});

describe('createCovalTransport with the real fetch (msw)', () => {
  it('sends the headers a real Coval receiver reads and parses its Retry-After', async () => {
    const { http, HttpResponse } = await import('msw');
    const { setupServer } = await import('msw/node');
    const seen: { apiKey: string | null; simulationId: string | null; contentType: string | null; body: unknown }[] = [];
    const server = setupServer(
      http.post(URL_, async ({ request }) => {
        seen.push({
          apiKey: request.headers.get('x-api-key'),
          simulationId: request.headers.get('x-simulation-id'),
          contentType: request.headers.get('content-type'),
          body: await request.json(),
        });
        return seen.length === 1 ? new HttpResponse('{"detail":"busy"}', { status: 503, headers: { 'Retry-After': '4' } }) : HttpResponse.json({ status: 'ok' });
      }),
    );
    server.listen({ onUnhandledRequest: 'error' });
    onTestFinished(() => server.close());
    const transport = createCovalTransport({ fetch: globalThis.fetch, clock: new ManualClock(), url: URL_, apiKey: 'key-1' });
    const request: ExportRequest = { body: '{"resourceSpans":[]}', simulationOutputId: 'sim-9', timeoutMs: 30_000 };

    await expect(transport.send(request)).resolves.toEqual({ status: 'retryable', httpStatus: 503, retryInMs: 4000, error: 'HTTP 503: {"detail":"busy"}' });
    await expect(transport.send(request)).resolves.toEqual({ status: 'success', httpStatus: 200 });
    expect(seen[0]).toEqual({ apiKey: 'key-1', simulationId: 'sim-9', contentType: 'application/json', body: { resourceSpans: [] } });
  });
});
