import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createAgentTarget } from '../../../simulator/agent-target/agent-target.ts';
import { findFreePort } from '../../../simulator/agent-target/free-port.ts';
import { createSeededRandom } from '../../../simulator/core/random.ts';
import { parseScenario } from '../../../simulator/scenario/load-scenario.ts';
import { arrivalOrderOf, planCalls, runScenario, scenarioRandom } from '../../../simulator/scenario/run-scenario.ts';

const NODE = fileURLToPath(new URL('../../../node_modules/.bin/node', import.meta.url));
const EMBED = pathToFileURL(fileURLToPath(new URL('../../../agent/embed.ts', import.meta.url))).href;

const ONE_CALL = parseScenario(
  `id: one-call
title: One call
caller:
  - say: "Hello?"
  - waitForReply: { timeoutMs: 3000 }
`,
  'one-call.yaml',
);

const TWO_CALLS = parseScenario(
  `id: two-calls
title: Two calls, reverse arrival
llm:
  - when: { user: "I am A." }
    reply: { text: "Hello A." }
  - when: { user: "I am B." }
    reply: { text: "Hello B." }
calls:
  - name: a
    caller: [ { say: "I am A." }, { waitForReply: {} } ]
  - name: b
    caller: [ { say: "I am B." }, { waitForReply: {} } ]
arrival: reverse
expect:
  replyContains: ["Hello A.", "Hello B."]
  export: { spans: { conversation: 1 } }
`,
  'two-calls.yaml',
);

