import { describe, expect, it } from 'vitest';
import { addFrame, answerLlm } from '../../support/run-record-builder.ts';
import { call0, llmFailedAndApologised, noExport, retriedAfter503 } from './check-cases.ts';
import { rawOf, recordWith, verdictOf } from './check-test-kit.ts';

describe('ROB-LLM-ERROR-SPOKEN', () => {
  it('fails silence after the failure', () => {
    const r = recordWith((x) => {
      llmFailedAndApologised(x);
      const relay = call0(x).relay;
      if (relay) relay.frames = relay.frames.filter((f) => f.dir === 'out');
    });
    expect(verdictOf('ROB-LLM-ERROR-SPOKEN', r).evidence[0]?.summary).toContain('nothing was spoken');
  });

  it('does not take the next turn’s answer for the apology', () => {
    const r = recordWith((x) => {
      llmFailedAndApologised(x);
      const call = call0(x);
      const relay = call.relay;
      if (!relay) return;
      for (const f of relay.frames) if (f.index === 2 || f.index === 3) f.at += 1000;
      addFrame(call, 'out', 1500, { type: 'prompt', voicePrompt: 'Hello?', lang: 'en-US', last: true });
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
