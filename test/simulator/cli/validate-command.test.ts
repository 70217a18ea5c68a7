import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { validateCommand } from '../../../simulator/cli/validate-command.ts';
import { encodeOtlpJson } from '../../../simulator/otlp/encode-json.ts';
import { encodeOtlpProtobuf } from '../../../simulator/otlp/encode-protobuf.ts';
import { covalCall, dbl, setAttr, TRACE_ID, withSpan } from '../../support/otlp-fixtures.ts';
import { memoryIo, tempFiles } from './cli-test-io.ts';

const clean = encodeOtlpJson(covalCall());
const base64Ids = clean.replaceAll(TRACE_ID, Buffer.from(TRACE_ID, 'hex').toString('base64'));
const backwards = encodeOtlpJson(withSpan('tts', (s) => ({ ...s, endTimeUnixNano: s.startTimeUnixNano - 1_000_000n })));
const warnOnly = encodeOtlpJson(withSpan('tts', (s) => setAttr(s, 'metrics.ttfb', dbl(120))));

async function run(args: string[], files: Record<string, string | Uint8Array>, stdin?: string) {
  const dir = await tempFiles(files);
  const { io, stdout, stderr } = memoryIo(dir, stdin);
  const code = await validateCommand.run(args, io);
  return { code, out: stdout(), err: stderr() };
}

describe('relaysim validate', () => {
  it('exits 0 for a clean call in JSON, protobuf and gzip', async () => {
    const files = { 'call.json': clean, 'call.pb': encodeOtlpProtobuf(covalCall()), 'call.json.gz': gzipSync(clean) };
    for (const f of Object.keys(files)) {
      const r = await run([f], files);
      expect(r).toMatchObject({ code: 0, err: '' });
      expect(r.out).toContain(`${f}: ${f.includes('.pb') ? 'protobuf' : 'json'}, 7 span(s), 0 error(s), 0 warning(s)`);
    }
  });

  it('reports base64 ids with OTLP-ID-BASE64 and exits 1', async () => {
    const r = await run(['ids.json'], { 'ids.json': base64Ids });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^error OTLP-ID-BASE64 {2}resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.traceId: .*looks like base64/m);
  });

  it('reports end < start with OTLP-SPAN-TIME-ORDER and exits 1', async () => {
    const r = await run(['t.json'], { 't.json': backwards });
    expect(r.code).toBe(1);
    expect(r.out).toContain("error OTLP-SPAN-TIME-ORDER  resourceSpans[0].scopeSpans[0].spans[6], span 'tts' 1000000000000004: span ends 1 ms before it starts");
  });

  it('exits 0 on warnings, 1 with --strict', async () => {
    expect((await run(['w.json'], { 'w.json': warnOnly })).code).toBe(0);
    const strict = await run(['w.json', '--strict'], { 'w.json': warnOnly });
    expect(strict.code).toBe(1);
    expect(strict.out).toContain('warn  SPAN-TTFB-UNITS');
  });

  it('reads stdin with --format and prints a JSON report with --json', async () => {
    const r = await run(['-', '--format', 'json', '--json'], {}, backwards);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { file: string; spans: number; errors: number; findings: { rule: string; location: Record<string, unknown> }[] };
    expect(report).toMatchObject({ file: '<stdin>', spans: 7, errors: 1 });
    expect(report.findings[0]).toMatchObject({ rule: 'OTLP-SPAN-TIME-ORDER', location: { span: 6 } });
    expect(report.findings[0]?.location).not.toHaveProperty('batch');
  });

  it('exits 2 on usage errors', async () => {
    for (const [args, message] of [
      [[], 'missing <file>'],
      [['-'], 'reading stdin needs --format'],
      [['a.txt'], "cannot tell the format of 'a.txt'"],
      [['a.json', '--format', 'xml'], '--format must be json or protobuf'],
      [['a.json', '--bogus'], "Unknown option '--bogus'"],
      [['missing.json'], "cannot read 'missing.json'"],
      [['a.json', 'b.json'], 'expected one file, got 2'],
    ] as const) {
      const r = await run([...args], { 'a.json': clean, 'a.txt': clean });
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.err).toContain(message);
    }
  });

  it('runs as a child process through the CLI entry point', async () => {
    const dir = await tempFiles({ 'ids.json': base64Ids });
    const root = resolve(import.meta.dirname, '../../..');
    const node = join(root, 'node_modules/.bin/node');
    const failure = await promisify(execFile)(node, [join(root, 'simulator/cli/main.ts'), 'validate', 'ids.json'], { cwd: dir }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 1, stdout: expect.stringContaining('error OTLP-ID-BASE64') as unknown as string });
    const help = await promisify(execFile)(node, [join(root, 'simulator/cli/main.ts'), '--help']);
    expect(help.stdout).toContain('validate');
  });
});
