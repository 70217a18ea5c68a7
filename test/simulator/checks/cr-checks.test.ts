import { describe, expect, it } from 'vitest';
import { ANSWER_TOKENS, addFrame, answerLlm } from '../../support/run-record-builder.ts';
import { call0, interrupted } from './check-cases.ts';
import { rawOf, recordWith, verdictOf } from './check-test-kit.ts';

describe('CR-TWIML-VALID and CR-RELAY-REACHABLE', () => {
  it('report why the webhook answer was unusable', () => {
    const r = recordWith((x) => {
      const w = call0(x).webhook;
      if (w) w.failure = { kind: 'invalid-twiml', errors: [{ message: 'no <Connect>', line: 2 }] };
      delete call0(x).relay;
    });
    expect(verdictOf('CR-TWIML-VALID', r).message).toContain('no <Connect> (line 2)');
    expect(rawOf('CR-RELAY-REACHABLE', r)).toBe('skip');
    expect(rawOf('CR-FRAMES-VALID', r)).toBe('skip');
  });

  it('leave a deliberately unsigned scenario to the SEC checks', () => {
    const r = recordWith((x) => {
      x.scenario.twilio.signWebhook = 'wrong';
    });
    expect(rawOf('CR-TWIML-VALID', r)).toBe('skip');
    expect(rawOf('CR-RELAY-REACHABLE', r)).toBe('skip');
  });

  it('are missing when the call never got that far in a run that broke', () => {
    const r = recordWith((x) => {
      delete call0(x).webhook;
      delete call0(x).relay;
    });
    expect(rawOf('CR-TWIML-VALID', r)).toBe('missing');
    expect(rawOf('CR-FRAMES-VALID', r)).toBe('missing');
  });
});

describe('CR-CYCLE-ENDS-LAST', () => {
  it('exempts a cycle the caller cut short', () => {
    const r = recordWith((x) => interrupted(x, "It's "));
    const v = verdictOf('CR-CYCLE-ENDS-LAST', r);
    expect(v.verdict).toBe('pass');
    expect(v.message).toContain('1 cut by the caller');
  });

  it('fails a cycle left open that a waitForReply timed out on, even when the caller hung up afterwards', () => {
    const r = recordWith((x) => {
      const call = call0(x);
      const relay = call.relay;
      if (!relay) return;
      relay.frames = relay.frames.filter((f) => f.index !== 4);
      const cycle = relay.talkCycles[0];
      if (cycle) cycle.lastReceived = false;
      const wait = call.steps[1];
      if (wait) {
        wait.outcome = 'timeout';
        delete wait.cycle;
        wait.endedAtMs = 1999;
      }
    });
    expect(rawOf('CR-CYCLE-ENDS-LAST', r)).toBe('violated');
  });

  it('does not excuse an open cycle whose completion had long finished when the caller spoke', () => {
    const r = recordWith((x) => {
      const relay = call0(x).relay;
      if (!relay) return;
      relay.frames = relay.frames.filter((f) => f.index !== 4);
      const cycle = relay.talkCycles[0];
      if (cycle) cycle.lastReceived = false;
    });
    expect(rawOf('CR-CYCLE-ENDS-LAST', r)).toBe('violated');
  });

  it('fails a cycle left open when the agent ended the session itself', () => {
    const r = recordWith((x) => {
      const relay = call0(x).relay;
      if (!relay?.end) return;
      const cycle = relay.talkCycles[0];
      if (cycle) cycle.lastReceived = false;
      relay.callerActions = relay.callerActions.filter((a) => a.kind !== 'hangUp');
      relay.end.cause = 'agent-close';
    });
    expect(rawOf('CR-CYCLE-ENDS-LAST', r)).toBe('violated');
  });

  it('fails a cycle whose wait timed out even though the caller hung up afterwards (a timed-out step names no cycle)', () => {
    const r = recordWith((x) => {
      withoutLastTrue(x);
      const wait = call0(x).steps[1];
      if (wait) {
        wait.outcome = 'timeout';
        wait.endedAtMs = 1900;
        delete wait.cycle;
      }
    });
    const v = verdictOf('CR-CYCLE-ENDS-LAST', r);
    expect(v.verdict).toBe('violated');
    expect(v.evidence[0]?.summary).toContain('step 1 timed out waiting for it');
  });

  it('does not let a hang-up long after the agent fell silent excuse the missing last:true', () => {
    const r = recordWith((x) => {
      withoutLastTrue(x);
      const call = call0(x);
      call.steps = call.steps.filter((s) => s.kind !== 'waitForReply');
    });
    expect(rawOf('CR-CYCLE-ENDS-LAST', r)).toBe('violated');
  });

  it('exempts a cycle the caller hung up on while its tokens were still arriving', () => {
    const r = recordWith((x) => {
      withoutLastTrue(x);
      const call = call0(x);
      call.steps = call.steps.filter((s) => s.kind !== 'waitForReply');
      const hangUp = call.relay?.callerActions.find((a) => a.kind === 'hangUp');
      if (hangUp) hangUp.at = 1115;
    });
    const v = verdictOf('CR-CYCLE-ENDS-LAST', r);
    expect(v.verdict).toBe('pass');
    expect(v.message).toContain('1 cut by the caller');
  });
});

