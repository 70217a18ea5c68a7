/**
 * `relaysim run --agent-url` end to end: the reference agent is started by hand (here: by the test)
 * with exactly the environment `relaysim serve --print-env` prints, then the kit drives it with its
 * fakes on those fixed ports. Scenarios that need their own agent environment are skipped.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it, onTestFinished } from 'vitest';
import { findFreePort } from '../../simulator/agent-target/free-port.ts';
import { runCommand } from '../../simulator/cli/run-command.ts';
import { serveCommand } from '../../simulator/cli/serve-command.ts';
import { memoryIo, tempFiles } from '../simulator/cli/cli-test-io.ts';
import { kitIo, NODE, ROOT } from '../simulator/cli/kit-io.ts';

/** `relaysim serve --print-env` for these ports, as NAME=value pairs. */
async function printedEnv(args: string[]): Promise<Record<string, string>> {
  const { io, stdout } = memoryIo(ROOT);
  expect(await serveCommand.run(['--print-env', ...args], io)).toBe(0);
  return Object.fromEntries(stdout().trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

describe('relaysim run --agent-url', () => {
  it('drives an agent started with the printed environment and skips scenarios that need their own', async () => {
    const [agentPort, openaiPort, covalPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
    const ports = ['--openai-port', String(openaiPort), '--coval-port', String(covalPort)];
    const env = await printedEnv([...ports, '--agent-url', `http://127.0.0.1:${agentPort}`]);
    const agent = spawn(NODE, ['agent/main.ts'], { cwd: ROOT, env: { ...process.env, ...env, HOST: '127.0.0.1', LOG_LEVEL: 'warn' }, stdio: 'ignore' });
    onTestFinished(() => {
      agent.kill('SIGKILL');
    });
    const reports = await tempFiles({});
    const { io, stdout, stderr } = kitIo(ROOT);
    const code = await runCommand.run(['--agent-url', `http://127.0.0.1:${agentPort}`, ...ports, '-s', 'greeting-and-one-question', '-s', 'registration-expired', '--report-dir', reports], io);
    expect(code, `${stdout()}\n${stderr()}`).toBe(0);
    expect(stderr()).toContain(`it must have been started with:\n  PORT=${agentPort}\n  PUBLIC_URL=https://127.0.0.1:${agentPort}`);
    expect(stderr()).toContain('concurrency 1');
    expect(stdout()).toMatch(/^PASS +greeting-and-one-question/m);
    expect(stdout()).toMatch(/^SKIP +registration-expired[^\n]*\n +reason: the scenario needs the agent started with SIMULATION_TTL_SECONDS/m);
    expect(stdout()).toContain(`replay: npx relaysim run --scenario greeting-and-one-question --scenario registration-expired --seed 1 --agent-url http://127.0.0.1:${agentPort} --openai-port ${openaiPort} --coval-port ${covalPort}`);
  }, 60_000);

  it('fails with exit 1 and the environment to use when nothing answers at the URL', async () => {
    const [agentPort, openaiPort, covalPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
    const { io, stdout, stderr } = kitIo(ROOT);
    const code = await runCommand.run(['--agent-url', `http://127.0.0.1:${agentPort}`, '--openai-port', String(openaiPort), '--coval-port', String(covalPort), '--start-timeout', '1', '-s', 'unregistered-call', '--no-report'], io);
    expect(code).toBe(1);
    expect(stderr()).toContain(`COVAL_TRACES_URL=http://127.0.0.1:${covalPort}/v1/traces`);
    expect(stderr()).toContain(`relaysim run: the agent is not reachable: no answer below 500 from GET http://127.0.0.1:${agentPort}/health within 1000 ms`);
    expect(stdout()).toBe('');
  }, 30_000);
});
