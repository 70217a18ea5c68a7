import { describe, expect, it } from 'vitest';
import { SimErrors } from '../../../simulator/core/errors.ts';
import { ManualClock } from '../../../simulator/core/manual-clock.ts';
import { CLEAN_JSON, fakeCoval, JSON_HEADERS } from './coval-test-kit.ts';

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

function recordingFetch(status = 200, body = '{"status":"ok","queued":1}'): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    sent.push({ url: String(input), headers: init?.headers as Record<string, string>, body: JSON.parse(String(init?.body)) });
    return new Response(body, { status, headers: { 'content-type': 'application/json' } });
  };
  return { fetch: fn as typeof fetch, sent };
}

const URL_ = 'http://agent.test/register-simulation';

describe('fake Coval dialer', () => {
  it('POSTs each payload shape with the configured headers and records the answer', async () => {
    const { fetch, sent } = recordingFetch();
    const fake = fakeCoval({ fetch });
    const base = { registerUrl: URL_, fromNumber: '+15550100001', toNumber: '+15550100999', headers: { 'x-api-key': 'agent-key' } };
    await fake.dial({ ...base, simulationOutputId: 's1', payload: 'id' });
    await fake.dial({ ...base, simulationOutputId: 's2', payload: 'id+from' });
    const rec = await fake.dial({ ...base, simulationOutputId: 's3' });
    expect(sent.map((s) => s.body)).toEqual([
      { simulation_output_id: 's1' },
      { simulation_output_id: 's2', from_number: '+15550100001' },
      { simulation_output_id: 's3', from_number: '+15550100001', to_number: '+15550100999' },
    ]);
    expect(sent[0]?.headers).toEqual({ 'content-type': 'application/json', 'x-api-key': 'agent-key' });
    expect(rec).toMatchObject({ outcome: 'response', status: 200, body: { status: 'ok', queued: 1 }, url: URL_, simulationOutputId: 's3' });
    expect(fake.dials).toHaveLength(3);
  });

  it('marks the dialed id as issued, so the agent may export for it', async () => {
    const fake = fakeCoval({ fetch: recordingFetch().fetch });
    const headers = { ...JSON_HEADERS, 'x-simulation-id': 'dialed-1' };
    expect((await fake.app.inject({ method: 'POST', url: '/v1/traces', headers, payload: CLEAN_JSON })).statusCode).toBe(404);
    await fake.dial({ registerUrl: URL_, simulationOutputId: 'dialed-1' });
    expect((await fake.app.inject({ method: 'POST', url: '/v1/traces', headers, payload: CLEAN_JSON })).statusCode).toBe(200);
  });

  it('records non-2xx answers and network errors as values', async () => {
    const fake = fakeCoval({ fetch: recordingFetch(401, 'nope').fetch });
    expect(await fake.dial({ registerUrl: URL_, simulationOutputId: 'a' })).toMatchObject({ outcome: 'response', status: 401, bodyText: 'nope' });
    const failing = (async () => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
    }) as typeof fetch;
    expect(await fake.dial({ registerUrl: URL_, simulationOutputId: 'b', fetch: failing })).toMatchObject({ outcome: 'network-error', error: 'TypeError: fetch failed (connect ECONNREFUSED)' });
  });

  it('times out on the injected clock', async () => {
    const clock = new ManualClock();
    const hanging = ((_url: unknown, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))))) as typeof fetch;
    const fake = fakeCoval({ clock, fetch: hanging, dialTimeoutMs: 2000 });
    const pending = fake.dial({ registerUrl: URL_, simulationOutputId: 'slow' });
    clock.advance(2000);
    expect(await pending).toMatchObject({ outcome: 'timeout', durationMs: 2000 });
  });

  it('refuses bad dial configuration with SIM_ERR_COVAL_DIAL_INVALID and issues nothing', async () => {
    const fake = fakeCoval({ fetch: recordingFetch().fetch });
    await expect(fake.dial({ registerUrl: URL_, simulationOutputId: 'x', payload: 'id+from' })).rejects.toThrow(SimErrors.SIM_ERR_COVAL_DIAL_INVALID);
    expect(fake.store.isIssued('x')).toBe(false);
    await expect(fake.dial({ registerUrl: 'not a url', simulationOutputId: 'y' })).rejects.toThrow(/registerUrl is not a URL/);
    await expect(fakeCoval().dial({ registerUrl: URL_, simulationOutputId: 'z' })).rejects.toThrow(/no fetch/);
  });
});