/** The answer's cycle without its last:true frame, as if the agent never sent it. */
function withoutLastTrue(record: Parameters<typeof call0>[0]): void {
  const relay = call0(record).relay;
  if (!relay) return;
  relay.frames = relay.frames.filter((f) => !(f.dir === 'in' && (f.parsed as { last?: unknown } | undefined)?.last === true));
  const cycle = relay.talkCycles[0];
  if (cycle) {
    cycle.lastReceived = false;
    cycle.status = 'cut-by-session-end';
    cycle.tokens = cycle.tokens.filter((t) => !t.last);
  }
}

describe('CR-ANSWERS-PROMPT', () => {
  it('adds the time the fake LLM took to the bound', () => {
    const r = recordWith((x) => {
      for (const f of call0(x).relay?.frames ?? []) if (f.dir === 'in') f.at += 6000;
      const llm = answerLlm(x);
      llm.firstTokenAtMs = 7090;
    });
    expect(rawOf('CR-ANSWERS-PROMPT', r)).toBe('pass');
  });

  it('does not blame the agent when the caller hung up right after speaking', () => {
    const r = recordWith((x) => {
      const relay = call0(x).relay;
      if (!relay?.end) return;
      relay.frames = relay.frames.filter((f) => f.dir === 'out');
      relay.end.at = 1200;
    });
    expect(rawOf('CR-ANSWERS-PROMPT', r)).toBe('skip');
  });

  it('ignores prompts sent as raw probes', () => {
    const r = recordWith((x) => {
      const call = call0(x);
      const f = addFrame(call, 'out', 1500, { type: 'prompt', voicePrompt: 'x'.repeat(10), lang: 'en-US', last: true });
      call.relay?.callerActions.push({ kind: 'sendRaw', at: 1500, outcome: 'delivered', frames: [f.index] });
    });
    expect(verdictOf('CR-ANSWERS-PROMPT', r).message).toBe('1 prompt(s) answered within the bound');
  });
});

describe('CR-TOKENS-UNTRIMMED', () => {
  it('does not compare a completion the caller cut', () => {
    const r = recordWith((x) => interrupted(x, "It's "));
    expect(verdictOf('CR-TOKENS-UNTRIMMED', r).message).toContain('1 cut by the caller not compared');
  });

  it('accepts a different chunking of the same text', () => {
    const r = recordWith((x) => {
      const frames = call0(x).relay?.frames ?? [];
      const [a, b] = [frames[2], frames[3]];
      if (a && b) {
        a.parsed = { type: 'text', token: "It's on", last: false };
        b.parsed = { type: 'text', token: ' Wednesday.', last: false };
      }
    });
    expect(rawOf('CR-TOKENS-UNTRIMMED', r)).toBe('pass');
  });

  it('says when only whitespace changed', () => {
    const r = recordWith((x) => {
      const f = call0(x).relay?.frames[2];
      if (f) f.parsed = { type: 'text', token: ANSWER_TOKENS[0].trim(), last: false };
    });
    expect(verdictOf('CR-TOKENS-UNTRIMMED', r).evidence.some((e) => e.summary.includes('whitespace was changed or trimmed'))).toBe(true);
  });
});

