import { describe, expect, it, onTestFinished } from 'vitest';
import { buildAgent } from '../../agent/app.ts';
import { loadAgentConfig } from '../../agent/config.ts';
import { createRealDeps, openRegistryStore, toFastifyLogger } from '../../agent/deps.ts';
import { createSeededIds } from '../../agent/platform/ids.ts';
import { createRecordingLogger } from '../../agent/platform/logger.ts';
import { ManualClock } from '../../agent/platform/manual-clock.ts';
import { createSeededRandom } from '../../agent/platform/random.ts';
import { MemoryRegistryStore } from '../../agent/registry/memory-store.ts';
import { RedisRegistryStore } from '../../agent/registry/redis-store.ts';
import {
  connectSocket,
  eventually,
  probeSocket,
  spokenSse,
  TEST_AUTH_TOKEN,
  TEST_COVAL_KEY,
  TEST_ENV,
  toolCallSse,
  twilioSignature,
  within,
} from '../support/agent-fakes.ts';
import { freshKeyPrefix, sharedRedisServer, startRedisServer } from '../support/redis-server.ts';

describe('toFastifyLogger', () => {
  it('turns Fastify-style calls into AgentLogger lines', () => {
    const recording = createRecordingLogger();
    const log = toFastifyLogger(recording);
    log.info('plain message');
    log.warn({ a: 1 }, 'with fields');
    log.error(new Error('boom'));
    log.fatal({ b: 2 }, 'fatal becomes error');
    log.trace({ c: 3 }, 'trace becomes debug');
    log.child({ reqId: 'req-1' }).debug({ d: 4 }, 'child');
    expect(recording.lines.map((l) => [l.level, l.msg])).toEqual([
      ['info', 'plain message'],
      ['warn', 'with fields'],
      ['error', 'boom'],
      ['error', 'fatal becomes error'],
      ['debug', 'trace becomes debug'],
      ['debug', 'child'],
    ]);
    expect(recording.lines[2]?.fields.err).toBeInstanceOf(Error);
    expect(recording.lines[5]?.fields).toEqual({ reqId: 'req-1', d: 4 });
  });

  it('passes a Fastify-compatible logger through unchanged', () => {
    const fastifyLike = { ...createRecordingLogger(), level: 'info', fatal: () => {}, trace: () => {}, silent: () => {} };
    expect(toFastifyLogger(fastifyLike as never)).toBe(fastifyLike);
  });
});

