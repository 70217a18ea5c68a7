import { describe, expect, it } from 'vitest';
import { addCall, spanNamed } from '../../support/run-record-builder.ts';
import { CASES, agedRegistration, call0, noExport, type Mutation } from './check-cases.ts';
import { rawOf, recordWith, verdictOf, verdicts } from './check-test-kit.ts';

const swapped = CASES['COR-OWN-SIMULATION-ID']?.violate as Mutation;

describe('COR-OWN-SIMULATION-ID', () => {
  it('names the swapped traces of both calls', () => {
    const r = recordWith(swapped);
    expect(rawOf('COR-OWN-SIMULATION-ID', r, 0)).toBe('violated');
    expect(rawOf('COR-OWN-SIMULATION-ID', r, 1)).toBe('violated');
    expect(verdictOf('COR-OWN-SIMULATION-ID', r, 0).message).toContain('carries the trace of call 1');
  });

  it('falls back to the stt transcripts when the root has no call.sid', () => {
    const r = recordWith((x) => {
      swapped(x);
      for (const b of x.coval.batches) for (const s of b.spans) delete s.attributes['call.sid'];
    });
    const v = verdictOf('COR-OWN-SIMULATION-ID', r, 0);
    expect(v.verdict).toBe('violated');
    expect(v.evidence.some((e) => e.summary.includes('by transcripts'))).toBe(true);
  });

  it('passes, saying it could not confirm, when neither call.sid nor transcripts exist', () => {
    const r = recordWith((x) => {
      x.coval.batches[0]?.spans.forEach((s) => delete s.attributes['call.sid']);
      const b = x.coval.batches[0];
      if (b) b.spans = b.spans.filter((s) => !s.name.startsWith('stt'));
    });
    const v = verdictOf('COR-OWN-SIMULATION-ID', r);
    expect(v.verdict).toBe('pass');
    expect(v.message).toContain('no call.sid or transcripts');
  });

  it('reports exports under ids no call was given at scenario level', () => {
    const r = recordWith((x) => {
      const a = x.coval.attempts[0];
      if (a) x.coval.attempts.push({ ...a, seq: 9, simulationId: 'made-up', status: 404, outcome: 'rejected', rule: 'OTLP-COVAL-UNKNOWN-ID' });
    });
    expect(rawOf('COR-OWN-SIMULATION-ID', r, 'scenario')).toBe('violated');
  });

  it('is missing when a registered call exported nothing', () => {
    expect(rawOf('COR-OWN-SIMULATION-ID', recordWith((x) => noExport(x)))).toBe('missing');
  });
});

describe('COR-UNREGISTERED-NO-EXPORT and COR-EXPIRED-NOT-USED', () => {
  it('treat a refused registration as no registration', () => {
    const r = recordWith((x) => {
      for (const d of call0(x).registration.dials) d.status = 503;
      noExport(x);
    });
    expect(rawOf('COR-UNREGISTERED-NO-EXPORT', r)).toBe('pass');
    expect(rawOf('COR-REGISTRATION-ACCEPTED', r)).toBe('violated');
  });

  it('catch an unregistered call whose trace went out under another call’s id', () => {
    const r = recordWith((x) => {
      const second = addCall(x);
      second.registration.payload = 'none';
      second.registration.dials = [];
      const b = x.coval.batches[1];
      const a = x.coval.attempts[1];
      if (b && a) b.simulationId = a.simulationId = 'sim-0';
    });
    expect(rawOf('COR-UNREGISTERED-NO-EXPORT', r, 1)).toBe('violated');
    expect(rawOf('COR-NO-ID-REUSE', r, 'scenario')).toBe('violated');
  });

  it('do not judge a registration whose age is too close to the TTL', () => {
    const r = recordWith((x) => agedRegistration(x, 1050));
    expect(rawOf('COR-EXPIRED-NOT-USED', r)).toBe('skip');
    expect(verdictOf('COR-EXPIRED-NOT-USED', r).message).toContain('too close');
  });

  it('judge a registration well within the TTL as live', () => {
    const r = recordWith((x) => agedRegistration(x, 500));
    expect(rawOf('COR-EXPIRED-NOT-USED', r)).toBe('skip');
    expect(rawOf('COR-OWN-SIMULATION-ID', r)).toBe('pass');
  });
});

describe('COR-DUPLICATE-SINGLE-CLAIM and COR-NO-ID-REUSE', () => {
  it('skip without exports', () => {
    const r = recordWith((x) => noExport(x));
    expect(rawOf('COR-NO-ID-REUSE', r, 'scenario')).toBe('skip');
    expect(rawOf('COR-DUPLICATE-SINGLE-CLAIM', r)).toBe('skip');
  });

  it('count one call re-sending its own trace as one claim', () => {
    const r = recordWith((x) => {
      const reg = call0(x).registration;
      reg.repeat = 2;
      const batch = x.coval.batches[0];
      if (batch) x.coval.batches.push({ ...batch, seq: 5, index: 1 });
    });
    expect(rawOf('COR-DUPLICATE-SINGLE-CLAIM', r)).toBe('pass');
    expect(rawOf('COR-NO-ID-REUSE', r, 'scenario')).toBe('pass');
  });
});

describe('COR-WRONG-KEY-REFUSED', () => {
  it('wants 401, not 403', () => {
    const r = recordWith((x) => {
      const reg = call0(x).registration;
      reg.apiKey = 'missing';
      for (const d of reg.dials) d.status = 403;
      noExport(x);
    });
    expect(rawOf('COR-WRONG-KEY-REFUSED', r)).toBe('violated');
  });

  it('gives one verdict per call', () => {
    const r = recordWith((x) => addCall(x));
    expect(verdicts('COR-WRONG-KEY-REFUSED', r).map((v) => v.call)).toEqual([0, 1]);
  });

  it('does not let an unrelated trace attribute confuse ownership', () => {
    const r = recordWith((x) => {
      spanNamed(x, 'conversation').attributes['call.sid'] = { type: 'string', value: 'CA-unknown' };
    });
    expect(rawOf('COR-OWN-SIMULATION-ID', r)).toBe('violated');
  });
});
