import { describe, expect, it } from 'vitest';
import { jsonEqual } from '../../../simulator/checks/span-checks.ts';
import { PROMPT, addFrame, addSpan, addToolRound, dbl, int, llmRequest, span, spanNamed, str } from '../../support/run-record-builder.ts';
import { call0 } from './check-cases.ts';
import { rawOf, recordWith, verdictOf } from './check-test-kit.ts';

describe('SPAN-ROOT', () => {
  it('fails a second root', () => {
    const r = recordWith((x) => addSpan(x, span({ n: 9, name: 'pipeline', start: 300, end: 400 })));
    expect(verdictOf('SPAN-ROOT', r).message).toContain('found 2 root(s)');
  });

  it('accepts an int duration within the tolerance', () => {
    const r = recordWith((x) => {
      spanNamed(x, 'conversation').attributes['call.duration_seconds'] = int(2);
    });
    expect(rawOf('SPAN-ROOT', r)).toBe('pass');
  });

  it('scales the tolerance with long calls (10 %)', () => {
    const r = recordWith((x) => {
      const relay = call0(x).relay;
      if (relay?.end?.close) relay.end.close.at = 60_210;
      spanNamed(x, 'conversation').attributes['call.duration_seconds'] = dbl(65);
    });
    expect(rawOf('SPAN-ROOT', r)).toBe('pass');
  });
});

describe('SPAN-STT-PER-PROMPT', () => {
  it('fails a second stt span for one prompt', () => {
    const r = recordWith((x) => addSpan(x, span({ n: 9, name: 'stt', parent: 1, start: 900, end: 1000, attributes: { 'stt.transcription': str(PROMPT) } })));
    expect(rawOf('SPAN-STT-PER-PROMPT', r)).toBe('violated');
  });

  it('tolerates an stt span for a prompt sent as a raw probe, and accepts the transcript alias', () => {
    const r = recordWith((x) => {
      const call = call0(x);
      const f = addFrame(call, 'out', 1500, { type: 'prompt', voicePrompt: 'probe', lang: 'en-US', last: true });
      call.relay?.callerActions.push({ kind: 'sendRaw', at: 1500, outcome: 'delivered', frames: [f.index] });
      addSpan(x, span({ n: 9, name: 'stt', parent: 1, start: 1400, end: 1500, attributes: { transcript: str('probe') } }));
      const stt = spanNamed(x, 'stt');
      stt.attributes = { transcript: str(PROMPT) };
    });
    expect(rawOf('SPAN-STT-PER-PROMPT', r)).toBe('pass');
  });
});

describe('SPAN-LLM-PER-TURN', () => {
  it('allows an extra ERROR llm span the agent made without a request (tool-round limit)', () => {
    const r = recordWith((x) => addSpan(x, span({ n: 9, name: 'llm', parent: 1, start: 1126, end: 1130, error: 'tool round limit' })));
    expect(verdictOf('SPAN-LLM-PER-TURN', r).message).toContain('1 agent-side ERROR turn');
  });

  it('fails an extra llm span that is not an error', () => {
    const r = recordWith((x) => addSpan(x, span({ n: 9, name: 'llm', parent: 1, start: 1126, end: 1130 })));
    expect(rawOf('SPAN-LLM-PER-TURN', r)).toBe('violated');
  });
});

describe('SPAN-LLM-TTFB-REAL', () => {
  it('fails a ttfb above the observed prompt → first frame time', () => {
    const r = recordWith((x) => {
      spanNamed(x, 'llm').attributes['metrics.ttfb'] = dbl(0.3);
    });
    expect(rawOf('SPAN-LLM-TTFB-REAL', r)).toBe('violated');
  });

  it('accepts an int ttfb', () => {
    const r = recordWith((x) => {
      for (const f of call0(x).relay?.frames ?? []) if (f.dir === 'in') f.at += 1000;
      const llm = x.llm.requests[0];
      if (llm) llm.firstTokenAtMs = 1995;
      spanNamed(x, 'llm').attributes['metrics.ttfb'] = int(1);
    });
    expect(rawOf('SPAN-LLM-TTFB-REAL', r)).toBe('pass');
  });

  it('flags a constant ttfb across turns whose injected delays differ', () => {
    const r = recordWith((x) => {
      addToolRound(x);
      for (const s of x.coval.batches[0]?.spans ?? []) if (s.name === 'llm') s.attributes['metrics.ttfb'] = dbl(0.04);
    });
    const v = verdictOf('SPAN-LLM-TTFB-REAL', r);
    expect(v.verdict).toBe('violated');
    expect(v.evidence.some((e) => e.summary.includes('a constant, not a measurement'))).toBe(true);
  });

  it('fails a missing ttfb on a turn that streamed', () => {
    const r = recordWith((x) => {
      delete spanNamed(x, 'llm').attributes['metrics.ttfb'];
    });
    expect(rawOf('SPAN-LLM-TTFB-REAL', r)).toBe('violated');
  });
});

