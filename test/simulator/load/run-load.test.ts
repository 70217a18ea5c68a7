import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SimErrors } from '../../../simulator/core/errors.ts';
import { formatLoadReport } from '../../../simulator/load/load-report.ts';
import { runLoad } from '../../../simulator/load/run-load.ts';

const agentModuleUrl = pathToFileURL('agent/embed.ts').href;

describe('runLoad against the embedded reference agent', () => {
  it('completes 20 calls at concurrency 5 with every trace received and correlated', async () => {
    const progress: number[] = [];
    const result = await runLoad({
      target: { kind: 'embedded', moduleUrl: agentModuleUrl },
      concurrency: 5,
      calls: 20,
      warmupCalls: 2,
      rampMs: 20,
      sampleMs: 50,
      onProgress: (p) => progress.push(p.completed),
    });
    expect(result.ok).toBe(true);
    expect(result.calls).toMatchObject({ started: 20, completed: 20, failed: 0, shed: 0 });
    expect(result.calls.maxInFlight).toBeLessThanOrEqual(5);
    expect(result.settings).toMatchObject({ warmupCalls: 2, rampMs: 20, loop: 'closed' });
    expect(result.traces).toEqual({ received: 20, lost: 0, misCorrelated: 0, unidentified: 0, stray: 0 });
    expect(result.protocolErrors).toBe(0);
    // Every streamed chunk came back as exactly one text frame.
    expect(result.matching.unmatchedFrames).toBe(0);
    expect(result.matching.unmatchedChunks).toBe(0);
    expect(result.latency.agentAdded.count).toBe(result.matching.matched);
    expect(result.latency.agentAdded.count).toBeGreaterThan(20 * 2 * 5);
    expect(result.latency.promptToFirstFrame.count).toBe(40);
    expect(result.latency.hangUpToTrace.count).toBe(20);
    const a = result.latency.agentAdded;
    expect(a.p50).toBeLessThanOrEqual(a.p90);
    expect(a.p90).toBeLessThanOrEqual(a.p99);
    expect(a.p99).toBeLessThanOrEqual(a.max);
    expect(result.calls.perSecond).toBeGreaterThan(0);
    expect(result.agent).toMatchObject({ mode: 'embedded', sameProcess: true });
    expect(result.memory.agentRss).toBeUndefined();
    expect(result.memory.kitRss.maxBytes).toBeGreaterThan(0);
    expect(result.samples.length).toBeGreaterThanOrEqual(2);
    expect(result.samples.at(-1)?.calls).toBe(20);
    expect(result.notes.join(' ')).toContain('--spawn');
    expect(progress.length).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    expect(formatLoadReport(result)).toContain('PASS');
  }, 30_000);

  it('runs an open loop for a duration and counts calls shed at the concurrency cap', async () => {
    const result = await runLoad({ target: { kind: 'embedded', moduleUrl: agentModuleUrl }, concurrency: 1, durationMs: 300, rate: 40, prompts: 1 });
    expect(result.settings).toMatchObject({ loop: 'open', rate: 40, durationMs: 300, prompts: 1 });
    expect(result.calls.failed).toBe(0);
    expect(result.calls.started).toBeGreaterThan(0);
    expect(result.calls.started + result.calls.shed).toBeGreaterThanOrEqual(8);
    expect(result.calls.shed).toBeGreaterThan(0);
    expect(result.traces.lost + result.traces.misCorrelated).toBe(0);
  }, 30_000);

  it('refuses options that bound nothing', async () => {
    await expect(runLoad({ target: { kind: 'embedded', moduleUrl: agentModuleUrl }, concurrency: 0 })).rejects.toBeInstanceOf(SimErrors.SIM_ERR_LOAD_OPTIONS_INVALID);
  });
});
