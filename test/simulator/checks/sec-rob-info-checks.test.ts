import { describe, expect, it } from 'vitest';
import { answerLlm, spanNamed } from '../../support/run-record-builder.ts';
import { call0, llmFailedAndApologised, noExport, retriedAfter503 } from './check-cases.ts';
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

describe('ROB-LLM-ERROR-SPOKEN', () => {
  it('fails silence after the failure', () => {
    const r = recordWith((x) => {
      llmFailedAndApologised(x);
      const relay = call0(x).relay;
      if (relay) relay.frames = relay.frames.filter((f) => f.dir === 'out');
    });
    expect(verdictOf('ROB-LLM-ERROR-SPOKEN', r).evidence[0]?.summary).toContain('nothing was spoken');
  });

  it('fails an apology without last:true', () => {
    const r = recordWith((x) => {
      llmFailedAndApologised(x);
      const relay = call0(x).relay;
      if (relay) relay.frames = relay.frames.filter((f) => f.index !== 4);
    });
    expect(verdictOf('ROB-LLM-ERROR-SPOKEN', r).evidence[0]?.summary).toContain('not followed by last:true');
  });

  it('counts a stream cut as a failure and is missing when the trace never came', () => {
    const r = recordWith((x) => {
      const llm = answerLlm(x);
      llm.outcome = 'cut';
      noExport(x);
    });
    expect(rawOf('ROB-LLM-ERROR-SPOKEN', r)).toBe('missing');
  });
});

describe('ROB-COVAL-OUTAGE', () => {
  it('skips a permanent fault', () => {
    const r = recordWith((x) => {
      retriedAfter503(x, 1100);
      const first = x.coval.attempts[0];
      if (first) x.coval.attempts.unshift({ ...first, seq: 0, status: 400 });
    });
    expect(rawOf('ROB-COVAL-OUTAGE', r)).toBe('skip');
  });

  it('fails when the call itself was hurt', () => {
    const r = recordWith((x) => {
      retriedAfter503(x, 1100);
      const wait = call0(x).steps[1];
      if (wait) wait.outcome = 'timeout';
    });
    expect(verdictOf('ROB-COVAL-OUTAGE', r).message).toContain('1 caller step(s) failed');
  });

  it('notes a 2xx from the fault plan that stored nothing', () => {
    const r = recordWith((x) => {
      retriedAfter503(x, 1100);
      const second = x.coval.attempts[1];
      if (second) Object.assign(second, { outcome: 'fault-status' });
      x.coval.batches = [];
    });
    expect(verdictOf('ROB-COVAL-OUTAGE', r).message).toContain('answered 2xx by the fault plan, so not stored');
  });
});

describe('ROB-SURVIVES-BAD-FRAMES and ROB-NEXT-CALL-WORKS', () => {
  it('fails when the caller’s next step found the session gone', () => {
    const r = recordWith((x) => {
      const relay = call0(x).relay;
      relay?.callerActions.unshift({ kind: 'sendRaw', at: 500, outcome: 'delivered', frames: [] });
      relay?.callerActions.push({ kind: 'say', at: 2100, outcome: 'session-not-active', frames: [] });
    });
    expect(rawOf('ROB-SURVIVES-BAD-FRAMES', r)).toBe('violated');
  });

  it('fails when the agent process exited and skips without a health probe', () => {
    const exited = recordWith((x) => {
      x.agent.process = { command: 'node agent/main.ts', pid: 1, exit: { code: 1, signal: null, atMs: 1500 }, stdoutTail: '', stderrTail: 'boom\n' };
    });
    expect(verdictOf('ROB-NEXT-CALL-WORKS', exited, 'scenario').evidence[0]?.summary).toBe('boom');
    const noProbe = recordWith((x) => {
      if (x.probes) delete x.probes.healthAfter;
    });
    expect(rawOf('ROB-NEXT-CALL-WORKS', noProbe, 'scenario')).toBe('skip');
  });
});

describe('INFO-COVAL-METRICS', () => {
  it('lists what is not fed', () => {
    const r = recordWith((x) => {
      delete spanNamed(x, 'llm').attributes['gen_ai.usage.input_tokens'];
      delete spanNamed(x, 'stt').attributes['stt.transcription'];
    });
    expect(verdictOf('INFO-COVAL-METRICS', r).message).toBe('feeds: LLM TTFB, STT TTFB and TTS TTFB; not fed: LLM token usage, STT WER and Tool call count');
  });
});