describe('SPAN-LLM-FINISH-REASON', () => {
  it('pairs llm spans with requests in time order even when the agent’s clock runs behind', () => {
    const r = recordWith((x) => {
      addToolRound(x);
      for (const s of x.coval.batches[0]?.spans ?? []) {
        s.startNs = (BigInt(s.startNs) - 30_000_000n).toString();
        s.endNs = (BigInt(s.endNs) - 30_000_000n).toString();
      }
    });
    expect(rawOf('SPAN-LLM-FINISH-REASON', r)).toBe('pass');
  });

  it('fails an absent finish reason when the LLM sent one', () => {
    const r = recordWith((x) => {
      delete spanNamed(x, 'llm').attributes['llm.finish_reason'];
    });
    expect(rawOf('SPAN-LLM-FINISH-REASON', r)).toBe('violated');
  });
});

describe('SPAN-SYNTHETIC-CONSTANTS', () => {
  it('skips a trace that carries none of them', () => {
    const r = recordWith((x) => {
      for (const s of x.coval.batches[0]?.spans ?? []) {
        delete s.attributes['stt.confidence'];
        if (s.name === 'tts') delete s.attributes['metrics.ttfb'];
      }
    });
    expect(rawOf('SPAN-SYNTHETIC-CONSTANTS', r)).toBe('skip');
  });

  it('checks tts metrics.ttfb too', () => {
    const r = recordWith((x) => {
      spanNamed(x, 'tts').attributes['metrics.ttfb'] = dbl(0.12);
    });
    expect(rawOf('SPAN-SYNTHETIC-CONSTANTS', r)).toBe('violated');
  });
});

describe('SPAN-TOOL-PAIRS', () => {
  it('wants ERROR on the result of a failing tool', () => {
    const lab = { name: 'get_lab_results', arguments: '{}', result: '{"error":"lab system down"}' };
    expect(rawOf('SPAN-TOOL-PAIRS', recordWith((x) => addToolRound(x, lab)))).toBe('violated');
    const ok = recordWith((x) => {
      addToolRound(x, lab);
      spanNamed(x, 'tool_call_result').status = { code: 2, message: 'lab system down' };
    });
    expect(rawOf('SPAN-TOOL-PAIRS', ok)).toBe('pass');
  });

  it('compares arguments as JSON', () => {
    const r = recordWith((x) => {
      addToolRound(x, { name: 'lookup_appointment', arguments: '{"a":1,"b":[2]}', result: '{}' });
      spanNamed(x, 'tool_call').attributes['tool.arguments'] = str('{ "b": [2], "a": 1 }');
    });
    expect(rawOf('SPAN-TOOL-PAIRS', r)).toBe('pass');
    expect(jsonEqual('{"a":1}', '{"a":1.0}')).toBe(true);
    expect(jsonEqual('not json', 'not json')).toBe(true);
    expect(jsonEqual('{"a":1}', '{"a":2}')).toBe(false);
  });

  it('exempts a tool call the agent never ran, and fails an invented one', () => {
    const notRun = recordWith((x) => {
      addToolRound(x);
      x.llm.requests.push(llmRequest({ seq: 3, at: 1130, messages: [{ role: 'user', content: PROMPT }], firstTokenMs: 5, toolCalls: [{ id: 'call_9', name: 'lookup_appointment', arguments: '{}' }] }));
      call0(x).llmRequestSeqs.push(3);
      addSpan(x, span({ n: 9, name: 'llm', parent: 1, start: 1130, end: 1136, attributes: { 'metrics.ttfb': dbl(0.005), 'llm.finish_reason': str('tool_calls') } }));
    });
    expect(verdictOf('SPAN-TOOL-PAIRS', notRun).message).toContain('1 not run by the agent');
    const invented = recordWith((x) => {
      addToolRound(x);
      addSpan(x, span({ n: 9, name: 'tool_call', parent: 1, start: 1050, end: 1051, attributes: { 'tool.name': str('x'), 'tool.call_id': str('call_x') } }));
    });
    expect(rawOf('SPAN-TOOL-PAIRS', invented)).toBe('violated');
  });

  it('accepts Coval’s canonical names (llm_tool_call, function.*, tool_call_id)', () => {
    const r = recordWith((x) => {
      addToolRound(x);
      const call = spanNamed(x, 'tool_call');
      call.name = 'llm_tool_call';
      call.attributes = { 'function.name': str('lookup_appointment'), tool_call_id: str('call_1'), 'function.arguments': str('{"patient":"me"}') };
    });
    expect(rawOf('SPAN-TOOL-PAIRS', r)).toBe('pass');
    expect(verdictOf('INFO-COVAL-METRICS', r).message).toBe('feeds: LLM TTFB, STT TTFB, TTS TTFB, STT WER and Tool call count; not fed: LLM token usage');
  });
});

describe('SPAN-CHILDREN-IN-ROOT', () => {
  it('allows a child to poke out by less than the tolerance', () => {
    const r = recordWith((x) => {
      spanNamed(x, 'tts').endNs = (BigInt(spanNamed(x, 'conversation').endNs) + 40_000_000n).toString();
    });
    expect(rawOf('SPAN-CHILDREN-IN-ROOT', r)).toBe('pass');
  });
});
