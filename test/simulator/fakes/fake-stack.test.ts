import { describe, expect, it, onTestFinished } from 'vitest';
import { systemClock } from '../../../simulator/core/clock.ts';
import { createSeededRandom } from '../../../simulator/core/random.ts';
import { FAKE_CREDENTIALS, faultStep, startFakeStack } from '../../../simulator/fakes/fake-stack.ts';

async function stack() {
  const s = await startFakeStack({ clock: systemClock, fetch: globalThis.fetch });
  onTestFinished(() => s.close());
  return s;
}

const chat = (url: string, user: string) =>
  fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${FAKE_CREDENTIALS.openaiApiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: user }] }),
  }).then((r) => r.json() as Promise<{ id: string; choices: { message: { content: string } }[] }>);

const exportTo = (url: string, id: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': FAKE_CREDENTIALS.covalApiKey, 'x-simulation-id': id }, body: '{"resourceSpans":[]}' });

describe('FakeStack', () => {
  it('serves each run from fresh fakes on the same ports: history, script and ids start over', async () => {
    const s = await stack();
    const first = await s.beginRun({ random: createSeededRandom(1), script: [{ reply: { text: 'first script' } }], acceptUnknownIds: false, faults: [] });
    const a = await chat(s.openaiBaseUrl, 'hi');
    expect(a.choices[0]?.message.content).toBe('first script');
    await first.end();
    const second = await s.beginRun({ random: createSeededRandom(1), script: [{ reply: { text: 'second script' } }], acceptUnknownIds: false, faults: [] });
    const b = await chat(s.openaiBaseUrl, 'hi');
    expect(b.choices[0]?.message.content).toBe('second script');
    expect(b.id).toBe(a.id);
    expect(first.openai.openai.history.length).toBe(1);
    expect(second.openai.openai.history.calls().map((r) => r.seq)).toEqual([1]);
    await second.end();
  });

  it('answers 503 between runs and keeps those requests as strays', async () => {
    const s = await stack();
    const response = await exportTo(s.covalTracesUrl, 'late-sim');
    expect(response.status).toBe(503);
    expect(s.strays().coval).toEqual([{ method: 'POST', url: '/v1/traces', simulationId: 'late-sim' }]);
  });

  it('applies the scenario faults in order, a 2xx fault storing the batch and answering with its status', async () => {
    const s = await stack();
    const run = await s.beginRun({
      random: createSeededRandom(1),
      script: [],
      acceptUnknownIds: true,
      faults: [
        { kind: 'status', status: 503, retryAfterS: 1, delayMs: 0 },
        { kind: 'status', status: 202, delayMs: 0 },
      ],
    });
    const first = await exportTo(s.covalTracesUrl, 'sim-x');
    expect([first.status, first.headers.get('retry-after')]).toEqual([503, '1']);
    expect((await exportTo(s.covalTracesUrl, 'sim-x')).status).toBe(202);
    expect(run.coval.store.batches('sim-x')).toHaveLength(1);
    expect(run.coval.store.attempts().map((a) => [a.status, a.outcome])).toEqual([
      [503, 'fault-status'],
      [202, 'accepted'],
    ]);
    await run.end();
  });

  it('maps scenario faults onto fault-plan steps', () => {
    expect(faultStep({ kind: 'status', status: 429, retryAfterS: 2, delayMs: 5 })).toEqual({ kind: 'status', status: 429, retryAfter: 2, delayMs: 5 });
    expect(faultStep({ kind: 'status', status: 202, delayMs: 0 })).toEqual({ kind: 'status', status: 202, delayMs: 0 });
    expect(faultStep({ kind: 'reset', delayMs: 50 })).toEqual({ kind: 'reset', delayMs: 50 });
    expect(faultStep({ kind: 'pass', delayMs: 9 })).toEqual({ kind: 'pass', delayMs: 9 });
  });
});
