/**
 * The JSON report: the RunReport itself (reportVersion 1) plus the catalogue entries of the checks it
 * mentions, as plain JSON. Documented in docs/reports.md; schema in docs/report.schema.json.
 */
import { Value } from '@sinclair/typebox/value';
import { CHECKS_BY_ID, type CheckLevel } from '../checks/catalogue.ts';
import { SimErrors } from '../core/errors.ts';
import { JsonReportSchema } from './report-schema.ts';
import type { RunReport } from './run-report.ts';

/** The JSON report: a {@link RunReport} plus `checks`, the catalogue entries by id. */
export interface JsonReport extends RunReport {
  readonly checks: Readonly<Record<string, { readonly title: string; readonly level: CheckLevel; readonly source: string }>>;
}

/**
 * A JSON-safe deep copy: a bigint becomes its decimal string and a non-finite number its name, so
 * `JSON.stringify` neither throws nor turns them into `null`; anything else non-JSON is a bug.
 */
function jsonSafe(value: unknown, path: string): unknown {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'string':
    case 'boolean':
      return value;
    case 'undefined':
      return undefined;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) return value.map((v, i) => jsonSafe(v, `${path}[${i}]`) ?? null);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const safe = jsonSafe(v, `${path}.${k}`);
        if (safe !== undefined) out[k] = safe;
      }
      return out;
    }
    default:
      throw new SimErrors.SIM_ERR_REPORT_INPUT_INVALID(`${path} is a ${typeof value}, which JSON cannot hold`);
  }
}

/** The report as the JSON document `relaysim run --json` writes. */
export function toJsonReport(report: RunReport): JsonReport {
  const ids = [...new Set(report.scenarios.flatMap((s) => s.results.map((r) => r.checkId)))];
  const checks: JsonReport['checks'] = Object.fromEntries(
    ids.flatMap((id) => {
      const c = CHECKS_BY_ID.get(id);
      return c ? [[id, { title: c.title, level: c.level, source: c.source }]] : [];
    }),
  );
  const { reportVersion, kit, startedAt, endedAt, seed, replay, options, scenarios, summary } = report;
  return jsonSafe({ reportVersion, kit, startedAt, endedAt, seed, replay, options, checks, scenarios, summary }, 'report') as JsonReport;
}

/** The JSON report as text (two-space indent, trailing newline). */
export function formatJsonReport(report: RunReport): string {
  return `${JSON.stringify(toJsonReport(report), null, 2)}\n`;
}

/** Reads a saved JSON report (e.g. to render HTML later); throws SIM_ERR_REPORT_INVALID when it does not match the schema. */
export function readJsonReport(value: unknown): JsonReport {
  const version = typeof value === 'object' && value !== null ? (value as { reportVersion?: unknown }).reportVersion : undefined;
  if (version !== 1) throw new SimErrors.SIM_ERR_REPORT_INVALID(`reportVersion ${JSON.stringify(version) ?? 'undefined'} is not 1, the version this kit reads`);
  const first = Value.Errors(JsonReportSchema, value).First();
  if (first) throw new SimErrors.SIM_ERR_REPORT_INVALID(`${first.path || '/'}: ${first.message}`);
  return value as JsonReport;
}
