import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { findFreePort } from '../../../simulator/agent-target/free-port.ts';
import { startSpawnedAgent } from '../../../simulator/agent-target/spawned-agent.ts';
import { systemClock } from '../../../simulator/core/clock.ts';

const NODE = fileURLToPath(new URL('../../../node_modules/.bin/node', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'relaysim-spawn-'));

/** Writes a tiny agent script: an HTTP server on $PORT with /health, and the given extra code. */
function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return `"${NODE}" "${path}"`;
}

const HEALTHY = script(
  'healthy.mjs',
  `import { createServer } from 'node:http';
const server = createServer((req, res) => { res.writeHead(req.url === '/health' ? 200 : 404); res.end(process.env.MARKER ?? ''); });
server.listen(Number(process.env.PORT), '127.0.0.1', () => { console.log('listening on ' + process.env.PORT); console.error('warming up'); });
process.on('SIGTERM', () => { console.log('bye'); server.close(() => process.exit(0)); });`,
);

const CRASHING = script('crashing.mjs', `console.error('OPENAI_BASE_URL is not set; giving up'); process.exit(3);`);

const STUBBORN = script(
  'stubborn.mjs',
  `import { createServer } from 'node:http';
createServer((req, res) => { res.writeHead(200); res.end(); }).listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => console.log('ignoring SIGTERM'));`,
);

async function start(command: string, extra: { startTimeoutMs?: number; stopGraceMs?: number } = {}) {
  const port = await findFreePort();
  const agent = await startSpawnedAgent({
    command,
    env: { PORT: String(port), MARKER: 'from-env' },
    baseUrl: `http://127.0.0.1:${port}`,
    publicUrl: `https://127.0.0.1:${port}`,
    twilioAuthToken: 't',
    covalApiKey: 'k',
    clock: systemClock,
    fetch: globalThis.fetch,
    ...extra,
  });
  onTestFinished(() => agent.close());
  return { agent, port };
}

describe('startSpawnedAgent', () => {
  it('starts the command with the env, waits for its health path and keeps its output', async () => {
    const { agent, port } = await start(HEALTHY);
    const response = await fetch(`http://127.0.0.1:${port}/anything`);
    expect(await response.text()).toBe('from-env');
    expect(agent.mode).toBe('spawn');
    const record = agent.processRecord();
    expect(record?.pid).toEqual(expect.any(Number));
    expect(record?.exit).toBeUndefined();
    expect(record?.stderrTail).toContain('warming up');
  });

  it('stops the agent with SIGTERM and records the exit', async () => {
    const { agent } = await start(HEALTHY);
    await agent.close();
    const exit = await agent.exited;
    expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
    expect(agent.processRecord()?.stdoutTail).toContain('bye');
    expect(agent.processRecord()?.exit).toEqual(exit);
  });

  it('reports an early exit as SIM_ERR_AGENT_START_FAILED with its last output', async () => {
    const failure = start(CRASHING, { startTimeoutMs: 10_000 });
    await expect(failure).rejects.toMatchObject({ code: 'SIM_ERR_AGENT_START_FAILED' });
    const error = (await failure.catch((e: unknown) => e)) as Error & { process?: { exit?: { code: number } } };
    expect(error.message).toContain('exited (code 3');
    expect(error.message).toContain('OPENAI_BASE_URL is not set');
    expect(error.process?.exit?.code).toBe(3);
  });

  it('gives up after the start timeout when nothing answers', async () => {
    const silent = script('silent.mjs', `setInterval(() => {}, 1000);`);
    await expect(start(silent, { startTimeoutMs: 300 })).rejects.toThrow(/no answer below 500 from GET http:\/\/127\.0\.0\.1:\d+\/health within 300 ms/);
  });

  it('kills an agent that ignores SIGTERM after the grace period, with every process of its group', async () => {
    const { agent, port } = await start(STUBBORN, { stopGraceMs: 200 });
    await agent.close();
    await agent.exited;
    expect(agent.processRecord()?.stdoutTail).toContain('ignoring SIGTERM');
    // The agent itself (not only the shell that started it) is gone: its port refuses connections.
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});
