import { describe, expect, it } from 'vitest';
import { retriedAfter503 } from './check-cases.ts';
import { rawOf, recordWith, verdictOf } from './check-test-kit.ts';

describe('OTLP-RETRY-ONLY-RETRYABLE', () => {
  it('accepts a new batch (another body) after an accepted one', () => {
    const r = recordWith((x) => {
      const a = x.coval.attempts[0];
      if (a) x.coval.attempts.push({ ...a, seq: 2, bodyBytes: a.bodyBytes + 100 });
    });
    expect(rawOf('OTLP-RETRY-ONLY-RETRYABLE', r)).toBe('pass');
  });

  it('fails the same body sent again after it was accepted', () => {
    const r = recordWith((x) => {
      const a = x.coval.attempts[0];
      if (a) x.coval.attempts.push({ ...a, seq: 2, status: 503, outcome: 'fault-status' });
    });
    const v = verdictOf('OTLP-RETRY-ONLY-RETRYABLE', r);
    expect(v.verdict).toBe('violated');
    expect(v.evidence.some((e) => e.summary.includes('after it was accepted'))).toBe(true);
  });

  it('treats a 2xx answered by the fault plan as accepted', () => {
    const r = recordWith((x) => {
      const a = x.coval.attempts[0];
      if (a) x.coval.attempts.unshift({ ...a, seq: 0, status: 200, outcome: 'fault-status', reason: 'fault plan (global) step 0: 200' });
    });
    expect(rawOf('OTLP-RETRY-ONLY-RETRYABLE', r)).toBe('violated');
  });
});

describe('OTLP-RETRY-AFTER', () => {
  it('allows a retry slightly early within the tolerance', () => {
    expect(rawOf('OTLP-RETRY-AFTER', recordWith((x) => retriedAfter503(x, 950)))).toBe('pass');
    expect(rawOf('OTLP-RETRY-AFTER', recordWith((x) => retriedAfter503(x, 850)))).toBe('violated');
  });

  it('counts the fault plan’s answer delay before the wait starts', () => {
    const r = recordWith((x) => {
      retriedAfter503(x, 1100);
      const first = x.coval.attempts[0];
      if (first) first.delayMs = 500;
    });
    expect(rawOf('OTLP-RETRY-AFTER', r)).toBe('violated');
  });
});

describe('OTLP-RETRIES-RETRYABLE', () => {
  it('counts a connection reset as retryable', () => {
    const r = recordWith((x) => {
      const a = x.coval.attempts[0];
      if (a) x.coval.attempts.unshift({ ...a, seq: 0, status: null, outcome: 'fault-reset', reason: 'fault plan (global) step 0: connection reset' });
    });
    expect(rawOf('OTLP-RETRIES-RETRYABLE', r)).toBe('pass');
    expect(rawOf('ROB-COVAL-OUTAGE', r)).toBe('pass');
  });
});

describe('OTLP headers and findings', () => {
  it('reports exports without a target header at scenario level', () => {
    const r = recordWith((x) => {
      const a = x.coval.attempts[0];
      if (a) x.coval.attempts.push({ ...a, seq: 2, simulationId: null, status: 400, outcome: 'rejected', rule: 'OTLP-COVAL-TARGET' });
    });
    expect(rawOf('OTLP-HEADERS', r, 'scenario')).toBe('violated');
    expect(rawOf('OTLP-HEADERS', r)).toBe('pass');
  });

  it('fails Basic auth in place of x-api-key', () => {
    const r = recordWith((x) => {
      const b = x.coval.batches[0];
      if (!b) return;
      delete b.headers['x-api-key'];
      b.headers.authorization = '<redacted>';
    });
    expect(verdictOf('OTLP-HEADERS', r).evidence[0]?.summary).toContain('Authorization instead of x-api-key');
  });

  it('uses the finalize findings', () => {
    const r = recordWith((x) => {
      x.coval.finalize['sim-0'] = [{ severity: 'error', rule: 'OTLP-PARENT-RESOLVES', message: 'parent 00 missing', location: { spanId: 'abc' } }];
    });
    expect(rawOf('OTLP-PARENTS-RESOLVE', r)).toBe('violated');
  });

  it('ignores warnings of the listed rules', () => {
    const r = recordWith((x) => {
      x.coval.batches[0]?.findings.push({ severity: 'warn', rule: 'OTLP-JSON-INT64-UNSAFE', message: 'big number', location: {} });
    });
    expect(rawOf('OTLP-TIMES', r)).toBe('pass');
  });

  it('skips the payload checks when the fault plan answered every attempt', () => {
    const r = recordWith((x) => {
      x.coval.batches = [];
      const a = x.coval.attempts[0];
      if (a) Object.assign(a, { status: 500, outcome: 'fault-status' });
    });
    expect(rawOf('OTLP-IDS', r)).toBe('skip');
    expect(rawOf('OTLP-HEADERS', r)).toBe('skip');
    expect(rawOf('OTLP-ONE-TRACE', r)).toBe('skip');
  });

  it('skips a call that owed nothing and sent nothing', () => {
    const r = recordWith((x) => {
      const call = x.calls[0];
      if (call) call.registration.payload = 'none';
      x.coval.attempts = [];
      x.coval.batches = [];
    });
    expect(rawOf('OTLP-DECODES', r)).toBe('skip');
  });
});
