/**
 * The runner's export wait against Coval's non-retryable answers (scenario coval-400-no-retry):
 * it stops soon after an unretried 400, and still records a wrong retry that comes within the
 * settle period, so OTLP-RETRY-ONLY-RETRYABLE can catch it.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createAgentTarget } from '../../../simulator/agent-target/agent-target.ts';
import { evaluateRecord } from '../../../simulator/checks/evaluate-checks.ts';
import { loadScenarioFile } from '../../../simulator/scenario/load-scenario.ts';
import { DEFAULT_RUNNER_TIMEOUTS, runScenario } from '../../../simulator/scenario/run-scenario.ts';
import { RETRY_400_AFTER_ENV } from '../../support/retrying-export-embed.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCENARIO = await loadScenarioFile(`${ROOT}scenarios/coval-400-no-retry.yaml`);
const SETTLE = DEFAULT_RUNNER_TIMEOUTS.exportRejectionSettleMs;

function retryCheck(record: Parameters<typeof evaluateRecord>[0]) {
  return evaluateRecord(record).find((r) => r.checkId === 'OTLP-RETRY-ONLY-RETRYABLE');
}

describe('export wait after a non-retryable answer', () => {
  it('stops after the settle period when the agent does not retry, recording why', async () => {
    const target = createAgentTarget({ kind: 'embedded', moduleUrl: pathToFileURL(`${ROOT}agent/embed.ts`).href }, { probes: false });
    onTestFinished(() => target.close());
    const record = await runScenario(SCENARIO, { seed: 7, target });
    expect(record.outcome).toEqual({ status: 'completed' });
    const call = record.calls[0];
    expect(call?.export).toMatchObject({ expected: true, status: 'missing', rejected: { status: 400, settleMs: SETTLE } });
    expect(call?.export.waitedMs).toBeGreaterThanOrEqual(SETTLE);
    expect(call?.export.waitedMs).toBeLessThan(DEFAULT_RUNNER_TIMEOUTS.exportDeadlineMs / 2);
    expect(record.coval.attempts.map((a) => a.status)).toEqual([400]);
    expect(record.events.some((e) => e.kind === 'export' && /non-retryable 400/.test(e.message))).toBe(true);
    expect(retryCheck(record)?.outcome).toBe('pass');
  }, 30_000);

  it('a wrong retry one second later lands in the record and fails OTLP-RETRY-ONLY-RETRYABLE', async () => {
    const target = createAgentTarget({ kind: 'embedded', moduleUrl: pathToFileURL(`${ROOT}test/support/retrying-export-embed.ts`).href }, { probes: false });
    onTestFinished(() => target.close());
    const record = await runScenario({ ...SCENARIO, agent: { env: { [RETRY_400_AFTER_ENV]: '1' } } }, { seed: 7, target });
    expect(record.outcome).toEqual({ status: 'completed' });
    expect(record.coval.attempts.map((a) => [a.status, a.outcome])).toEqual([
      [400, 'fault-status'],
      [200, 'accepted'],
    ]);
    expect(record.calls[0]?.export.status).toBe('received');
    const check = retryCheck(record);
    expect(check?.outcome).toBe('fail');
    expect(check?.message).toMatch(/re-sent after an answer that forbids retrying/);
  }, 30_000);
});
