import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { decodeOtlpJson } from '../otlp/decode-json.ts';
import { decodeOtlpProtobuf } from '../otlp/decode-protobuf.ts';
import type { OtlpDecodeResult } from '../otlp/decode-support.ts';
import { validateBatches } from '../otlp/finalize.ts';
import { formatFindings } from '../otlp/format-findings.ts';
import { countSpans } from '../otlp/model.ts';
import type { Finding } from '../otlp/rules.ts';
import { EXIT, type CliCommand, type CliIo } from './cli-command.ts';

const USAGE = `Usage: relaysim validate <file | -> [options]

Checks one OTLP trace export (an ExportTraceServiceRequest, i.e. what an agent POSTs to
Coval's /v1/traces) against OTLP/HTTP and Coval's span schema. Every finding names its rule id
(see docs/validate.md). The file is treated as the whole call, so tree checks (one root named
conversation, parents resolve, tool results paired) run too. Gzip input is detected.

Options:
  --format json|protobuf   Encoding; default from the extension (.json, .pb/.protobuf/.bin,
                           optionally followed by .gz). Required when reading stdin (-).
  --strict                 Exit 1 on warnings too.
  --json                   Print a JSON report instead of text.
  --max-per-rule <n>       Text output: at most n lines per rule (default 20).
  -h, --help               Show this help.

Exit codes: 0 no error findings, 1 error findings (or warnings with --strict), 2 usage error.`;

type Format = 'json' | 'protobuf';

function formatFromName(file: string): Format | undefined {
  const name = file.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.pb') || name.endsWith('.protobuf') || name.endsWith('.bin')) return 'protobuf';
  return undefined;
}

async function readStdin(io: CliIo): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function usageError(io: CliIo, message: string): number {
  io.stderr.write(`relaysim validate: ${message}\n\n${USAGE}\n`);
  return EXIT.USAGE;
}

function decode(format: Format, bytes: Uint8Array): OtlpDecodeResult {
  if (format === 'protobuf') return decodeOtlpProtobuf(bytes);
  try {
    return decodeOtlpJson(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { ok: false, rule: 'OTLP-DECODE', reason: 'file is not valid UTF-8 JSON' };
  }
}

function report(io: CliIo, json: boolean, label: string, format: Format, spans: number, findings: readonly Finding[], perRule: number): { errors: number; warnings: number } {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  if (json) {
    io.stdout.write(`${JSON.stringify({ file: label, format, spans, errors, warnings, findings }, null, 2)}\n`);
  } else {
    for (const line of formatFindings(findings, perRule)) io.stdout.write(`${line}\n`);
    io.stdout.write(`${label}: ${format}, ${spans} span(s), ${errors} error(s), ${warnings} warning(s)\n`);
  }
  return { errors, warnings };
}

/** `relaysim validate`: lint one OTLP export file against OTLP_RULES. */
export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'Check an OTLP trace export (.json or .pb) against OTLP and the Coval span schema',
  usage: USAGE,
  async run(args, io) {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...args],
        allowPositionals: true,
        strict: true,
        options: {
          format: { type: 'string' },
          strict: { type: 'boolean', default: false },
          json: { type: 'boolean', default: false },
          'max-per-rule': { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
      });
    } catch (err) {
      return usageError(io, (err as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.OK;
    }
    if (positionals.length !== 1) return usageError(io, positionals.length === 0 ? 'missing <file> (use - for stdin)' : `expected one file, got ${positionals.length}`);
    const file = positionals[0] as string;
    if (values.format !== undefined && values.format !== 'json' && values.format !== 'protobuf') {
      return usageError(io, `--format must be json or protobuf (actual: '${values.format}')`);
    }
    const perRule = values['max-per-rule'] === undefined ? 20 : Number(values['max-per-rule']);
    if (!Number.isInteger(perRule) || perRule < 1) return usageError(io, `--max-per-rule must be a positive integer (actual: '${values['max-per-rule']}')`);
    const format: Format | undefined = (values.format as Format | undefined) ?? (file === '-' ? undefined : formatFromName(file));
    if (format === undefined) {
      return usageError(io, file === '-' ? 'reading stdin needs --format json|protobuf' : `cannot tell the format of '${file}' from its name; pass --format json|protobuf`);
    }
    let bytes: Uint8Array;
    try {
      bytes = file === '-' ? await readStdin(io) : await readFile(resolve(io.cwd, file));
    } catch (err) {
      return usageError(io, `cannot read '${file}': ${(err as Error).message}`);
    }
    const label = file === '-' ? '<stdin>' : file;
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      try {
        bytes = gunzipSync(bytes);
      } catch (err) {
        const f: Finding = { severity: 'error', rule: 'OTLP-HTTP-GZIP', message: `gzip input does not decompress: ${(err as Error).message}`, location: {} };
        report(io, values.json, label, format, 0, [f], perRule);
        return EXIT.FAIL;
      }
    }
    const decoded = decode(format, bytes);
    if (!decoded.ok) {
      const f: Finding = { severity: 'error', rule: decoded.rule, message: decoded.reason, location: decoded.field === undefined ? {} : { path: decoded.field } };
      report(io, values.json, label, format, 0, [f], perRule);
      return EXIT.FAIL;
    }
    // One file is one batch, so the batch index would only be noise in the report.
    const clean = [...decoded.findings, ...validateBatches([decoded.request])].map((f) => {
      const { batch: _batch, ...location } = f.location;
      return { ...f, location };
    });
    const { errors, warnings } = report(io, values.json, label, format, countSpans(decoded.request), clean, perRule);
    return errors > 0 || (values.strict && warnings > 0) ? EXIT.FAIL : EXIT.OK;
  },
};
