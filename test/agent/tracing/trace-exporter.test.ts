import { describe, expect, it } from 'vitest';
import { createRecordingLogger } from '../../../agent/platform/logger.ts';
import { ManualClock } from '../../../agent/platform/manual-clock.ts';
import { createTraceExporter } from '../../../agent/tracing/trace-exporter.ts';
import type { TraceExporterOptions } from '../../../agent/tracing/trace-exporter.ts';
import type { OtlpExportTraceRequest } from '../../../agent/tracing/otlp-json.ts';
import { countingIds, createScriptedFetch, sampleCallLog, scriptedRandom, T0 } from '../../support/tracing-fakes.ts';
import type { FetchStep } from '../../support/tracing-fakes.ts';

const URL_ = 'http://127.0.0.1:4318/v1/traces';

function setup(steps: FetchStep[], overrides: Partial<TraceExporterOptions> = {}) {
  const clock = new ManualClock();
  const fetch = createScriptedFetch(steps);
  const logger = createRecordingLogger();
  const exporter = createTraceExporter({
    fetch,
    clock,
    random: scriptedRandom([]),
    ids: countingIds(),
    logger,
    url: URL_,
    apiKey: 'key-1',
    serviceName: 'relaysim-agent',
    ...overrides,
  });
  const messages = (level?: string) => logger.lines.filter((l) => level === undefined || l.level === level).map((l) => l.msg);
  return { clock, fetch, logger, exporter, messages };
}

describe('createTraceExporter', () => {
  it('skips a call without a simulation id, sends nothing and logs the call sid', async () => {
    const { fetch, logger, exporter } = setup([{ status: 200 }]);
    for (const simulationOutputId of [undefined, '', '   ']) {
      await expect(exporter.exportCall(sampleCallLog({ simulationOutputId }))).resolves.toEqual({ status: 'skipped', callSid: 'CA0001', reason: 'no-simulation-id' });
    }
    expect(fetch.calls).toHaveLength(0);
    expect(logger.lines.filter((l) => l.fields.callSid === 'CA0001' && /no simulation output id/.test(l.msg ?? ''))).toHaveLength(3);
  });

  it('skips when no API key is configured and logs the simulation id it could not export', async () => {
    const { fetch, logger, exporter } = setup([{ status: 200 }], { apiKey: '' });
    await expect(exporter.exportCall(sampleCallLog())).resolves.toEqual({ status: 'skipped', callSid: 'CA0001', reason: 'no-api-key', simulationOutputId: 'sim-1' });
    expect(fetch.calls).toHaveLength(0);
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', fields: { callSid: 'CA0001', simulationOutputId: 'sim-1' } }));
  });

  it('delivers one OTLP JSON POST per call with the simulation id and logs the attempt', async () => {
    const { fetch, exporter, messages } = setup([{ status: 200, body: '{"status":"ok"}' }]);
    const outcome = await exporter.exportCall(sampleCallLog({ correlationMethod: 'caller-id' }));
    expect(outcome).toEqual({ status: 'delivered', callSid: 'CA0001', simulationOutputId: 'sim-1', attempts: 1, spanCount: 8 });
    expect(fetch.calls).toHaveLength(1);
    expect(fetch.calls[0]!.headers['X-Simulation-Id']).toBe('sim-1');
    const body = JSON.parse(fetch.calls[0]!.body) as OtlpExportTraceRequest;
    const [resourceSpans] = body.resourceSpans;
    expect(resourceSpans.resource.attributes).toContainEqual({ key: 'coval.correlation.method', value: { stringValue: 'caller-id' } });
    expect(resourceSpans.scopeSpans[0].spans.map((s) => s.name)).toContain('conversation');
    expect(resourceSpans.scopeSpans[0].spans[0]!.startTimeUnixNano).toBe(`${T0}000000`);
    expect(messages('info')).toEqual(expect.arrayContaining(['trace export attempt succeeded', 'trace delivered to Coval']));
  });

  it('retries a 503 after its Retry-After, then delivers, logging every attempt', async () => {
    const { clock, fetch, logger, exporter } = setup([{ status: 503, headers: { 'retry-after': '2' } }, { status: 200 }]);
    const pending = exporter.exportCall(sampleCallLog());
    await clock.advanceAsync(1_999);
    expect(fetch.calls).toHaveLength(1);
    await clock.advanceAsync(1);
    await expect(pending).resolves.toMatchObject({ status: 'delivered', attempts: 2 });
    const attempts = logger.lines.filter((l) => l.fields.attempt !== undefined && l.msg?.startsWith('trace export attempt'));
    expect(attempts.map((l) => [l.fields.attempt, l.fields.result, l.fields.httpStatus, l.fields.simulationOutputId])).toEqual([
      [1, 'retryable', 503, 'sim-1'],
      [2, 'success', 200, 'sim-1'],
    ]);
  });

  it.each([400, 401, 404, 413, 500])('does not retry %i and logs the undelivered simulation id', async (status) => {
    const { fetch, logger, exporter } = setup([{ status, body: 'no' }, { status: 200 }]);
    const outcome = await exporter.exportCall(sampleCallLog());
    expect(outcome).toEqual({ status: 'undelivered', callSid: 'CA0001', simulationOutputId: 'sim-1', reason: 'rejected', error: `HTTP ${status}: no`, attempts: 1, httpStatus: status });
    expect(fetch.calls).toHaveLength(1);
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'error', msg: 'trace not delivered to Coval', fields: expect.objectContaining({ simulationOutputId: 'sim-1' }) }));
  });

  it('reports retries exhausted after 6 attempts of a persistent 502', async () => {
    const { clock, fetch, exporter } = setup([{ status: 502 }], { retryDeadlineMs: 600_000 });
    const pending = exporter.exportCall(sampleCallLog());
    await clock.runAllAsync();
    await expect(pending).resolves.toMatchObject({ status: 'undelivered', reason: 'retries-exhausted', attempts: 6, httpStatus: 502 });
    expect(fetch.calls).toHaveLength(6);
  });

  it('reports the deadline when a network failure outlasts the retry budget', async () => {
    const { clock, fetch, exporter } = setup([new TypeError('fetch failed')], { retryDeadlineMs: 2_000 });
    const pending = exporter.exportCall(sampleCallLog());
    await clock.runAllAsync();
    await expect(pending).resolves.toMatchObject({ status: 'undelivered', reason: 'deadline', attempts: 2 });
    expect(fetch.calls).toHaveLength(2);
  });

  it('times a hanging POST out after timeoutMs and retries it', async () => {
    const { clock, fetch, exporter } = setup(['hang', { status: 200 }], { timeoutMs: 5_000 });
    const pending = exporter.exportCall(sampleCallLog());
    await clock.advanceAsync(5_000);
    expect(fetch.calls[0]!.signal.aborted).toBe(true);
    await clock.runAllAsync();
    await expect(pending).resolves.toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('reports an invalid call log without sending', async () => {
    const { fetch, exporter } = setup([{ status: 200 }]);
    const outcome = await exporter.exportCall(sampleCallLog({ endedAtMs: Number.NaN }));
    expect(outcome).toMatchObject({ status: 'undelivered', reason: 'invalid-call-log', simulationOutputId: 'sim-1', attempts: 0 });
    expect(fetch.calls).toHaveLength(0);
  });

  it('refuses a body over the size limit without sending', async () => {
    const { fetch, exporter } = setup([{ status: 200 }], { maxBodyBytes: 100 });
    await expect(exporter.exportCall(sampleCallLog())).resolves.toMatchObject({ status: 'undelivered', reason: 'too-large' });
    expect(fetch.calls).toHaveLength(0);
  });

  it('rejects bad options with a typed error', () => {
    for (const overrides of [{ url: 'ftp://x/v1/traces' }, { url: 'not a url' }, { timeoutMs: 0 }, { retryDeadlineMs: Number.NaN }]) {
      expect(() => setup([], overrides), JSON.stringify(overrides)).toThrow(expect.objectContaining({ code: 'AGENT_ERR_TRACING_OPTIONS_INVALID' }));
    }
  });
});

