/**
 * `npm start` = `node simulator/cli/main.ts run` with no arguments, from a folder that is not the
 * kit's: the reference agent embedded (found by main.ts from its own location), every scenario of
 * the library, the console report, and ./relaysim-report/{report.json,junit.xml,index.html}.
 * The whole library takes about 20 s on two cores (the barge-in scenario alone plays ~5 s of speech).
 */
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readJsonReport } from '../../simulator/report/json-report.ts';
import { loadScenarioLibrary } from '../../simulator/scenario/load-scenario.ts';
import { tempFiles } from '../simulator/cli/cli-test-io.ts';
import { LIBRARY, NODE, ROOT } from '../simulator/cli/kit-io.ts';

describe('relaysim run with no arguments (npm start)', () => {
  it('passes the whole library against the embedded reference agent and writes the reports', async () => {
    const cwd = await tempFiles({});
    const library = await loadScenarioLibrary(LIBRARY);
    const result = await promisify(execFile)(NODE, [join(ROOT, 'simulator/cli/main.ts'), 'run'], {
      cwd,
      env: { ...process.env, CI: 'true', NO_COLOR: '1' },
      timeout: 150_000,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { code?: number; stdout?: string; stderr?: string }) => error);
    const { stdout = '', stderr = '' } = result;
    expect('code' in result ? result.code : 0, `${stdout}\n${stderr}`).toBe(0);
    expect(stdout).toContain(`PASSED: ${library.length} passed, 0 failed, 0 skipped, 0 errored`);
    expect(stdout).toContain('seed 1 | replay: npx relaysim run --seed 1');
    expect(stderr).toMatch(new RegExp(`^\\[${library.length}/${library.length}\\] PASS `, 'm'));
    expect((await readdir(join(cwd, 'relaysim-report'))).sort()).toEqual(['index.html', 'junit.xml', 'report.json']);
    const report = readJsonReport(JSON.parse(await readFile(join(cwd, 'relaysim-report/report.json'), 'utf8')));
    expect(report.scenarios.map((s) => s.scenario.id)).toEqual(library.map((s) => s.id));
    expect(report.summary.exitCode).toBe(0);
  }, 180_000);
});
