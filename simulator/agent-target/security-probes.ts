import type { Clock } from '../core/clock.ts';
import { createSeededIds } from '../core/ids.ts';
import { createSeededRandom } from '../core/random.ts';
import { sendPreCallWebhook } from '../coval/dialer.ts';
import type { ProbeRecord, ProbesRecord } from '../scenario/run-record.ts';
import { createInboundCall } from '../twilio/call-params.ts';
import { connectRelayClient } from '../twilio/relay-client.ts';
import type { SigningMode } from '../twilio/signed-form-request.ts';
import { postVoiceWebhook } from '../twilio/voice-webhook.ts';
import type { AgentHandle } from './agent-handle.ts';
import { publicUrlFetch } from './public-url-fetch.ts';

/** A caller number the runner never draws (seeded numbers are +1555 2000000–9999999). */
export const PROBE_CALLER = '+15550009999';
const PROBE_TIMEOUT_MS = 5_000;

/** Inputs of {@link runSecurityProbes}. */
export interface SecurityProbeOptions {
  readonly agent: AgentHandle;
  readonly clock: Clock;
  readonly fetch: typeof globalThis.fetch;
}

/** The probes' record, plus whether a probe left state in the agent (a wrong-key registration it accepted). */
export interface SecurityProbeResult {
  readonly record: ProbesRecord;
  readonly leftState: boolean;
}

function verdict(status: number): ProbeRecord['result'] {
  return status >= 400 && status < 500 ? 'refused' : status < 400 ? 'accepted' : 'error';
}

/**
 * The SEC probes (architecture §10), cheap enough to run once per started agent: the voice
 * webhook unsigned and wrongly signed, the relay handshake unsigned and wrongly signed (both only
 * when the runner knows the agent's Twilio token), and a registration with a wrong and with no key.
 */
export async function runSecurityProbes(options: SecurityProbeOptions): Promise<SecurityProbeResult> {
  const { agent, clock } = options;
  const fetch = publicUrlFetch(options.fetch, agent.publicUrl, agent.baseUrl);
  const ids = createSeededIds(createSeededRandom(0).derive('security-probes'));
  const results: ProbeRecord[] = [];
  const token = agent.twilioAuthToken;
  const webhookUrl = `${agent.publicUrl}${agent.paths.webhook}`;

  if (token !== undefined) {
    const webhook = (signing: SigningMode) =>
      postVoiceWebhook({ url: webhookUrl, authToken: token, call: createInboundCall(ids, { from: PROBE_CALLER }), fetch, clock, timeoutMs: PROBE_TIMEOUT_MS, signing });
    for (const [kind, signing] of [['webhook-unsigned', 'missing'], ['webhook-wrong-signature', 'wrong']] as const) {
      const result = await webhook(signing);
      const status = result.exchange.response?.status;
      results.push(
        status === undefined
          ? { kind, result: 'error', detail: `POST ${agent.paths.webhook} (${signing} signature): ${result.exchange.error?.message ?? 'no response'}` }
          : { kind, result: verdict(status), httpStatus: status, detail: `POST ${agent.paths.webhook} with ${signing === 'missing' ? 'no' : 'a wrong'} X-Twilio-Signature → HTTP ${status}` },
      );
    }
    const valid = await webhook('valid');
    for (const [kind, signing] of [['handshake-unsigned', 'missing'], ['handshake-wrong-signature', 'wrong']] as const) {
      if (!valid.ok) {
        results.push({ kind, result: 'error', detail: `no relay URL to probe: the signed voice webhook failed (${valid.failure.kind})` });
        continue;
      }
      const client = connectRelayClient({ url: valid.twiml.relay.url, authToken: token, clock, signing, connectTimeoutMs: PROBE_TIMEOUT_MS });
      const outcome = await client.connected;
      const path = new URL(valid.twiml.relay.url).pathname;
      if (outcome.status === 'open') {
        client.close(1000, 'probe');
        results.push({ kind, result: 'accepted', detail: `WebSocket ${path} with ${signing === 'missing' ? 'no' : 'a wrong'} X-Twilio-Signature was accepted (101)` });
      } else {
        const status = outcome.httpStatus;
        results.push({
          kind,
          result: status === undefined ? 'error' : verdict(status),
          ...(status === undefined ? {} : { httpStatus: status }),
          detail: `WebSocket ${path} with ${signing === 'missing' ? 'no' : 'a wrong'} X-Twilio-Signature → ${status === undefined ? outcome.reason : `HTTP ${status}`}`,
        });
      }
      await Promise.race([client.closed, new Promise((resolve) => clock.setTimer(PROBE_TIMEOUT_MS, () => resolve(undefined)))]);
    }
  }

  let leftState = false;
  for (const [kind, headers] of [
    ['registration-wrong-key', { 'x-api-key': `wrong-${agent.covalApiKey}` }],
    ['registration-missing-key', {}],
  ] as const) {
    const dial = await sendPreCallWebhook(
      { registerUrl: `${agent.baseUrl}${agent.paths.register}`, simulationOutputId: ids.simulationOutputId(), fromNumber: PROBE_CALLER, payload: 'id+from', headers },
      clock,
      options.fetch,
      PROBE_TIMEOUT_MS,
    );
    const what = `POST ${agent.paths.register} with ${kind === 'registration-wrong-key' ? 'a wrong' : 'no'} x-api-key`;
    if (dial.status === undefined) {
      results.push({ kind, result: 'error', detail: `${what}: ${dial.error ?? dial.outcome}` });
      continue;
    }
    const result = verdict(dial.status);
    if (result === 'accepted') leftState = true;
    results.push({ kind, result, httpStatus: dial.status, detail: `${what} → HTTP ${dial.status}` });
  }
  return { record: { signatureProbes: token !== undefined, results }, leftState };
}

/** `GET <health>` once: the agent still answers after a run (ROB-NEXT-CALL-WORKS evidence). */
export async function probeHealth(agent: AgentHandle, clock: Clock, fetch: typeof globalThis.fetch): Promise<{ status: number | null; detail: string }> {
  const controller = new AbortController();
  const timer = clock.setTimer(PROBE_TIMEOUT_MS, () => controller.abort());
  try {
    const response = await fetch(`${agent.baseUrl}${agent.paths.health}`, { signal: controller.signal });
    await response.body?.cancel();
    return { status: response.status, detail: `GET ${agent.paths.health} → HTTP ${response.status}` };
  } catch (error) {
    return { status: null, detail: `GET ${agent.paths.health} failed: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    timer.cancel();
  }
}
