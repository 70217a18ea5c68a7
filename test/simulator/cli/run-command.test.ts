/**
 * `relaysim run` in-process (io injected): usage errors, the listings, and real runs against the
 * embedded reference agent on a few fast scenarios, with the reports read back.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { checkCommand } from '../../../simulator/cli/check-command.ts';
import { runCommand } from '../../../simulator/cli/run-command.ts';
import { CHECKS } from '../../../simulator/checks/catalogue.ts';
import { readJsonReport } from '../../../simulator/report/json-report.ts';
import { JsonReportSchema } from '../../../simulator/report/report-schema.ts';
import { loadScenarioLibrary } from '../../../simulator/scenario/load-scenario.ts';
import { childElements, parseXml, type XmlElement } from '../../../simulator/twilio/xml.ts';
import { tempFiles } from './cli-test-io.ts';
import { kitIo, LIBRARY } from './kit-io.ts';

const FAST = ['caller-hangs-up-mid-answer', 'agent-ends-call-handoff', 'unregistered-call'];

async function run(args: string[], options: { cwd?: string; signal?: AbortSignal; env?: Record<string, string> } = {}) {
  const cwd = options.cwd ?? (await tempFiles({}));
  const { io, stdout, stderr } = kitIo(cwd, { ...(options.signal ? { signal: options.signal } : {}), ...(options.env ? { env: options.env } : {}) });
  const code = await runCommand.run(args, io);
  return { code, stdout: stdout(), stderr: stderr(), cwd };
}

const attr = (e: XmlElement | undefined, name: string) => e?.attributes.find((a) => a.name === name)?.value;

describe('relaysim run: usage and listings', () => {
  it.each([
    [['--frobnicate'], "Unknown option '--frobnicate'"],
    [['--spawn', 'x', '--agent-url', 'http://127.0.0.1:1'], 'choose one agent'],
    [['--repeat', 'many'], '--repeat must be an integer'],
    [['--agent-url', 'http://x', '--check-determinism'], '--check-determinism needs an agent the kit starts'],
  ])('exits 2 with the usage for %j', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`relaysim run: ${message}`);
    expect(r.stderr).toContain('Usage: relaysim run');
    expect(r.stdout).toBe('');
  });

  it('exits 2 for a scenario id or tag that matches nothing, and for a broken scenario file', async () => {
    const missing = await run(['--scenario', 'no-such-scenario']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("No scenario matches id 'no-such-scenario'");
    const tag = await run(['--tag', 'no-such-tag', '--list-scenarios']);
    expect(tag.code).toBe(2);
    const dir = await tempFiles({ 'broken.yaml': 'id: broken\ntitle: Broken\ncaller:\n  - sayy: "hi"\n' });
    const broken = await run([dir]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.yaml:4:\d+: .*sayy/);
    expect(broken.stderr).toContain('relaysim scenarios lint');
  });

  it('exits 2 for an agent module without startEmbeddedAgent, before running anything', async () => {
    const dir = await tempFiles({ 'not-an-agent.ts': 'export const hello = 1;\n' });
    const r = await run(['--agent-module', 'not-an-agent.ts', '-s', 'unregistered-call'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('does not export startEmbeddedAgent');
    expect(await readdir(dir)).toEqual(['not-an-agent.ts']);
  });

  it('prints the usage for --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: relaysim run');
    for (const flag of ['--spawn', '--agent-url', '--agent-module', '--scenario', '--tag', '--seed', '--repeat', '--concurrency', '--strict', '--json', '--junit', '--html', '--report-dir', '--check-determinism', '--list-checks', '--list-scenarios', '--webhook-path', '--register-path', '--ws-path']) {
      expect(r.stdout).toContain(flag);
    }
  });

  it('--list-checks prints every catalogue id with its level and title', async () => {
    const r = await run(['--list-checks']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(CHECKS.length + 1);
    for (const c of CHECKS) expect(r.stdout).toMatch(new RegExp(`^${c.id} +${c.level} +${c.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
  });

  it('--list-scenarios prints the selected scenarios of the library', async () => {
    const library = await loadScenarioLibrary(LIBRARY);
    const all = await run(['--list-scenarios']);
    expect(all.code).toBe(0);
    for (const s of library) expect(all.stdout).toMatch(new RegExp(`^${s.id} `, 'm'));
    const interrupt = await run(['--list-scenarios', '-t', 'interrupt']);
    const ids = interrupt.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(' ')[0]);
    expect(ids).toEqual(library.filter((s) => s.tags.includes('interrupt')).map((s) => s.id));
    const glob = await run(['--list-scenarios', '-s', 'registration-*']);
    expect(glob.stdout.trimEnd().split('\n').slice(1).every((l) => l.startsWith('registration-'))).toBe(true);
  });

  it('stops at once with 130 when interrupted before the first scenario', async () => {
    const interrupt = new AbortController();
    interrupt.abort();
    const r = await run(['-s', 'unregistered-call'], { signal: interrupt.signal });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('interrupted after 0 of 1 scenarios; no reports written');
  });
});

describe('relaysim run: Ctrl-C while a scenario runs', () => {
  it('stops the agents, discards the verdicts of the scenarios in flight and exits 130', async () => {
    const cwd = await tempFiles({});
    const interrupt = new AbortController();
    const { io, stdout, stderr } = kitIo(cwd, { tty: true, signal: interrupt.signal });
    // The first progress redraw on a terminal names the scenario that just started.
    const write = io.stderr.write;
    const watched = { ...io, stderr: { ...io.stderr, write: (s: string) => (s.includes('running unregistered-call') && interrupt.abort(), write(s)) } };
    expect(await runCommand.run(['-s', 'unregistered-call'], watched)).toBe(130);
    expect(stderr()).toContain('interrupted after 1 of 1 scenarios; no reports written');
    expect(stdout()).toBe('');
    expect(await readdir(cwd)).toEqual([]);
  }, 60_000);
});

describe('relaysim run against the embedded reference agent', () => {
  it('passes a few scenarios, writes the three reports and re-checks the JSON report offline', async () => {
    const r = await run(FAST.flatMap((id) => ['-s', id]));
    expect(r.stderr, r.stdout).toContain(`relaysim run: ${FAST.length} scenarios, seed 1, agent embedded`);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain(`PASSED: ${FAST.length} passed, 0 failed`);
    expect(r.stdout).toContain('reports: relaysim-report/report.json, relaysim-report/junit.xml, relaysim-report/index.html');
    for (const id of FAST) expect(r.stderr).toMatch(new RegExp(`^\\[\\d/3\\] PASS  ${id} \\(`, 'm'));

    const json = JSON.parse(await readFile(join(r.cwd, 'relaysim-report/report.json'), 'utf8')) as unknown;
    expect(Value.Check(JsonReportSchema, json)).toBe(true);
    const report = readJsonReport(json);
    expect(report.scenarios.map((s) => s.scenario.id).sort()).toEqual([...FAST].sort());
    expect(report.options.agent.mode).toBe('embedded');
    expect(report.scenarios.every((s) => s.replay === `npx relaysim run --scenario ${s.scenario.id} --seed 1`)).toBe(true);

    const parsed = parseXml(await readFile(join(r.cwd, 'relaysim-report/junit.xml'), 'utf8'));
    if (!parsed.ok) throw new Error(`JUnit is not XML: ${parsed.error.message}`);
    const suites = childElements(parsed.root).filter((e) => e.name === 'testsuite');
    expect(suites.map((s) => attr(s, 'name')).sort()).toEqual([...FAST].sort());
    expect(attr(parsed.root, 'failures')).toBe('0');
    expect(attr(parsed.root, 'errors')).toBe('0');
    expect(Number(attr(parsed.root, 'tests'))).toBeGreaterThan(FAST.length * CHECKS.length - 1);

    const html = await readFile(join(r.cwd, 'relaysim-report/index.html'), 'utf8');
    for (const id of FAST) expect(html).toContain(id);

    const { io, stdout } = kitIo(r.cwd);
    expect(await checkCommand.run(['relaysim-report/report.json'], io)).toBe(0);
    expect(stdout()).toContain('no check outcome changed since the saved report');
  }, 60_000);

  it('fails with exit 1, the failing check and a replay command when the agent is misconfigured', async () => {
    // FIFO correlation hands four out-of-order callers each other's simulation ids.
    const r = await run(['-s', 'four-callers-out-of-order-with-numbers', '--agent-env', 'CORRELATION_STRATEGY=fifo', '--seed', '77', '--json', 'out.json']);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toMatch(/^FAIL +four-callers-out-of-order-with-numbers/m);
    expect(r.stdout).toContain('COR-OWN-SIMULATION-ID (MUST)');
    expect(r.stdout).toContain('replay: npx relaysim run --scenario four-callers-out-of-order-with-numbers --seed 77 --agent-env CORRELATION_STRATEGY=fifo');
    expect(r.stdout).toMatch(/^FAILED: 0 passed, 1 failed/m);
    const report = readJsonReport(JSON.parse(await readFile(join(r.cwd, 'out.json'), 'utf8')));
    expect(report.summary.exitCode).toBe(1);
    expect(report.seed).toBe(77);
  }, 60_000);

  it('--check-determinism runs each seed twice and finds equal records; --repeat gives each seed its own reports', async () => {
    const r = await run(['-s', 'unregistered-call', '--check-determinism', '--repeat', '2', '--seed', '10']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('determinism: 1 scenario gave equal normalised records and verdicts in two runs with seed 10');
    expect(r.stdout).toContain('determinism: 1 scenario gave equal normalised records and verdicts in two runs with seed 11');
    expect(r.stdout).toContain('repeat: all 2 seeds passed (10..11)');
    expect(r.stderr).toMatch(/^seed 11 \(determinism\) \[1\/1\] PASS  unregistered-call/m);
    expect((await readdir(join(r.cwd, 'relaysim-report'))).sort()).toEqual(['seed-10', 'seed-11']);
    const second = readJsonReport(JSON.parse(await readFile(join(r.cwd, 'relaysim-report/seed-11/report.json'), 'utf8')));
    expect(second.seed).toBe(11);
  }, 60_000);

  it('reads scenario files given as paths, and warns when the TwiML names another relay path than --ws-path', async () => {
    const text = await readFile(join(LIBRARY, 'unregistered-call.yaml'), 'utf8');
    const dir = await tempFiles({ 'unregistered-call.yaml': text });
    const r = await run(['unregistered-call.yaml', '--ws-path', '/relay', '--no-report'], { cwd: dir });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/warning: unregistered-call call-1: the TwiML names relay URL wss:\/\/127\.0\.0\.1:\d+\/ws, whose path is not --ws-path \/relay/);
    expect(r.stdout).toContain('replay: npx relaysim run unregistered-call.yaml --seed 1 --ws-path /relay');
    expect(await readdir(dir)).toEqual(['unregistered-call.yaml']);
  }, 60_000);
});

describe('relaysim run: a bad report path', () => {
  it('prints the verdict, then exits 2 when the report folder cannot be written', async () => {
    const dir = await tempFiles({ blocker: 'a file, not a folder' });
    const r = await run(['-s', 'unregistered-call', '--report-dir', 'blocker/sub'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^PASSED: 1 passed/m);
    expect(r.stderr).toMatch(/relaysim run: cannot write the reports: .*blocker/);
  }, 60_000);
});
