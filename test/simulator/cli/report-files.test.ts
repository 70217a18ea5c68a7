import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportPaths, writeReports } from '../../../simulator/cli/report-files.ts';
import { readJsonReport } from '../../../simulator/report/json-report.ts';
import { sampleRunReport } from '../../support/report-fixtures.ts';
import { tempFiles } from './cli-test-io.ts';

describe('reportPaths', () => {
  it('puts the three reports in the report folder, each overridable', () => {
    expect(reportPaths({ reportDir: 'relaysim-report' }, '/w')).toEqual({ json: '/w/relaysim-report/report.json', junit: '/w/relaysim-report/junit.xml', html: '/w/relaysim-report' });
    expect(reportPaths({ reportDir: 'r', json: 'out.json', html: '/abs/html' }, '/w')).toEqual({ json: '/w/out.json', junit: '/w/r/junit.xml', html: '/abs/html' });
    expect(reportPaths({ junit: 'j.xml' }, '/w')).toEqual({ junit: '/w/j.xml' });
  });

  it('gives each seed of a repeated run its own files', () => {
    expect(reportPaths({ reportDir: 'r' }, '/w', 5)).toEqual({ json: '/w/r/seed-5/report.json', junit: '/w/r/seed-5/junit.xml', html: '/w/r/seed-5' });
    expect(reportPaths({ reportDir: 'r', json: 'out/run.json', junit: 'junit', html: 'h' }, '/w', 5)).toEqual({ json: '/w/out/run.seed-5.json', junit: '/w/junit.seed-5', html: '/w/h/seed-5' });
  });
});

describe('writeReports', () => {
  it('writes the JSON, JUnit and HTML reports, creating folders', async () => {
    const dir = await tempFiles({});
    const report = sampleRunReport();
    const written = await writeReports(report, { json: join(dir, 'a/report.json'), junit: join(dir, 'b/junit.xml'), html: join(dir, 'c') });
    expect(written).toEqual([join(dir, 'a/report.json'), join(dir, 'b/junit.xml'), join(dir, 'c/index.html')]);
    expect(readJsonReport(JSON.parse(await readFile(join(dir, 'a/report.json'), 'utf8'))).seed).toBe(report.seed);
    expect(await readFile(join(dir, 'b/junit.xml'), 'utf8')).toMatch(/^<\?xml/);
    expect(await readFile(join(dir, 'c/index.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/i);
    expect(await writeReports(report, {})).toEqual([]);
  });
});
