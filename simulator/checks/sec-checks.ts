/**
 * SEC-*: security (architecture §10). Judged from the runner's probes (unsigned and wrongly signed
 * webhook and handshake, registration without a valid key) and from calls a scenario sent with a
 * bad signature or key on purpose.
 */
import type { ProbeKind, ProbeRecord, RunRecord } from '../scenario/run-record.ts';
import type { CheckVerdict, Evidence } from './check-result.ts';
import { dialLabel } from './registration-view.ts';
import { evidence, listOf, verdictsFor, type CheckEvaluator } from './verdicts.ts';

function probeEvidence(p: ProbeRecord): Evidence {
  return evidence('probe', undefined, p.kind, `${p.kind}: ${p.result}${p.httpStatus === undefined ? '' : ` (HTTP ${p.httpStatus})`} ${p.detail}`.trim());
}

/** Judges the probes of `kinds` plus extra evidence from the scenario's own calls. */
function probeCheck(
  checkId: string,
  kinds: readonly ProbeKind[],
  needsToken: boolean,
  fromCalls: (record: RunRecord) => { ok: Evidence[]; bad: Evidence[] },
): CheckEvaluator {
  return (record): CheckVerdict[] => {
    const v = verdictsFor(checkId);
    if (needsToken && !record.agent.signing.twilioAuthToken) {
      return [v.skip(undefined, 'the runner does not know the agent’s Twilio auth token, so signatures cannot be probed')];
    }
    const calls = fromCalls(record);
    const probes = record.probes;
    const ran = probes !== undefined && (!needsToken || probes.signatureProbes);
    const results = ran ? probes.results.filter((p) => kinds.includes(p.kind)) : [];
    const accepted = results.filter((p) => p.result !== 'refused');
    const bad = [...accepted.map(probeEvidence), ...calls.bad];
    const good = [...results.filter((p) => p.result === 'refused').map(probeEvidence), ...calls.ok];
    if (bad.length > 0) return [v.violated(undefined, `${bad.length} request(s) that must be refused were not: ${listOf(accepted.map((p) => `${p.kind} ${p.result}`))}`, [...bad, ...good])];
    if (good.length === 0) return [v.skip(undefined, ran ? `no ${listOf([...kinds])} probe was recorded` : 'no security probes in this record (they run once per agent environment)')];
    const absent = ran ? kinds.filter((k) => !results.some((p) => p.kind === k)) : [];
    return [v.pass(undefined, `${good.length} bad request(s) refused${absent.length > 0 ? ` (not probed: ${listOf(absent)})` : ''}`, good)];
  };
}

const webhookSignature = probeCheck('SEC-WEBHOOK-SIGNATURE', ['webhook-unsigned', 'webhook-wrong-signature'], true, (record) => {
  const ok: Evidence[] = [];
  const bad: Evidence[] = [];
  if (record.scenario.twilio.signWebhook === 'valid') return { ok, bad };
  for (const call of record.calls) {
    const response = call.webhook?.exchange.response;
    if (!response) continue;
    const line = evidence('http', call.index, 'webhook', `voice webhook signed ${record.scenario.twilio.signWebhook}: HTTP ${response.status}`);
    (response.status === 401 || response.status === 403 ? ok : bad).push(line);
  }
  return { ok, bad };
});

const handshakeSignature = probeCheck('SEC-HANDSHAKE-SIGNATURE', ['handshake-unsigned', 'handshake-wrong-signature'], true, (record) => {
  const ok: Evidence[] = [];
  const bad: Evidence[] = [];
  if (record.scenario.twilio.signWebhook === 'valid') return { ok, bad };
  for (const call of record.calls) {
    const connect = call.relay?.connect;
    if (!connect) continue;
    const line = evidence('note', call.index, undefined, `handshake signed ${record.scenario.twilio.signWebhook}: ${connect.status}${connect.status === 'failed' ? ` (${connect.reason})` : ''}`);
    (connect.status === 'failed' ? ok : bad).push(line);
  }
  return { ok, bad };
});

const registrationKey = probeCheck('SEC-REGISTRATION-KEY', ['registration-wrong-key', 'registration-missing-key'], false, (record) => {
  const ok: Evidence[] = [];
  const bad: Evidence[] = [];
  for (const call of record.calls) {
    if (call.registration.payload === 'none' || call.registration.apiKey === 'valid') continue;
    call.registration.dials.forEach((d, i) => {
      const line = evidence('registration', call.index, i, `${call.registration.apiKey} key: ${dialLabel(d, i)}`);
      (d.status === 401 || d.status === 403 ? ok : bad).push(line);
    });
  }
  return { ok, bad };
});

/** The SEC evaluators by check id. */
export const SEC_CHECKS: Readonly<Record<string, CheckEvaluator>> = {
  'SEC-WEBHOOK-SIGNATURE': webhookSignature,
  'SEC-HANDSHAKE-SIGNATURE': handshakeSignature,
  'SEC-REGISTRATION-KEY': registrationKey,
};
