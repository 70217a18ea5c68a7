import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCommand } from '../../../simulator/cli/check-command.ts';
import { evaluateRecord } from '../../../simulator/checks/evaluate-checks.ts';
import { formatJsonReport, readJsonReport } from '../../../simulator/report/json-report.ts';
import { buildRunReport, isFailingResult } from '../../../simulator/report/run-report.ts';
import type { RunRecord } from '../../../simulator/scenario/run-record.ts';
import { buildRunRecord, frozen, type MutableRecord } from '../../support/run-record-builder.ts';
import { memoryIo, tempFiles } from './cli-test-io.ts';

/** A record whose export never arrived: the export-dependent MUST checks fail or go missing. */
function brokenRecord(): MutableRecord {
  const r = buildRunRecord();
  r.coval.batches = [];
  r.coval.attempts = [];
  r.coval.finalize = {};
  return r;
}

function savedReport(records: readonly RunRecord[]): string {
  return formatJsonReport(
    buildRunReport({
      startedAtEpochMs: 1_760_000_000_000,
      endedAtEpochMs: 1_760_000_005_000,
      seed: 42,
      replay: 'npx relaysim run --seed 42',
      strict: false,
      agent: { mode: 'spawn', target: 'python3 agent.py' },
      scenarios: records.map((record) => ({ record, results: evaluateRecord(record) })),
    }),
  );
}

async function check(args: string[], files: Record<string, string>) {
  const dir = await tempFiles(files);
  const { io, stdout, stderr } = memoryIo(dir);
  const code = await checkCommand.run(args, io);
  return { code, stdout: stdout(), stderr: stderr(), dir };
}

describe('relaysim check', () => {
  it('passes a saved report whose records pass, and says nothing changed', async () => {
    const r = await check(['report.json'], { 'report.json': savedReport([frozen(buildRunRecord())]) });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS +fixture /m);
    expect(r.stdout).toContain('PASSED: 1 passed, 0 failed');
    expect(r.stdout).toContain('agent spawn python3 agent.py');
    expect(r.stdout).toContain('no check outcome changed since the saved report');
  });

  it('fails a saved report whose record the current checks fail, naming every failing check and what changed', async () => {
    // The saved report says pass; its record has lost the export since (e.g. edited, or the checks got stricter).
    const saved = JSON.parse(savedReport([frozen(buildRunRecord())])) as { scenarios: { record: unknown }[] };
    const broken = frozen(brokenRecord());
    (saved.scenarios[0] as { record: unknown }).record = broken;
    const r = await check(['report.json', '--json', 'out/new.json'], { 'report.json': JSON.stringify(saved) });
    expect(r.code).toBe(1);
    const failing = [...new Set(evaluateRecord(broken).filter((x) => isFailingResult(x, false)).map((x) => x.checkId))];
    expect(failing.length).toBeGreaterThan(0);
    for (const id of failing) expect(r.stdout).toContain(id);
    expect(r.stdout).toMatch(/^FAIL +fixture /m);
    expect(r.stdout).toMatch(/\d+ check outcome\(s\) changed since the saved report:\n {2}fixture \S+ \[call 0\]: pass -> (fail|missing)/);
    expect(r.stdout).toContain('replay: relaysim run --seed 42 --scenario fixture');
    const written = readJsonReport(JSON.parse(await readFile(join(r.dir, 'out/new.json'), 'utf8')));
    expect(written.summary.exitCode).toBe(1);
  });

  it('judges a bare RunRecord and an array of RunRecords', async () => {
    const ok = await check(['rec.json'], { 'rec.json': JSON.stringify(buildRunRecord()) });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('agent embedded');
    const other = buildRunRecord();
    other.scenario = { ...other.scenario, id: 'fixture-two' };
    const bad = brokenRecord();
    bad.scenario = { ...bad.scenario, id: 'fixture-broken' };
    const both = await check(['recs.json'], { 'recs.json': JSON.stringify([other, bad]) });
    expect(both.code).toBe(1);
    expect(both.stdout).toMatch(/^PASS +fixture-two /m);
    expect(both.stdout).toMatch(/^FAIL +fixture-broken /m);
  });

  it('applies --strict: a SHOULD warning fails', async () => {
    const r = buildRunRecord();
    // No stt.provider.twilio child: SPAN-STT-PROVIDER (SHOULD) warns.
    for (const b of r.coval.batches) b.spans = b.spans.filter((s) => s.name !== 'stt.provider.twilio');
    expect(evaluateRecord(frozen(r)).filter((x) => x.outcome === 'warn' || x.outcome === 'fail').map((x) => `${x.checkId} ${x.outcome}`)).toEqual(['SPAN-STT-PROVIDER warn']);
    const plain = await check(['rec.json'], { 'rec.json': JSON.stringify(r) });
    const strict = await check(['rec.json', '--strict'], { 'rec.json': JSON.stringify(r) });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('warnings: SPAN-STT-PROVIDER');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain(', strict');
    expect(strict.stdout).toMatch(/SPAN-STT-PROVIDER \(SHOULD\)\n +\[call-1\] fail/);
  });

  it.each([
    [[], {}, 'missing <file>'],
    [['a.json', 'b.json'], {}, 'expected one file, got 2'],
    [['nope.json'], {}, "cannot read 'nope.json' as JSON"],
    [['bad.json'], { 'bad.json': '{not json' }, "cannot read 'bad.json' as JSON"],
    [['x.json'], { 'x.json': '{"hello": 1}' }, "'x.json' is neither a relaysim JSON report nor a RunRecord"],
    [['x.json'], { 'x.json': '{"reportVersion": 2}' }, 'reportVersion 2 is not 1'],
    [['x.json'], { 'x.json': '[]' }, 'empty array'],
    [['--frobnicate', 'x.json'], {}, "Unknown option '--frobnicate'"],
  ])('exits 2 for %j', async (args, files, message) => {
    const r = await check(args, files);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('exits 2 for two records of the same scenario', async () => {
    const r = await check(['recs.json'], { 'recs.json': JSON.stringify([buildRunRecord(), buildRunRecord()]) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("scenario 'fixture' appears twice");
  });
});
