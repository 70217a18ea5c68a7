import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { countSpans } from '../../../simulator/otlp/model.ts';
import { sdkCallSpans } from '../../support/otel-sdk-spans.ts';
import { fakeCoval, KEY, listen, SIM } from './coval-test-kit.ts';

function exportOnce(exporter: OTLPTraceExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

describe('fake Coval with the OTel SDK protobuf exporter', () => {
  it.each([['none'], ['gzip']] as const)('accepts and stores an export (compression %s)', async (compression) => {
    const fake = fakeCoval();
    const base = await listen(fake);
    const exporter = new OTLPTraceExporter({
      url: `${base}/v1/traces`,
      headers: { 'x-api-key': KEY, 'X-Simulation-Id': SIM },
      ...(compression === 'gzip' ? { compression: 'gzip' as never } : {}),
    });
    const spans = await sdkCallSpans();
    const result = await exportOnce(exporter, spans);
    await exporter.shutdown();
    expect(result.error).toBeUndefined();
    expect(result.code).toBe(0);
    const [batch] = fake.store.batches(SIM);
    expect(batch?.encoding).toBe('protobuf');
    expect(batch?.contentEncoding ?? 'none').toBe(compression);
    expect(countSpans(batch?.request ?? { resourceSpans: [] })).toBe(3);
    expect(batch?.findings).toEqual([]);
    expect(fake.store.finalize(SIM)).toEqual([]);
  });
});
