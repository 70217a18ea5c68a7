import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StoredBatch } from '../../../simulator/coval/trace-store.ts';
import { attributeValueJson, batchRecordOf, KIT, parseRunRecord, RUN_RECORD_SCHEMA_VERSION, spanRowsOf } from '../../../simulator/scenario/run-record.ts';
import { callOf, recordOf, scenarioOf } from '../../support/run-record-builders.ts';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

const span = {
  traceId: 'ab'.repeat(16),
  spanId: 'cd'.repeat(8),
  traceState: '',
  parentSpanId: '',
  flags: 0,
  name: 'conversation',
  kind: 1,
  startTimeUnixNano: 1_767_225_600_123_456_789n,
  endTimeUnixNano: 1_767_225_603_000_000_001n,
  attributes: [
    { key: 'call.turns', value: { type: 'int' as const, value: 9_007_199_254_740_993n } },
    { key: 'call.turns', value: { type: 'int' as const, value: 1n } },
    { key: 'ratio', value: { type: 'double' as const, value: Number.NaN } },
    { key: 'tags', value: { type: 'array' as const, values: [{ type: 'string' as const, value: 'x' }, { type: 'bool' as const, value: true }] } },
  ],
  droppedAttributesCount: 0,
  events: [{ timeUnixNano: 5n, name: 'e', attributes: [], droppedAttributesCount: 0 }],
  droppedEventsCount: 0,
  links: [],
  droppedLinksCount: 0,
  status: { code: 2, message: 'boom' },
};

const batch: StoredBatch = {
  seq: 3,
  index: 0,
  simulationId: 'sim-1',
  target: 'simulation',
  receivedAtMs: 10,
  contentType: 'application/json',
  contentEncoding: null,
  encoding: 'json',
  headers: { 'x-simulation-id': 'sim-1' },
  bodyBase64: 'e30=',
  request: {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { type: 'string', value: 'agent' } }], droppedAttributesCount: 0 },
        scopeSpans: [{ scope: { name: 'tracer', version: '', attributes: [], droppedAttributesCount: 0 }, spans: [span], schemaUrl: '' }],
        schemaUrl: '',
      },
    ],
  },
  findings: [],
  spanCount: 1,
};

describe('RunRecord helpers', () => {
  it('records the kit name and version of package.json', () => {
    expect(KIT).toEqual({ name: pkg.name, version: pkg.version });
  });

  it('flattens spans with exact decimal nanoseconds and int64 attributes, first duplicate key winning', () => {
    const [row] = spanRowsOf(batch);
    expect(row).toMatchObject({
      resource: 0,
      scope: 0,
      span: 0,
      startNs: '1767225600123456789',
      endNs: '1767225603000000001',
      scopeName: 'tracer',
      status: { code: 2, message: 'boom' },
      resourceAttributes: { 'service.name': { type: 'string', value: 'agent' } },
      events: [{ name: 'e', timeNs: '5', attributes: {} }],
    });
    expect(row?.attributes).toEqual({
      'call.turns': { type: 'int', value: '9007199254740993' },
      ratio: { type: 'double', value: 'NaN' },
      tags: { type: 'array', values: [{ type: 'string', value: 'x' }, { type: 'bool', value: true }] },
    });
    const record = batchRecordOf(batch);
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
    expect(attributeValueJson({ type: 'kvlist', values: [{ key: 'n', value: { type: 'int', value: 2n } }] })).toEqual({ type: 'kvlist', values: { n: { type: 'int', value: '2' } } });
  });

  it('parseRunRecord accepts its own version and refuses others with a stable code', () => {
    const record = recordOf(scenarioOf('id: p\ntitle: P\ncaller: [ { say: "Hi" } ]\n'), [callOf()]);
    expect(parseRunRecord(JSON.parse(JSON.stringify(record))).schemaVersion).toBe(RUN_RECORD_SCHEMA_VERSION);
    expect(() => parseRunRecord({ ...record, schemaVersion: 2 })).toThrow(expect.objectContaining({ code: 'SIM_ERR_RUN_RECORD_INVALID' }));
    expect(() => parseRunRecord([])).toThrow(/expected a JSON object/);
    const { calls: _calls, ...partial } = record;
    expect(() => parseRunRecord(partial)).toThrow(/missing 'calls'/);
  });
});
