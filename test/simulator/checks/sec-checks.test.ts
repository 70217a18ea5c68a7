import { describe, expect, it } from 'vitest';
import { call0 } from './check-cases.ts';
import { rawOf, recordWith, verdictOf } from './check-test-kit.ts';

describe('SEC checks', () => {
  it('skip the signature checks when the runner has no Twilio token for the agent', () => {
    const r = recordWith((x) => {
      x.agent.signing.twilioAuthToken = false;
    });
    expect(rawOf('SEC-WEBHOOK-SIGNATURE', r, 'scenario')).toBe('skip');
    expect(rawOf('SEC-HANDSHAKE-SIGNATURE', r, 'scenario')).toBe('skip');
    expect(rawOf('SEC-REGISTRATION-KEY', r, 'scenario')).toBe('pass');
  });

  it('skip when the record carries no probes, and judge a scenario’s own wrongly signed call', () => {
    const r = recordWith((x) => {
      delete x.probes;
    });
    expect(rawOf('SEC-WEBHOOK-SIGNATURE', r, 'scenario')).toBe('skip');
    const signedWrong = recordWith((x) => {
      delete x.probes;
      x.scenario.twilio.signWebhook = 'wrong';
    });
    expect(rawOf('SEC-WEBHOOK-SIGNATURE', signedWrong, 'scenario')).toBe('violated');
    expect(rawOf('SEC-HANDSHAKE-SIGNATURE', signedWrong, 'scenario')).toBe('violated');
  });

  it('count a scenario registration with a wrong key that was refused', () => {
    const r = recordWith((x) => {
      delete x.probes;
      const reg = call0(x).registration;
      reg.apiKey = 'wrong';
      for (const d of reg.dials) d.status = 401;
    });
    expect(verdictOf('SEC-REGISTRATION-KEY', r, 'scenario').message).toBe('1 bad request(s) refused');
  });
});