describe('TraceExporter.drain', () => {
  it('returns at once when nothing is in flight', async () => {
    const { exporter } = setup([{ status: 200 }]);
    await expect(exporter.drain(1_000)).resolves.toEqual({ delivered: 0, undelivered: [] });
  });

  it('waits for in-flight exports, including their retries, and counts them delivered', async () => {
    const { clock, exporter } = setup([{ status: 503, headers: { 'retry-after': '3' } }, { status: 200 }]);
    const pending = exporter.exportCall(sampleCallLog());
    await clock.advanceAsync(0);
    expect(exporter.inFlight).toBe(1);
    const draining = exporter.drain(10_000);
    await clock.advanceAsync(3_000);
    await expect(draining).resolves.toEqual({ delivered: 1, undelivered: [] });
    await expect(pending).resolves.toMatchObject({ status: 'delivered' });
    expect(exporter.inFlight).toBe(0);
  });

  it('aborts what is still in flight at the timeout and reports and logs those simulation ids', async () => {
    const { clock, logger, exporter } = setup(['hang']);
    const first = exporter.exportCall(sampleCallLog({ simulationOutputId: 'sim-a' }));
    const second = exporter.exportCall(sampleCallLog({ simulationOutputId: 'sim-b' }));
    await clock.advanceAsync(0);
    let drained = false;
    const draining = exporter.drain(1_000).finally(() => {
      drained = true;
    });
    await clock.advanceAsync(999);
    expect(drained).toBe(false);
    await clock.advanceAsync(1);
    const report = await draining;
    expect(report.delivered).toBe(0);
    expect([...report.undelivered].sort()).toEqual(['sim-a', 'sim-b']);
    await expect(first).resolves.toMatchObject({ status: 'undelivered', reason: 'aborted' });
    await expect(second).resolves.toMatchObject({ status: 'undelivered', reason: 'aborted' });
    expect(exporter.inFlight).toBe(0);
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'error', msg: 'trace drain finished with undelivered traces', fields: expect.objectContaining({ undelivered: report.undelivered }) }));
  });

  it('also waits for exports started while draining', async () => {
    const { clock, exporter } = setup([{ status: 503, headers: { 'retry-after': '1' } }, { status: 503, headers: { 'retry-after': '2' } }, { status: 200 }]);
    const early = exporter.exportCall(sampleCallLog({ simulationOutputId: 'sim-early' }));
    await clock.advanceAsync(0);
    let drained = false;
    const draining = exporter.drain(5_000).finally(() => {
      drained = true;
    });
    const late = exporter.exportCall(sampleCallLog({ simulationOutputId: 'sim-late' }));
    await clock.advanceAsync(1_500);
    await expect(early).resolves.toMatchObject({ status: 'delivered' });
    expect(drained).toBe(false);
    await clock.advanceAsync(500);
    await expect(late).resolves.toMatchObject({ status: 'delivered' });
    await expect(draining).resolves.toEqual({ delivered: 2, undelivered: [] });
  });
});
