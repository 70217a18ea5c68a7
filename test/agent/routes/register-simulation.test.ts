import { describe, expect, it, onTestFinished } from 'vitest';
import { AgentErrors } from '../../../agent/errors.ts';
import { buildTestAgent, TEST_COVAL_KEY } from '../../support/agent-fakes.ts';

async function agent(env: Record<string, string | undefined> = {}) {
  const built = buildTestAgent(env);
  onTestFinished(() => built.app.close());
  await built.app.ready();
  return built;
}

function register(body: unknown, key: string | null = TEST_COVAL_KEY) {
  return {
    method: 'POST' as const,
    url: '/register-simulation',
    headers: { 'content-type': 'application/json', ...(key === null ? {} : { 'x-api-key': key }) },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

describe('POST /register-simulation', () => {
  it('queues a simulation id and replies {"status":"ok","queued":N}', async () => {
    const { app, registry } = await agent();
    const first = await app.inject(register({ simulation_output_id: 'sim-1', from_number: '+15550100001', to_number: '+15550100999' }));
    const second = await app.inject(register({ simulation_output_id: 'sim-2' }));
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ status: 'ok', queued: 1 });
    expect(second.json()).toEqual({ status: 'ok', queued: 2 });
    expect(await registry.claim({ from: '+15550100001' })).toMatchObject({ status: 'claimed', simulationOutputId: 'sim-1', matchedBy: 'caller-id' });
  });

  it('logs the registration with its simulation id', async () => {
    const { app, lines } = await agent();
    await app.inject(register({ simulation_output_id: 'sim-log', from_number: '+15550100001' }));
    expect(lines.find((l) => l.msg === 'simulation registered')?.fields).toMatchObject({ simulationOutputId: 'sim-log', fromNumber: '+15550100001', queued: 1 });
  });

  it('answers 401 without an x-api-key header', async () => {
    const { app, registry } = await agent();
    const res = await app.inject(register({ simulation_output_id: 'sim-1' }, null));
    expect(res.statusCode).toBe(401);
    expect(await registry.pending()).toBe(0);
  });

  it.each([
    ['a wrong key of the same length', TEST_COVAL_KEY.replace(/.$/, 'X')],
    ['a prefix of the key', TEST_COVAL_KEY.slice(0, -1)],
    ['the key with a suffix', `${TEST_COVAL_KEY}x`],
  ])('answers 401 for %s', async (_label, key) => {
    const { app, registry } = await agent();
    const res = await app.inject(register({ simulation_output_id: 'sim-1' }, key));
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toBe('Invalid API key');
    expect(await registry.pending()).toBe(0);
  });

  it('checks the key before the body, so a bad key with a bad body is still 401', async () => {
    const { app } = await agent();
    const res = await app.inject(register('{not json', 'wrong'));
    expect(res.statusCode).toBe(401);
  });

  it('answers 401 to every key when COVAL_API_KEY is not configured, saying so', async () => {
    const { app, lines } = await agent({ COVAL_API_KEY: undefined });
    const res = await app.inject(register({ simulation_output_id: 'sim-1' }, ''));
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toContain('COVAL_API_KEY is not set');
    expect(lines.some((l) => l.level === 'warn' && l.msg?.includes('COVAL_API_KEY is not set'))).toBe(true);
  });

  it.each([
    ['no simulation_output_id', {}, 'simulation_output_id'],
    ['a numeric simulation_output_id', { simulation_output_id: 42 }, 'simulation_output_id'],
    ['an empty simulation_output_id', { simulation_output_id: '' }, 'simulation_output_id'],
    ['a numeric from_number', { simulation_output_id: 'sim-1', from_number: 15550100001 }, 'from_number'],
    ['an array body', [], 'body'],
  ])('answers 400 naming the field for %s', async (_label, body, field) => {
    const { app, registry } = await agent();
    const res = await app.inject(register(body));
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain(field);
    expect(await registry.pending()).toBe(0);
  });

  it('answers 400 for a blank simulation id the registry refuses', async () => {
    const { app } = await agent();
    const res = await app.inject(register({ simulation_output_id: '   ' }));
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe('Invalid registration: simulation_output_id must not be empty');
  });

  it('answers 400 for malformed JSON', async () => {
    const { app } = await agent();
    expect((await app.inject(register('{"simulation_output_id":'))).statusCode).toBe(400);
  });

  it('accepts null phone numbers and ignores unknown fields', async () => {
    const { app } = await agent();
    const res = await app.inject(register({ simulation_output_id: 'sim-1', from_number: null, to_number: null, extra: { nested: true } }));
    expect(res.json()).toEqual({ status: 'ok', queued: 1 });
  });

  it('ignores a duplicate id with 200, saying duplicate', async () => {
    const { app, registry } = await agent();
    await app.inject(register({ simulation_output_id: 'sim-1' }));
    const res = await app.inject(register({ simulation_output_id: 'sim-1' }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', queued: 1, duplicate: true });
    expect(await registry.pending()).toBe(1);
  });

  it('refuses with 503 and Retry-After when MAX_PENDING_SIMULATIONS are pending', async () => {
    const { app, lines } = await agent({ MAX_PENDING_SIMULATIONS: '2' });
    await app.inject(register({ simulation_output_id: 'sim-1' }));
    await app.inject(register({ simulation_output_id: 'sim-2' }));
    const res = await app.inject(register({ simulation_output_id: 'sim-3' }));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json().message).toContain('2 of 2');
    expect(lines.find((l) => l.msg?.startsWith('registration refused: registry full'))?.fields.simulationOutputId).toBe('sim-3');
  });

  it('accepts again once a pending registration expired', async () => {
    const { app, clock } = await agent({ MAX_PENDING_SIMULATIONS: '1', SIMULATION_TTL_SECONDS: '10' });
    await app.inject(register({ simulation_output_id: 'sim-1' }));
    clock.advance(10_001);
    const res = await app.inject(register({ simulation_output_id: 'sim-2' }));
    expect(res.json()).toEqual({ status: 'ok', queued: 1 });
  });

  it('refuses a body over 16 KiB with 413', async () => {
    const { app } = await agent();
    const res = await app.inject(register({ simulation_output_id: 'sim-1', padding: 'x'.repeat(16 * 1024) }));
    expect(res.statusCode).toBe(413);
  });

  it('answers 503 once the agent stopped accepting', async () => {
    const { app, registry } = await agent();
    app.agent.stopAccepting();
    const res = await app.inject(register({ simulation_output_id: 'sim-1' }));
    expect(res.statusCode).toBe(503);
    expect(await registry.pending()).toBe(0);
  });

  it('answers 503 with Retry-After and logs the id when the registry store is unavailable', async () => {
    const { app, registry, lines } = await agent();
    registry.register = async () => {
      throw new AgentErrors.AGENT_ERR_REGISTRY_UNAVAILABLE('redis is down');
    };
    const res = await app.inject(register({ simulation_output_id: 'sim-down' }));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(lines.find((l) => l.msg === 'registration refused: the registry store is unavailable')?.fields.simulationOutputId).toBe('sim-down');
  });
});
