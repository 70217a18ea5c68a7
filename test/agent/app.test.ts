import { describe, expect, it, onTestFinished } from 'vitest';
import { buildAgent } from '../../agent/app.ts';
import { loadAgentConfig } from '../../agent/config.ts';
import { ManualClock } from '../../agent/platform/manual-clock.ts';
import { MemoryRegistryStore } from '../../agent/registry/memory-store.ts';
import { SimulationRegistry } from '../../agent/registry/simulation-registry.ts';
import { buildTestAgent, createFakeExporter, createFakeSessionFactory, TEST_ENV } from '../support/agent-fakes.ts';

describe('buildAgent', () => {
  it('returns a ready app that does not listen', async () => {
    const { app } = buildTestAgent();
    onTestFinished(() => app.close());
    await app.ready();
    expect(app.server.listening).toBe(false);
  });

  it('registers exactly the documented routes', async () => {
    const { app } = buildTestAgent();
    onTestFinished(() => app.close());
    await app.ready();
    const routes = app.printRoutes({ commonPrefix: false });
    for (const path of ['/webhook (POST)', '/register-simulation (POST)', '/ws (GET, HEAD)', '/connect-action (POST)', '/health (GET, HEAD)']) {
      expect(routes).toContain(path);
    }
    expect((await app.inject({ method: 'GET', url: '/nope' })).statusCode).toBe(404);
  });

  it('logs through the injected logger, each request line carrying its reqId', async () => {
    const { app, lines } = buildTestAgent();
    onTestFinished(() => app.close());
    await app.inject({ method: 'GET', url: '/health' });
    const completed = lines.find((l) => l.msg === 'request completed');
    expect(completed?.fields.reqId).toBeDefined();
  });

  it("uses Fastify's pino at LOG_LEVEL when no logger is injected", async () => {
    const config = loadAgentConfig({ ...TEST_ENV, LOG_LEVEL: 'warn' });
    const clock = new ManualClock();
    const registry = new SimulationRegistry(new MemoryRegistryStore(), clock, { ttlMs: 1000, capacity: 1, strategy: 'fifo' });
    const app = buildAgent(config, { clock, registry, createSession: createFakeSessionFactory(registry, clock), exporter: createFakeExporter() });
    onTestFinished(() => app.close());
    expect(app.log.level).toBe('warn');
  });

  it('exposes shutdown controls under app.agent', async () => {
    const { app } = buildTestAgent();
    onTestFinished(() => app.close());
    expect(app.agent.accepting).toBe(true);
    expect(app.agent.openCalls).toBe(0);
    expect(await app.agent.whenIdle(1)).toBe(true);
    app.agent.stopAccepting();
    expect(app.agent.accepting).toBe(false);
    expect(app.agent.cutOpenCalls('test')).toBe(0);
  });
});
