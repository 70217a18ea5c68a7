import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { EXIT_CONFIG_INVALID, runMain, shutdownAgent, type MainOptions } from '../../agent/main.ts';
import { createRecordingLogger } from '../../agent/platform/logger.ts';
import { freshKeyPrefix, sharedRedisServer } from '../support/redis-server.ts';
import { buildTestAgent, connectSocket, createFakeExporter, probeSocket, TEST_AUTH_TOKEN, TEST_PUBLIC_URL, twilioSignature, within } from '../support/agent-fakes.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE = `${ROOT}node_modules/.bin/node`;

/** MainOptions whose effects are recorded; `exited` resolves with the first exit code. */
function fakeProcess(env: Record<string, string>) {
  const stderr: string[] = [];
  const handlers = new Map<string, () => void>();
  const codes: number[] = [];
  let onExit: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => {
    onExit = resolve;
  });
  const options: MainOptions = {
    env,
    stderr: (text) => stderr.push(text),
    exit: (code) => {
      codes.push(code);
      onExit(code);
    },
    onSignal: (signal, handler) => handlers.set(signal, handler),
  };
  return { options, stderr, handlers, codes, exited };
}

describe('runMain', () => {
  it('prints every bad variable at once and exits with code 2', async () => {
    const proc = fakeProcess({ PORT: 'eighty', LOG_LEVEL: 'chatty', CORRELATION_STRATEGY: 'random' });
    expect(await runMain(proc.options)).toBeUndefined();
    expect(proc.codes).toEqual([EXIT_CONFIG_INVALID]);
    const text = proc.stderr.join('');
    for (const name of ['PORT', 'LOG_LEVEL', 'CORRELATION_STRATEGY', 'OPENAI_API_KEY']) expect(text).toContain(name);
    expect(text).toContain('4 invalid environment variable(s)');
  });

  it('listens on the configured host, serves /health, and stops with exit 0 on SIGTERM', async () => {
    const proc = fakeProcess({ PORT: '0', HOST: '127.0.0.1', OPENAI_API_KEY: 'sk-test', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_SECONDS: '1' });
    const running = await runMain(proc.options);
    onTestFinished(() => running?.app.close());
    expect(running?.port).toBeGreaterThan(0);
    const health = await fetch(`http://127.0.0.1:${running?.port}/health`);
    expect(await health.json()).toEqual({ status: 'ok', openCalls: 0, pendingRegistrations: 0 });

    proc.handlers.get('SIGTERM')?.();
    expect(await within(proc.exited, 5_000, 'exit after SIGTERM')).toBe(0);
    await expect(fetch(`http://127.0.0.1:${running?.port}/health`)).rejects.toThrow();
  });

  it('exits with code 1 at once on a second signal during shutdown', async () => {
    const proc = fakeProcess({ PORT: '0', HOST: '127.0.0.1', OPENAI_API_KEY: 'sk-test', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_SECONDS: '30', TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN, PUBLIC_URL: TEST_PUBLIC_URL });
    const running = await runMain(proc.options);
    onTestFinished(() => running?.app.close());
    // An open call holds the shutdown in its grace period.
    const ws = await connectSocket(`ws://127.0.0.1:${running?.port}/ws`, { 'x-twilio-signature': twilioSignature(TEST_AUTH_TOKEN, 'wss://agent.example.com/ws') });
    proc.handlers.get('SIGTERM')?.();
    proc.handlers.get('SIGINT')?.();
    expect(proc.codes).toEqual([1]);
    // Let the first shutdown finish so nothing outlives the test.
    ws.terminate();
    await within(running?.stop() ?? Promise.resolve(0), 5_000, 'the first shutdown to finish');
  });
});

