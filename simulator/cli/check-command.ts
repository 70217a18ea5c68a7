import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateRecord } from '../checks/evaluate-checks.ts';
import type { CheckResult } from '../checks/check-result.ts';
import { formatConsoleReport } from '../report/console-report.ts';
import { readJsonReport } from '../report/json-report.ts';
import { buildRunReport, type ReportAgentTarget, type RunReport } from '../report/run-report.ts';
import { parseRunRecord, type RunRecord } from '../scenario/run-record.ts';
import { EXIT, type CliCommand, type CliIo } from './cli-command.ts';
import { reportPaths, writeReports } from './report-files.ts';

const USAGE = `Usage: relaysim check <file> [options]

Re-judges a saved run offline with this kit's checks: a JSON report written by 'relaysim run'
(every scenario's RunRecord is in it), one RunRecord, or a JSON array of RunRecords. Prints the
console report, and which check outcomes changed since the saved report. Nothing is run again:
checks are pure functions of the records.

Options:
  --strict         SHOULD checks that warn fail (default: as the saved report was run).
  --json FILE      Also write the new JSON report.
  --junit FILE     Also write a JUnit XML report.
  --html DIR       Also write the HTML report (DIR/index.html).
  -v, --verbose    Every check of every scenario.
  -h, --help       Show this help.

Exit codes: 0 pass, 1 a scenario fails, 2 usage error or a file that is not a report or record.`;

function usageError(io: CliIo, message: string): number {
  io.stderr.write(`relaysim check: ${message}\n\n${USAGE}\n`);
  return EXIT.USAGE;
}

/** What a saved file held, ready to be judged again. */
interface SavedRun {
  readonly records: readonly RunRecord[];
  readonly seed: number;
  readonly replay: string;
  readonly strict: boolean;
  readonly agent: ReportAgentTarget;
  readonly startedAtEpochMs: number;
  readonly endedAtEpochMs: number;
  /** The saved results per scenario id (a report only), to show what changed. */
  readonly savedResults?: ReadonlyMap<string, readonly CheckResult[]>;
}

function agentOf(record: RunRecord): ReportAgentTarget {
  const target = record.agent.mode === 'spawn' ? (record.agent.process?.command ?? 'spawned agent') : record.agent.mode === 'url' ? record.agent.baseUrl : (record.agent.process?.command ?? 'embedded agent');
  return { mode: record.agent.mode, target };
}

function epochOf(record: RunRecord, ms: number): number {
  return record.timebase.epochMs + (ms - record.timebase.nowMs);
}

/** Interprets parsed JSON as a report, one record or an array of records; a message when it is none. */
export function savedRunOf(value: unknown): SavedRun | string {
  const obj = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  try {
    if (obj !== undefined && 'reportVersion' in obj) {
      const report = readJsonReport(value);
      return {
        records: report.scenarios.map((s) => s.record),
        seed: report.seed,
        replay: report.replay,
        strict: report.options.strict,
        agent: report.options.agent,
        startedAtEpochMs: Date.parse(report.startedAt),
        endedAtEpochMs: Date.parse(report.endedAt),
        savedResults: new Map(report.scenarios.map((s) => [s.scenario.id, s.results])),
      };
    }
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0) return 'the file holds an empty array: nothing to check';
    const records = list.map((v) => parseRunRecord(v));
    const first = records[0] as RunRecord;
    const last = records[records.length - 1] as RunRecord;
    return {
      records,
      seed: first.seed,
      replay: first.replay,
      strict: false,
      agent: agentOf(first),
      startedAtEpochMs: epochOf(first, first.startedAtMs),
      endedAtEpochMs: epochOf(last, last.endedAtMs),
    };
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Check outcomes that differ from the saved report's, one line each. */
export function changedOutcomes(report: RunReport, saved: ReadonlyMap<string, readonly CheckResult[]> | undefined): string[] {
  if (saved === undefined) return [];
  const lines: string[] = [];
  for (const s of report.scenarios) {
    const before = new Map((saved.get(s.scenario.id) ?? []).map((r) => [`${r.checkId}|${r.call ?? ''}`, r.outcome]));
    for (const r of s.results) {
      const old = before.get(`${r.checkId}|${r.call ?? ''}`);
      if (old !== r.outcome) lines.push(`  ${s.scenario.id} ${r.checkId}${r.call === undefined ? '' : ` [call ${r.call}]`}: ${old ?? 'not checked'} -> ${r.outcome}`);
    }
  }
  return lines;
}

/** `relaysim check`: judges a saved JSON report or RunRecord again with the current checks. */
export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'Re-judge a saved JSON report or RunRecord offline with the current checks',
  usage: USAGE,
  async run(args, io) {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...args],
        allowPositionals: true,
        strict: true,
        options: {
          strict: { type: 'boolean' },
          json: { type: 'string' },
          junit: { type: 'string' },
          html: { type: 'string' },
          verbose: { type: 'boolean', short: 'v' },
          help: { type: 'boolean', short: 'h' },
        },
      });
    } catch (error) {
      return usageError(io, (error as Error).message);
    }
    const { values: v, positionals } = parsed;
    if (v.help) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.OK;
    }
    if (positionals.length !== 1) return usageError(io, positionals.length === 0 ? 'missing <file> (a report.json or a RunRecord)' : `expected one file, got ${positionals.length}`);
    const file = positionals[0] as string;
    let value: unknown;
    try {
      value = JSON.parse(await readFile(resolve(io.cwd, file), 'utf8'));
    } catch (error) {
      return usageError(io, `cannot read '${file}' as JSON: ${(error as Error).message}`);
    }
    const saved = savedRunOf(value);
    if (typeof saved === 'string') {
      io.stderr.write(`relaysim check: '${file}' is neither a relaysim JSON report nor a RunRecord: ${saved}\n`);
      return EXIT.USAGE;
    }
    const strict = v.strict === true || saved.strict;
    let report: RunReport;
    try {
      report = buildRunReport({
        startedAtEpochMs: saved.startedAtEpochMs,
        endedAtEpochMs: saved.endedAtEpochMs,
        seed: saved.seed,
        replay: saved.replay,
        strict,
        agent: saved.agent,
        scenarios: saved.records.map((record) => ({ record, results: evaluateRecord(record, { strict }) })),
      });
    } catch (error) {
      // e.g. two records of the same scenario: they belong to different runs.
      io.stderr.write(`relaysim check: '${file}' cannot be judged as one run: ${error instanceof Error ? error.message : String(error)}\n`);
      return EXIT.USAGE;
    }
    io.stdout.write(formatConsoleReport(report, { color: io.stdout.isTTY === true && (io.env.NO_COLOR ?? '') === '', verbose: v.verbose === true }));
    if (saved.savedResults !== undefined) {
      const changed = changedOutcomes(report, saved.savedResults);
      io.stdout.write(changed.length === 0 ? 'no check outcome changed since the saved report\n' : `${changed.length} check outcome(s) changed since the saved report:\n${changed.join('\n')}\n`);
    }
    const paths = reportPaths({ ...(v.json === undefined ? {} : { json: v.json }), ...(v.junit === undefined ? {} : { junit: v.junit }), ...(v.html === undefined ? {} : { html: v.html }) }, io.cwd);
    const written = await writeReports(report, paths);
    if (written.length > 0) io.stdout.write(`reports: ${written.join(', ')}\n`);
    return report.summary.exitCode;
  },
};