describe('seeded planning', () => {
  it('derives every call id from the seed, one stream per call', () => {
    const first = planCalls(TWO_CALLS, scenarioRandom(TWO_CALLS, 5));
    const again = planCalls(TWO_CALLS, scenarioRandom(TWO_CALLS, 5));
    const other = planCalls(TWO_CALLS, scenarioRandom(TWO_CALLS, 6));
    expect(again.map((p) => [p.call, p.simulationOutputId])).toEqual(first.map((p) => [p.call, p.simulationOutputId]));
    expect(other[0]?.simulationOutputId).not.toBe(first[0]?.simulationOutputId);
    expect(first[0]?.call.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(first[0]?.call.from).toMatch(/^\+1555\d{7}$/);
    expect(first[0]?.call.to).toBe('+15550100999');
    expect(new Set(first.map((p) => p.simulationOutputId)).size).toBe(2);
    // A call's ids do not depend on how many calls come before it.
    const single = planCalls({ ...TWO_CALLS, calls: [TWO_CALLS.calls[0] as (typeof TWO_CALLS.calls)[number]] }, scenarioRandom(TWO_CALLS, 5));
    expect(single[0]?.simulationOutputId).toBe(first[0]?.simulationOutputId);
  });

  it('a seeded shuffle is a permutation that follows the seed', () => {
    const shuffled = { ...TWO_CALLS, calls: Array.from({ length: 6 }, (_, i) => ({ ...(TWO_CALLS.calls[0] as (typeof TWO_CALLS.calls)[number]), index: i })), arrival: { kind: 'seeded-shuffle' as const } };
    const orders = [1, 2, 3, 4, 5].map((seed) => arrivalOrderOf(shuffled, createSeededRandom(seed)));
    for (const order of orders) expect([...order].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(arrivalOrderOf(shuffled, createSeededRandom(1))).toEqual(orders[0]);
    expect(new Set(orders.map((o) => o.join())).size).toBeGreaterThan(1);
    expect(arrivalOrderOf(TWO_CALLS, createSeededRandom(1))).toEqual([1, 0]);
  });
});

describe('runScenario', () => {
  it('lets calls arrive in the arrival order and attributes LLM requests to their calls', async () => {
    const target = createAgentTarget({ kind: 'embedded', moduleUrl: EMBED }, { probes: false });
    onTestFinished(() => target.close());
    const record = await runScenario(TWO_CALLS, { seed: 3, target });
    expect(record.outcome).toEqual({ status: 'completed' });
    expect(record.arrivalOrder).toEqual([1, 0]);
    const [a, b] = record.calls;
    expect([a?.arrivalPosition, b?.arrivalPosition]).toEqual([1, 0]);
    // Registered a then b; arrived b then a.
    expect((a?.registration.dials[0]?.sentAtMs ?? 0) < (b?.registration.dials[0]?.sentAtMs ?? 0)).toBe(true);
    expect((b?.relay?.frames[0]?.at ?? Infinity) < (a?.relay?.frames[0]?.at ?? -Infinity)).toBe(true);
    expect(record.expectations.every((e) => e.pass)).toBe(true);
    const byUser = (seqs: readonly number[]) => seqs.map((s) => JSON.stringify(record.llm.requests.find((r) => r.seq === s)?.body));
    expect(byUser(a?.llmRequestSeqs ?? []).every((body) => body.includes('I am A.') && !body.includes('I am B.'))).toBe(true);
    expect(byUser(b?.llmRequestSeqs ?? []).every((body) => body.includes('I am B.'))).toBe(true);
    expect(a?.export.status).toBe('received');
    expect(record.coval.batches.map((batch) => batch.simulationId).sort()).toEqual([a?.simulationOutputId, b?.simulationOutputId].sort());
    expect(record.replay).toBe('relaysim run two-calls.yaml --seed 3');
    expect(record.agent.paths).toEqual({ webhook: '/webhook', register: '/register-simulation', ws: '/ws' });
  }, 30_000);

  it('passes twilio.greetingMs to the fake Twilio: the greeting plays exactly that long', async () => {
    const target = createAgentTarget({ kind: 'embedded', moduleUrl: EMBED }, { probes: false });
    onTestFinished(() => target.close());
    const scenario = parseScenario(
      `id: long-greeting
title: A greeting that plays 900 ms
twilio: { greetingMs: 900 }
caller:
  - waitForGreeting: {}
  - hangUp: {}
`,
      'long-greeting.yaml',
    );
    const record = await runScenario(scenario, { seed: 2, target });
    expect(record.outcome).toEqual({ status: 'completed' });
    const greeting = record.calls[0]?.relay?.talkCycles[0];
    // Real-clock start times are fractional, so the sums are exact only up to rounding.
    expect(greeting).toMatchObject({ kind: 'greeting', status: 'played' });
    expect(greeting?.playedMs).toBeCloseTo(900, 6);
    expect((greeting?.endedAt ?? 0) - (greeting?.startedAt ?? 0)).toBeCloseTo(900, 6);
    expect(greeting?.spokenText).toBe(greeting?.text);
    expect(record.events.some((e) => /greetingMs/.test(e.message))).toBe(false);
  }, 30_000);

  it('a url target skips a scenario that needs an agent env', async () => {
    const target = createAgentTarget({ kind: 'url', baseUrl: 'http://127.0.0.1:9' }, { probes: false });
    onTestFinished(() => target.close());
    const record = await runScenario({ ...ONE_CALL, agent: { env: { SIMULATION_TTL_SECONDS: '2' } } }, { seed: 1, target });
    expect(record.outcome.status).toBe('skipped');
    expect(record.outcome.reason).toMatch(/SIMULATION_TTL_SECONDS/);
    expect(record.calls[0]?.steps.every((s) => s.outcome === 'skipped')).toBe(true);
  });

  it('an unreachable agent gives an error record at once', async () => {
    const port = await findFreePort();
    const target = createAgentTarget({ kind: 'url', baseUrl: `http://127.0.0.1:${port}` }, { probes: false });
    onTestFinished(() => target.close());
    const record = await runScenario(ONE_CALL, { seed: 1, target });
    expect(record.outcome).toMatchObject({ status: 'error', code: 'SIM_ERR_AGENT_UNREACHABLE' });
    expect(record.calls[0]?.registration.dials[0]?.outcome).toBe('network-error');
    expect(record.calls[0]?.webhook?.failure?.kind).toBe('network');
  });

  it('an agent that dies mid-call gives an error record quickly, with its exit and output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaysim-dying-'));
    const script = join(dir, 'dying.mjs');
    writeFileSync(
      script,
      `import { createServer } from 'node:http';
createServer((req, res) => {
  if (req.url === '/health') { res.end('ok'); return; }
  if (req.url === '/register-simulation') { res.setHeader('content-type', 'application/json'); res.end('{"status":"ok"}'); return; }
  console.error('crashing on ' + req.url); process.exit(7);
}).listen(Number(process.env.PORT), '127.0.0.1');`,
    );
    const target = createAgentTarget({ kind: 'spawn', command: `"${NODE}" "${script}"` }, { probes: false });
    onTestFinished(() => target.close());
    const record = await runScenario(ONE_CALL, { seed: 1, target, timeouts: { webhookMs: 20_000 } });
    expect(record.outcome).toMatchObject({ status: 'error', code: 'SIM_ERR_AGENT_EXITED' });
    expect(record.outcome.reason).toMatch(/exited \(code 7/);
    expect(record.agent.process?.exit?.code).toBe(7);
    expect(record.agent.process?.stderrTail).toContain('crashing on /webhook');
    expect(record.endedAtMs - record.startedAtMs).toBeLessThan(10_000);
    expect(record.events.some((e) => e.kind === 'agent-exit')).toBe(true);
  }, 30_000);
});
