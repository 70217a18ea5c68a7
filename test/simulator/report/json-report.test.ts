import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { formatJsonReport, readJsonReport, toJsonReport } from '../../../simulator/report/json-report.ts';
import { JsonReportSchema, reportJsonSchema } from '../../../simulator/report/report-schema.ts';
import { evaluateRecord } from '../../../simulator/checks/evaluate-checks.ts';
import { buildRunReport } from '../../../simulator/report/run-report.ts';
import { sampleRunReport } from '../../support/report-fixtures.ts';

const report = sampleRunReport({ hostile: true });
const parsed: unknown = JSON.parse(formatJsonReport(report));

describe('toJsonReport', () => {
  it('writes a versioned report with the seed, replay commands, per-check outcomes and full records', () => {
    const json = parsed as ReturnType<typeof toJsonReport>;
    expect(json.reportVersion).toBe(1);
    expect(json.seed).toBe(424242);
    expect(json.replay).toBe(report.replay);
    expect(json.scenarios.map((s) => s.replay)).toEqual(report.scenarios.map((s) => s.replay));
    expect(json.scenarios[1]?.results.map((r) => `${r.checkId}:${r.outcome}`)).toContain('CR-INTERRUPT-STOPS:fail');
    expect(json.scenarios[1]?.record).toEqual(JSON.parse(JSON.stringify(report.scenarios[1]?.record)));
    expect(json.checks['CR-INTERRUPT-STOPS']).toEqual({ level: 'MUST', title: expect.stringContaining('interrupt'), source: expect.stringContaining('conversationrelay.md') });
    expect(Object.keys(json.checks).sort()).toEqual([...new Set(report.scenarios.flatMap((s) => s.results.map((r) => r.checkId)))].sort());
  });

  it('never lets a BigInt or a non-finite number through', () => {
    const record = report.scenarios[0]!.record;
    const odd = { ...report, scenarios: [{ ...report.scenarios[0]!, record: { ...record, events: [{ atMs: Number.POSITIVE_INFINITY, kind: 'note' as const, message: 'x', big: 12345678901234567890n }] } }] };
    const json = toJsonReport(odd as unknown as typeof report);
    const text = JSON.stringify(json);
    expect(text).toContain('"atMs":"Infinity"');
    expect(text).toContain('"big":"12345678901234567890"');
    expect(() => toJsonReport({ ...report, replay: (() => 1) as unknown as string })).toThrow(/function/);
  });

  it('formats as indented JSON with a trailing newline', () => {
    const text = formatJsonReport(report);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "reportVersion": 1,');
  });
});

describe('the JSON report schema', () => {
  it('accepts a real report (parsed back from its text)', () => {
    expect([...Value.Errors(JsonReportSchema, parsed)].map((e) => `${e.path}: ${e.message}`)).toEqual([]);
    expect(readJsonReport(parsed).scenarios).toHaveLength(5);
  });

  it("accepts a report built from the check engine's own results", () => {
    const records = sampleRunReport().scenarios.map((x) => x.record);
    const real = buildRunReport({
      startedAtEpochMs: 0,
      endedAtEpochMs: 1,
      seed: 1,
      replay: 'relaysim run --seed 1',
      strict: true,
      agent: { mode: 'url', target: 'http://127.0.0.1:9' },
      scenarios: records.map((record) => ({ record, results: evaluateRecord(record, { strict: true }) })),
    });
    const json: unknown = JSON.parse(formatJsonReport(real));
    expect([...Value.Errors(JsonReportSchema, json)].map((e) => `${e.path}: ${e.message}`)).toEqual([]);
    expect(real.summary.byOutcome.pass).toBeGreaterThan(0);
  });

  it('refuses reports that break it: wrong version, unknown fields, numeric span times, bad outcomes', () => {
    const copy = () => JSON.parse(JSON.stringify(parsed)) as Record<string, any>;
    const v2 = copy();
    v2.reportVersion = 2;
    expect(() => readJsonReport(v2)).toThrow(/reportVersion 2 is not 1/);
    const extra = copy();
    extra.surprise = true;
    expect(Value.Check(JsonReportSchema, extra)).toBe(false);
    const numericNs = copy();
    numericNs.scenarios[1].record.coval.batches[0].spans[0].startNs = 1;
    expect(() => readJsonReport(numericNs)).toThrow(/SIM_ERR_REPORT_INVALID|startNs/);
    const outcome = copy();
    outcome.scenarios[0].results[0].outcome = 'ok';
    expect(Value.Check(JsonReportSchema, outcome)).toBe(false);
    const record = copy();
    delete record.scenarios[0].record.calls;
    expect(Value.Check(JsonReportSchema, record)).toBe(false);
  });

  it('is published unchanged in docs/report.schema.json (run vitest -u to refresh it)', async () => {
    await expect(`${JSON.stringify(reportJsonSchema(), null, 2)}\n`).toMatchFileSnapshot('../../../docs/report.schema.json');
  });
});