describe('createRealDeps', () => {
  it('wires registry, OpenAI sessions with tools and the Coval exporter into one working call', async () => {
    const config = loadAgentConfig({ ...TEST_ENV, OPENAI_BASE_URL: 'http://llm.test/v1', COVAL_TRACES_URL: 'http://coval.test/v1/traces' });
    const llmRequests: unknown[] = [];
    const covalPosts: { headers: Headers; body: string }[] = [];
    const fakeFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = String(input instanceof Request ? input.url : input);
      if (url === 'http://llm.test/v1/chat/completions') {
        llmRequests.push(JSON.parse(String(init?.body)));
        const body = llmRequests.length === 1 ? toolCallSse('call_1', 'lookup_appointment', '{}') : spokenSse('You are booked for Monday.');
        return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
      }
      if (url === 'http://coval.test/v1/traces') {
        covalPosts.push({ headers: new Headers(init?.headers), body: String(init?.body) });
        return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
      }
      return new Response('unexpected', { status: 599 });
    };
    const clock = new ManualClock();
    const logger = createRecordingLogger();
    const deps = createRealDeps(config, {
      clock,
      random: createSeededRandom(1),
      ids: createSeededIds(createSeededRandom(2)),
      fetch: fakeFetch as typeof fetch,
      store: new MemoryRegistryStore(),
      logger,
    });
    const app = buildAgent(config, deps);
    onTestFinished(() => app.close());
    const origin = await app.listen({ port: 0, host: '127.0.0.1' });

    const registered = await fetch(`${origin}/register-simulation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': TEST_COVAL_KEY },
      body: JSON.stringify({ simulation_output_id: 'sim-real', from_number: '+15550100001' }),
    });
    expect(await registered.json()).toEqual({ status: 'ok', queued: 1 });

    const ws = await connectSocket(`${origin.replace('http', 'ws')}/ws`, { 'x-twilio-signature': twilioSignature(TEST_AUTH_TOKEN, 'wss://agent.example.com/ws') });
    onTestFinished(() => ws.terminate());
    const probe = probeSocket(ws);
    ws.send(JSON.stringify({ type: 'setup', sessionId: 'VX1', callSid: 'CA-real', from: '+15550100001', to: '+15550100999', accountSid: 'AC1' }));
    ws.send(JSON.stringify({ type: 'prompt', voicePrompt: 'When is my appointment?', lang: 'en-US', last: true }));
    await eventually('the last text token', () => probe.messages.some((m) => (JSON.parse(m) as { last?: boolean }).last === true), 5_000);
    expect(probe.messages.map((m) => (JSON.parse(m) as { token?: string }).token ?? '').join('')).toBe('You are booked for Monday.');
    expect(llmRequests).toHaveLength(2);

    ws.close(1000);
    await within(probe.closed, 5_000, 'the socket to close');
    await eventually('the trace POST', () => covalPosts.length === 1, 5_000);
    const post = covalPosts[0];
    expect(post?.headers.get('x-api-key')).toBe(TEST_COVAL_KEY);
    expect(post?.headers.get('x-simulation-id')).toBe('sim-real');
    const names = new Set(
      (JSON.parse(post?.body ?? '{}') as { resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[] }).resourceSpans.flatMap((r) =>
        r.scopeSpans.flatMap((s) => s.spans.map((span) => span.name)),
      ),
    );
    for (const name of ['conversation', 'stt', 'llm', 'tts', 'tool_call']) expect(names.has(name), name).toBe(true);
  });
});

describe('openRegistryStore', () => {
  it('keeps registrations in memory when REDIS_URL is unset', async () => {
    const store = await openRegistryStore(loadAgentConfig(TEST_ENV), { clock: new ManualClock() });
    expect(store).toBeInstanceOf(MemoryRegistryStore);
  });

  it('fails with AGENT_ERR_REGISTRY_UNAVAILABLE when REDIS_URL does not answer', async () => {
    const config = loadAgentConfig({ ...TEST_ENV, REDIS_URL: 'redis://127.0.0.1:1' });
    await expect(openRegistryStore(config, { clock: new ManualClock() })).rejects.toMatchObject({ code: 'AGENT_ERR_REGISTRY_UNAVAILABLE' });
  });
});

describe('two agents sharing one Redis', () => {
  it('see each other\'s registrations: registered on one, counted, refused as duplicate and claimed on the other', async () => {
    const server = await sharedRedisServer();
    const config = loadAgentConfig({ ...TEST_ENV, REDIS_URL: server.url, REDIS_KEY_PREFIX: freshKeyPrefix() });
    // Same wall-clock time, monotonic origins 1,000 s apart (two processes started at different
    // times): only epoch timestamps are comparable, and with Redis the registry uses those.
    const agents = await Promise.all(
      [1, 2].map(async (seed) => {
        const clock = new ManualClock({ startMs: seed * 1_000_000, epochBaseMs: Date.UTC(2026, 0, 1) - seed * 1_000_000 });
        const store = await openRegistryStore(config, { clock });
        expect(store).toBeInstanceOf(RedisRegistryStore);
        const deps = createRealDeps(config, {
          clock,
          random: createSeededRandom(seed),
          ids: createSeededIds(createSeededRandom(seed + 10)),
          fetch: (async () => new Response('unexpected', { status: 599 })) as typeof fetch,
          store,
          logger: createRecordingLogger(),
        });
        const app = buildAgent(config, deps);
        onTestFinished(async () => {
          await app.close();
          await deps.registry.close();
        });
        return { app, deps, clock };
      }),
    );
    const [one, two] = agents as [(typeof agents)[number], (typeof agents)[number]];
    const register = (app: typeof one.app, id: string) =>
      app.inject({
        method: 'POST',
        url: '/register-simulation',
        headers: { 'content-type': 'application/json', 'x-api-key': TEST_COVAL_KEY },
        payload: { simulation_output_id: id, from_number: '+15550100001' },
      });

    expect((await register(one.app, 'sim-shared')).json()).toEqual({ status: 'ok', queued: 1 });
    expect((await two.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok', openCalls: 0, pendingRegistrations: 1 });
    expect((await register(two.app, 'sim-shared')).json()).toEqual({ status: 'ok', queued: 1, duplicate: true });
    expect(await two.deps.registry.claim({ from: '+15550100001' })).toMatchObject({ status: 'claimed', simulationOutputId: 'sim-shared', matchedBy: 'caller-id', ageMs: 0 });
    expect((await one.app.inject({ method: 'GET', url: '/health' })).json()).toMatchObject({ pendingRegistrations: 0 });
  });

  it('answers 503 with the typed error when Redis is gone', async () => {
    const server = await startRedisServer();
    const config = loadAgentConfig({ ...TEST_ENV, REDIS_URL: server.url });
    const clock = new ManualClock();
    const store = await openRegistryStore(config, { clock });
    const deps = createRealDeps(config, {
      clock,
      random: createSeededRandom(1),
      ids: createSeededIds(createSeededRandom(2)),
      fetch: (async () => new Response('unexpected', { status: 599 })) as typeof fetch,
      store,
      logger: createRecordingLogger(),
    });
    const app = buildAgent(config, deps);
    onTestFinished(async () => {
      await app.close();
      await deps.registry.close();
    });
    await server.stop();
    const response = await app.inject({
      method: 'POST',
      url: '/register-simulation',
      headers: { 'content-type': 'application/json', 'x-api-key': TEST_COVAL_KEY },
      payload: { simulation_output_id: 'sim-lost' },
    });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ code: 'AGENT_ERR_REGISTRY_UNAVAILABLE' });
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(503);
  });
});
