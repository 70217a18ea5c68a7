/**
 * `relaysim run --spawn "…"` end to end: the kit starts the agent as a child process with the
 * fakes' environment, waits for its health path, runs, and stops it. The reference agent passes;
 * an agent whose interrupt handling is broken fails with a CR-INTERRUPT check and exit 1; an
 * agent that dies is reported with its output.
 */
import { describe, expect, it, type TestContext } from 'vitest';
import { runCommand } from '../../simulator/cli/run-command.ts';
import { kitIo, NODE, ROOT } from '../simulator/cli/kit-io.ts';
import { tempFiles } from '../simulator/cli/cli-test-io.ts';

async function run(args: string[], ctx: TestContext) {
  const reports = await tempFiles({}, ctx.onTestFinished);
  // The agent commands are relative to the repository, as a user would type them in their project.
  const { io, stdout, stderr } = kitIo(ROOT);
  const code = await runCommand.run([...args, '--report-dir', reports], io);
  return { code, stdout: stdout(), stderr: stderr() };
}

// Concurrent: each test spawns its own agent process; they mostly wait on its start-up and on
// real-time speech (the barge-in scenario plays ~5 s), so together they take as long as the slowest.
describe.concurrent('relaysim run --spawn', () => {
  it('passes the reference agent started as `node agent/main.ts`', async (ctx) => {
    const r = await run(['--spawn', `${NODE} agent/main.ts`, '-s', 'greeting-and-one-question'], ctx);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`agent spawn ${NODE} agent/main.ts`);
    expect(r.stdout).toMatch(/^PASS +greeting-and-one-question/m);
  }, 60_000);

  it('fails an agent whose interrupt handling is broken: CR-INTERRUPT check, exit 1, replay naming the agent', async (ctx) => {
    const agent = `${NODE} test/fixtures/agents/interrupt-ignored-agent.ts`;
    const r = await run(['--spawn', agent, '-s', 'barge-in-mid-answer', '--seed', '123456'], ctx);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    expect(r.stdout).toMatch(/^FAIL +barge-in-mid-answer/m);
    expect(r.stdout).toMatch(/CR-INTERRUPT-(STOPS|HISTORY) \(MUST\)/);
    expect(r.stdout).toContain(`replay: npx relaysim run --scenario barge-in-mid-answer --seed 123456 --spawn "${agent}"`);
  }, 60_000);

  it('reports an agent that dies at start-up as an error with its last output, exit 1', async (ctx) => {
    const r = await run(['--spawn', `${NODE} -e "console.error('boom: no config'); process.exit(3)"`, '-s', 'unregistered-call'], ctx);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ERROR +unregistered-call/m);
    expect(r.stdout).toContain('SIM_ERR_AGENT_START_FAILED');
    expect(r.stdout).toMatch(/agent output of unregistered-call \(exit code 3, signal null\), last lines:\n {2}\| boom: no config/);
  }, 60_000);
});
