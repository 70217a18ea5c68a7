import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { writeHtmlReport } from '../report/html-report.ts';
import { formatJsonReport } from '../report/json-report.ts';
import { formatJunitReport } from '../report/junit-report.ts';
import type { RunReport } from '../report/run-report.ts';

/** Where the reports of one run go (absolute); an absent entry is not written. */
export interface ReportPaths {
  readonly json?: string;
  readonly junit?: string;
  /** A folder: the HTML report is `<folder>/index.html`. */
  readonly html?: string;
}

/** What the user asked for: a folder for the defaults and per-report overrides. */
export interface ReportRequest {
  /** Folder receiving report.json, junit.xml and index.html; absent = only the overrides are written. */
  readonly reportDir?: string;
  readonly json?: string;
  readonly junit?: string;
  readonly html?: string;
}

function withSeed(file: string, seed: number): string {
  const ext = extname(file);
  return `${file.slice(0, file.length - ext.length)}.seed-${seed}${ext}`;
}

/**
 * Resolves the report locations against `cwd`. With `seed` (a `--repeat` run), each seed gets its
 * own: `<report-dir>/seed-<seed>/…`, `report.seed-<seed>.json` for an explicit file, `<html>/seed-<seed>/`.
 */
export function reportPaths(request: ReportRequest, cwd: string, seed?: number): ReportPaths {
  const dir = request.reportDir === undefined ? undefined : resolve(cwd, request.reportDir, seed === undefined ? '' : `seed-${seed}`);
  const file = (given: string | undefined, name: string): string | undefined => {
    if (given !== undefined) return seed === undefined ? resolve(cwd, given) : withSeed(resolve(cwd, given), seed);
    return dir === undefined ? undefined : join(dir, name);
  };
  const html = request.html !== undefined ? resolve(cwd, request.html, seed === undefined ? '' : `seed-${seed}`) : dir;
  const json = file(request.json, 'report.json');
  const junit = file(request.junit, 'junit.xml');
  return { ...(json === undefined ? {} : { json }), ...(junit === undefined ? {} : { junit }), ...(html === undefined ? {} : { html }) };
}

async function writeText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/** Writes the requested reports; resolves with the files written. Throws on an unwritable path. */
export async function writeReports(report: RunReport, paths: ReportPaths): Promise<string[]> {
  const written: string[] = [];
  if (paths.json !== undefined) {
    await writeText(paths.json, formatJsonReport(report));
    written.push(paths.json);
  }
  if (paths.junit !== undefined) {
    await writeText(paths.junit, formatJunitReport(report));
    written.push(paths.junit);
  }
  if (paths.html !== undefined) written.push(await writeHtmlReport(report, paths.html));
  return written;
}