describe('runMain with REDIS_URL', () => {
  it('keeps registrations in Redis, reports them on /health and closes the connection on SIGTERM', async () => {
    const server = await sharedRedisServer();
    const admin = new Redis(server.url, { connectionName: 'test-admin' });
    onTestFinished(() => admin.disconnect());
    const registryConnections = async () => String(await admin.call('CLIENT', 'LIST')).split('\n').filter((line) => line.includes('name=relaysim-registry')).length;
    const before = await registryConnections();
    const keyPrefix = freshKeyPrefix();
    const proc = fakeProcess({
      PORT: '0', HOST: '127.0.0.1', OPENAI_API_KEY: 'sk-test', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_SECONDS: '1',
      COVAL_API_KEY: 'coval-key', REDIS_URL: server.url, REDIS_KEY_PREFIX: keyPrefix,
    });
    const running = await runMain(proc.options);
    onTestFinished(() => running?.app.close());
    expect(await registryConnections()).toBe(before + 1);
    const registered = await fetch(`http://127.0.0.1:${running?.port}/register-simulation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'coval-key' },
      body: JSON.stringify({ simulation_output_id: 'sim-in-redis' }),
    });
    expect(await registered.json()).toEqual({ status: 'ok', queued: 1 });
    expect(await admin.zrange(`${keyPrefix}{registry}:queue`, '0', '-1')).toEqual(['"sim-in-redis"']);
    expect(await (await fetch(`http://127.0.0.1:${running?.port}/health`)).json()).toEqual({ status: 'ok', openCalls: 0, pendingRegistrations: 1 });

    proc.handlers.get('SIGTERM')?.();
    expect(await within(proc.exited, 5_000, 'exit after SIGTERM')).toBe(0);
    expect(await registryConnections()).toBe(before);
  });

  it('exits with code 1 when Redis does not answer at start-up', async () => {
    const proc = fakeProcess({ PORT: '0', HOST: '127.0.0.1', OPENAI_API_KEY: 'sk-test', LOG_LEVEL: 'silent', REDIS_URL: 'redis://127.0.0.1:1' });
    expect(await runMain(proc.options)).toBeUndefined();
    expect(proc.codes).toEqual([1]);
  });
});

describe('agent/main.ts as a process', () => {
  it('exits with code 2 and lists the bad variables on stderr', async () => {
    const child = spawn(NODE, ['agent/main.ts'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', PORT: '99999', SIMULATION_TTL_SECONDS: 'soon' }, stdio: ['ignore', 'pipe', 'pipe'] });
    onTestFinished(() => {
      child.kill('SIGKILL');
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await within(new Promise<number | null>((resolve) => child.once('exit', resolve)), 20_000, 'the agent process to exit');
    expect(code).toBe(EXIT_CONFIG_INVALID);
    expect(stderr).toContain("PORT must be an integer from 0 to 65535 (actual: '99999')");
    expect(stderr).toContain("SIMULATION_TTL_SECONDS must be an integer from 1 to 86400 (actual: 'soon')");
    expect(stderr).toContain('OPENAI_API_KEY must be set');
  });
});

describe('shutdownAgent', () => {
  it('closes at once when no call is open, draining exports with the grace budget', async () => {
    const { app, registry, exporter } = buildTestAgent();
    const logger = createRecordingLogger();
    const report = await shutdownAgent({ app, exporter, registry, logger, graceMs: 7_000 });
    expect(report).toEqual({ cutCalls: 0, delivered: 0, undelivered: [] });
    expect(exporter.drains).toEqual([7_000]);
    expect(app.agent.accepting).toBe(false);
  });

  it('lets an open call run until the grace deadline, then cuts it with 1001 and still exports it', async () => {
    const { app, registry, exporter, clock } = buildTestAgent();
    const port = Number(new URL(await app.listen({ port: 0, host: '127.0.0.1' })).port);
    onTestFinished(() => app.close());
    const ws = await connectSocket(`ws://127.0.0.1:${port}/ws`, { 'x-twilio-signature': twilioSignature(TEST_AUTH_TOKEN, 'wss://agent.example.com/ws') });
    const probe = probeSocket(ws);
    const logger = createRecordingLogger();

    const done = shutdownAgent({ app, exporter, registry, logger, graceMs: 10_000 });
    await clock.advanceAsync(9_999);
    expect(probe.messages).toEqual([]);
    expect(app.agent.openCalls).toBe(1);
    await clock.advanceAsync(1);
    expect((await within(probe.closed, 5_000, 'the cut')).code).toBe(1001);
    const report = await within(done, 5_000, 'shutdown to finish');
    expect(report.cutCalls).toBe(1);
    expect(exporter.exported).toHaveLength(1);
    expect(logger.lines.some((l) => l.msg === 'shutdown grace period over: open calls cut')).toBe(true);
  });

  it('logs every undelivered trace with its simulation id', async () => {
    const { app, registry } = buildTestAgent();
    const exporter = createFakeExporter({ delivered: 1, undelivered: ['sim-a', 'sim-b'] });
    const logger = createRecordingLogger();
    const report = await shutdownAgent({ app, exporter, registry, logger, graceMs: 1_000 });
    expect(report.undelivered).toEqual(['sim-a', 'sim-b']);
    const lost = logger.lines.filter((l) => l.msg === 'trace not delivered before shutdown');
    expect(lost.map((l) => [l.level, l.fields.simulationOutputId])).toEqual([
      ['error', 'sim-a'],
      ['error', 'sim-b'],
    ]);
  });
});
