import { describe, expect, it, onTestFinished } from 'vitest';
import { buildAgent } from '../../agent/app.ts';
import { loadAgentConfig } from '../../agent/config.ts';
import { createRealDeps, toFastifyLogger } from '../../agent/deps.ts';
import { createSeededIds } from '../../agent/platform/ids.ts';
import { createRecordingLogger } from '../../agent/platform/logger.ts';
import { ManualClock } from '../../agent/platform/manual-clock.ts';
import { createSeededRandom } from '../../agent/platform/random.ts';
import { MemoryRegistryStore } from '../../agent/registry/memory-store.ts';
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
