/**
 * The library's barge-in scenario against the reference agent: the `interrupt` the fake Twilio
 * sends carries, as `utteranceUntilInterrupt`, exactly the prefix of the agent's streamed text that
 * the playback model had spoken by then (speechRate characters per second of audio played).
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createAgentTarget } from '../../simulator/agent-target/agent-target.ts';
import { loadScenarioFile } from '../../simulator/scenario/load-scenario.ts';
import { runScenario } from '../../simulator/scenario/run-scenario.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('barge-in-mid-answer', () => {
  it('interrupts with exactly the text spoken so far under the playback model', async () => {
    const scenario = await loadScenarioFile(`${ROOT}scenarios/barge-in-mid-answer.yaml`);
    const target = createAgentTarget({ kind: 'embedded', moduleUrl: pathToFileURL(`${ROOT}agent/embed.ts`).href });
    onTestFinished(() => target.close());
    const record = await runScenario(scenario, { seed: 11, target });
    const frames = record.calls[0]?.relay?.frames ?? [];
    const interrupt = frames.find((f) => f.dir === 'out' && (f.parsed as { type?: string } | undefined)?.type === 'interrupt');
    expect(interrupt, 'the caller barged in').toBeDefined();
    const { utteranceUntilInterrupt, durationUntilInterruptMs } = interrupt?.parsed as { utteranceUntilInterrupt: string; durationUntilInterruptMs: number };
    // Everything the agent had streamed in this cycle before the interrupt went out.
    const streamed = frames
      .filter((f) => f.dir === 'in' && f.index < (interrupt?.index ?? 0) && (f.parsed as { type?: string } | undefined)?.type === 'text')
      .map((f) => (f.parsed as { token: string }).token)
      .join('');
    expect(streamed.length).toBeGreaterThan(utteranceUntilInterrupt.length);
    expect(streamed.startsWith(utteranceUntilInterrupt)).toBe(true);
    expect(durationUntilInterruptMs).toBeGreaterThanOrEqual(1_000);
    expect(utteranceUntilInterrupt.length).toBe(Math.floor((scenario.twilio.speechRate * durationUntilInterruptMs) / 1000));
  }, 60_000);
});
