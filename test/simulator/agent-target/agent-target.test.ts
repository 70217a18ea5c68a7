import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type AgentLease, type AgentTarget, createAgentTarget, isSkipped } from '../../../simulator/agent-target/agent-target.ts';
import { FAKE_CREDENTIALS } from '../../../simulator/fakes/fake-stack.ts';

const EMBED = pathToFileURL(fileURLToPath(new URL('../../../agent/embed.ts', import.meta.url))).href;

function embedded(options: Parameters<typeof createAgentTarget>[1] = {}): AgentTarget {
  const target = createAgentTarget({ kind: 'embedded', moduleUrl: EMBED }, options);
  onTestFinished(() => target.close());
  return target;
}

async function lease(target: AgentTarget, env: Record<string, string> = {}, simulationIds: string[] = []): Promise<AgentLease> {
  const result = await target.lease({ env, simulationIds });
  if (isSkipped(result)) throw new Error(`unexpected skip: ${result.skipped}`);
  return result;
}

async function health(lease: AgentLease): Promise<number | string> {
  return fetch(`${lease.agent.baseUrl}/health`).then(
    (r) => r.status,
    (e: Error) => e.message,
  );
}

describe('embedded agent target', () => {
  it('starts the module given by URL, wired to its own fakes, with a public https URL on its port', async () => {
    const target = embedded({ probes: false });
    const held = await lease(target, { WELCOME_GREETING: 'Hi there' });
    const port = new URL(held.agent.baseUrl).port;
    expect(held.agent.publicUrl).toBe(`https://127.0.0.1:${port}`);
    expect(held.agent.env).toMatchObject({
      PORT: port,
      PUBLIC_URL: `https://127.0.0.1:${port}`,
      OPENAI_BASE_URL: held.stack.openaiBaseUrl,
      COVAL_TRACES_URL: held.stack.covalTracesUrl,
      TWILIO_AUTH_TOKEN: FAKE_CREDENTIALS.twilioAuthToken,
      WELCOME_GREETING: 'Hi there',
    });
    expect(held.agent.twilioAuthToken).toBe(FAKE_CREDENTIALS.twilioAuthToken);
    expect(await health(held)).toBe(200);
    await held.release({ reusable: true });
  });

  it('reuses an agent for the same env and fresh simulation ids, and starts another otherwise', async () => {
    const target = embedded({ probes: false });
    const first = await lease(target, {}, ['sim-a']);
    const concurrent = await lease(target, {}, ['sim-b']);
    expect(concurrent.instance.id).not.toBe(first.instance.id);
    await first.release({ reusable: true });
    const again = await lease(target, {}, ['sim-c']);
    expect(again.instance).toEqual({ id: first.instance.id, runsBefore: 1 });
    await again.release({ reusable: true });
    const seen = await lease(target, {}, ['sim-a']);
    expect([first.instance.id, concurrent.instance.id]).not.toContain(seen.instance.id);
    const otherEnv = await lease(target, { SIMULATION_TTL_SECONDS: '5' }, ['sim-d']);
    expect(otherEnv.instance.id).not.toBe(first.instance.id);
    await Promise.all([concurrent.release({ reusable: true }), seen.release({ reusable: true }), otherEnv.release({ reusable: true })]);
  });

  it('stops an agent released as not reusable', async () => {
    const target = embedded({ probes: false });
    const held = await lease(target);
    expect(await health(held)).toBe(200);
    await held.release({ reusable: false });
    expect(await health(held)).toMatch(/fetch failed/);
    const next = await lease(target);
    expect(next.instance.id).not.toBe(held.instance.id);
  });

  it('runs the SEC probes once per env: the reference agent refuses every one', async () => {
    const target = embedded();
    const held = await lease(target);
    expect(held.probes?.signatureProbes).toBe(true);
    expect(held.probes?.results.map((r) => [r.kind, r.result, r.httpStatus])).toEqual([
      ['webhook-unsigned', 'refused', 403],
      ['webhook-wrong-signature', 'refused', 403],
      ['handshake-unsigned', 'refused', 403],
      ['handshake-wrong-signature', 'refused', 403],
      ['registration-wrong-key', 'refused', 401],
      ['registration-missing-key', 'refused', 401],
    ]);
    const unsigned = await lease(target, { TWILIO_AUTH_TOKEN: ' ' });
    expect(unsigned.agent.twilioAuthToken).toBeUndefined();
    expect(unsigned.probes?.signatureProbes).toBe(false);
    expect(unsigned.probes?.results.map((r) => r.kind)).toEqual(['registration-wrong-key', 'registration-missing-key']);
  });

  it('reports a module without startEmbeddedAgent, and an agent that refuses its env', async () => {
    const bad = createAgentTarget({ kind: 'embedded', moduleUrl: 'data:text/javascript,export const nothing = 1;' }, { probes: false });
    onTestFinished(() => bad.close());
    await expect(bad.lease({ env: {}, simulationIds: [] })).rejects.toMatchObject({ code: 'SIM_ERR_AGENT_MODULE_INVALID' });
    const target = embedded({ probes: false });
    await expect(target.lease({ env: { SIMULATION_TTL_SECONDS: 'soon' }, simulationIds: [] })).rejects.toThrow(/SIMULATION_TTL_SECONDS must be an integer/);
  });

  it('refuses an empty module URL or command', () => {
    expect(() => createAgentTarget({ kind: 'embedded', moduleUrl: '' })).toThrow(/module URL/);
    expect(() => createAgentTarget({ kind: 'spawn', command: ' ' })).toThrow(/needs a command/);
  });
});

describe('url agent target', () => {
  it('skips a scenario that needs an env, names the variables, and gives the env to start the agent with', async () => {
    const target = createAgentTarget({ kind: 'url', baseUrl: 'http://127.0.0.1:9' }, { probes: false });
    onTestFinished(() => target.close());
    const skipped = await target.lease({ env: { SIMULATION_TTL_SECONDS: '2' }, simulationIds: [] });
    expect(isSkipped(skipped) && skipped.skipped).toMatch(/SIMULATION_TTL_SECONDS/);
    const env = await target.fakeEnv();
    expect(env).toEqual({
      OPENAI_BASE_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/v1$/),
      OPENAI_API_KEY: FAKE_CREDENTIALS.openaiApiKey,
      COVAL_TRACES_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/v1\/traces$/),
      COVAL_API_KEY: FAKE_CREDENTIALS.covalApiKey,
      TWILIO_AUTH_TOKEN: FAKE_CREDENTIALS.twilioAuthToken,
    });
    const held = await target.lease({ env: {}, simulationIds: [] });
    if (isSkipped(held)) throw new Error('skipped');
    expect(held.agent).toMatchObject({ mode: 'url', baseUrl: 'http://127.0.0.1:9', publicUrl: 'https://127.0.0.1:9' });
    let second = false;
    const next = target.lease({ env: {}, simulationIds: [] }).then((l) => {
      second = true;
      return l;
    });
    await Promise.resolve();
    expect(second).toBe(false);
    await held.release({ reusable: true });
    const l2 = await next;
    expect(!isSkipped(l2) && l2.instance.runsBefore).toBe(1);
  });
});
