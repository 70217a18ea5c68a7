import { describe, expect, it, onTestFinished } from 'vitest';
import { buildTestAgent, TEST_COVAL_KEY } from '../../support/agent-fakes.ts';

describe('GET /health', () => {
  it('reports ok with open calls and live registrations', async () => {
    const { app } = buildTestAgent();
    onTestFinished(() => app.close());
    await app.inject({ method: 'POST', url: '/register-simulation', headers: { 'x-api-key': TEST_COVAL_KEY }, payload: { simulation_output_id: 'sim-1' } });
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', openCalls: 0, pendingRegistrations: 1 });
  });

  it('stops counting registrations once they expire', async () => {
    const { app, clock } = buildTestAgent({ SIMULATION_TTL_SECONDS: '5' });
    onTestFinished(() => app.close());
    await app.inject({ method: 'POST', url: '/register-simulation', headers: { 'x-api-key': TEST_COVAL_KEY }, payload: { simulation_output_id: 'sim-1' } });
    clock.advance(5_001);
    expect((await app.inject({ method: 'GET', url: '/health' })).json().pendingRegistrations).toBe(0);
  });

  it('reports draining with 503 after stopAccepting', async () => {
    const { app } = buildTestAgent();
    onTestFinished(() => app.close());
    app.agent.stopAccepting();
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'draining', openCalls: 0, pendingRegistrations: 0 });
  });
});