describe('CR-INTERRUPT-STOPS', () => {
  it('allows tokens already in flight within the grace bound', () => {
    const r = recordWith((x) => {
      interrupted(x, "It's ");
      addFrame(call0(x), 'in', 1300, { type: 'text', token: 'on ', last: false });
    });
    expect(rawOf('CR-INTERRUPT-STOPS', r)).toBe('pass');
  });

  it('counts any token after the grace bound and before the new turn’s first token', () => {
    const r = recordWith((x) => {
      interrupted(x, "It's ");
      const next = x.llm.requests.find((q) => q.seq === 2);
      if (next) next.firstTokenAtMs = 2000;
      for (const f of call0(x).relay?.frames ?? []) if (f.dir === 'in' && f.at >= 1160) f.at += 900;
      addFrame(call0(x), 'in', 1500, { type: 'text', token: 'Sure!', last: false });
    });
    expect(rawOf('CR-INTERRUPT-STOPS', r)).toBe('violated');
  });

  it('does not mistake the new answer for leftovers when it repeats words', () => {
    const r = recordWith((x) => {
      interrupted(x, "It's ");
      const next = x.llm.requests.find((q) => q.seq === 2);
      if (next) next.chunks = next.chunks.map((c) => (c.kind === 'content' ? { ...c, content: 'on Wednesday.' } : c));
      addFrame(call0(x), 'in', 1400, { type: 'text', token: 'on Wednesday.', last: false });
    });
    expect(rawOf('CR-INTERRUPT-STOPS', r)).toBe('pass');
  });
});

describe('CR-INTERRUPT-HISTORY', () => {
  it('allows trailing whitespace differences only', () => {
    expect(rawOf('CR-INTERRUPT-HISTORY', recordWith((x) => interrupted(x, "It's")))).toBe('pass');
    expect(rawOf('CR-INTERRUPT-HISTORY', recordWith((x) => interrupted(x, " It's ")))).toBe('violated');
  });

  it('joins the assistant messages of the interrupted turn (text before and after a tool round)', () => {
    const r = recordWith((x) => {
      interrupted(x, "It's ");
      const next = x.llm.requests.find((q) => q.seq === 2);
      const body = next?.body as { messages: Record<string, unknown>[] };
      body.messages.splice(2, 1, { role: 'assistant', content: "It'", tool_calls: [{ id: 'c1' }] }, { role: 'tool', tool_call_id: 'c1', content: '{}' }, { role: 'assistant', content: 's ' });
    });
    expect(rawOf('CR-INTERRUPT-HISTORY', r)).toBe('pass');
  });

  it('is missing when no request followed the interrupt', () => {
    const r = recordWith((x) => {
      interrupted(x, "It's ");
      x.llm.requests = x.llm.requests.filter((q) => q.seq !== 2);
    });
    expect(rawOf('CR-INTERRUPT-HISTORY', r)).toBe('missing');
  });

  it('skips an interrupt of the greeting', () => {
    const r = recordWith((x) => {
      interrupted(x, "It's ");
      const relay = call0(x).relay;
      const cycle = relay?.talkCycles[0];
      if (cycle) cycle.kind = 'greeting';
    });
    expect(rawOf('CR-INTERRUPT-HISTORY', r)).toBe('skip');
  });
});

describe('CR-PARTIAL-NO-TURN', () => {
  it('only looks before the final prompt when the last partial equals it', () => {
    const r = recordWith((x) => {
      addFrame(call0(x), 'out', 990, { type: 'prompt', voicePrompt: 'When is my appointment?', lang: 'en-US', last: false });
    });
    expect(rawOf('CR-PARTIAL-NO-TURN', r)).toBe('pass');
  });
});

describe('CR-END-HANDOFF-STRING', () => {
  it('fails frames sent after end', () => {
    const r = recordWith((x) => {
      addFrame(call0(x), 'in', 1121, { type: 'end', handoffData: '{}' });
    });
    const v = verdictOf('CR-END-HANDOFF-STRING', r);
    expect(v.verdict).toBe('violated');
    expect(v.message).toContain('1 frame(s) followed it');
  });

  it('accepts an end without handoffData', () => {
    const r = recordWith((x) => addFrame(call0(x), 'in', 1130, { type: 'end' }));
    expect(rawOf('CR-END-HANDOFF-STRING', r)).toBe('pass');
  });
});

describe('CR-NO-SPEECH-BEFORE-CALLER', () => {
  it('is a scenario-level skip unless the scenario declares it', () => {
    expect(rawOf('CR-NO-SPEECH-BEFORE-CALLER', recordWith(() => {}), 'scenario')).toBe('skip');
  });
});

describe('CR-DTMF-HANDLED', () => {
  it('fails a key press Twilio never reported because the TwiML leaves dtmfDetection off', () => {
    const r = recordWith((x) => {
      call0(x).relay?.callerActions.push({ kind: 'pressDigit', at: 1500, digit: '1', outcome: 'dtmf-detection-off', frames: [] });
    });
    expect(verdictOf('CR-DTMF-HANDLED', r).message).toContain('dtmfDetection off');
  });
});
