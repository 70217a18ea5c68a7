import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finding, OTLP_RULES, ruleById } from '../../../simulator/otlp/rules.ts';
import { RULE_EXAMPLES, rulesFired } from './rule-examples.ts';

describe('OTLP_RULES', () => {
  it('has unique ids with the OTLP- or SPAN- prefix, a title and a source section', () => {
    const ids = OTLP_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of OTLP_RULES) {
      expect(r.id).toMatch(/^(OTLP|SPAN)-[A-Z0-9-]+$/);
      expect(r.title.length).toBeGreaterThan(10);
      expect(r.source).toMatch(/^otlp-coval §/);
    }
  });

  it('gives every rule in the catalogue both a passing and a failing example', () => {
    expect(Object.keys(RULE_EXAMPLES).sort()).toEqual(OTLP_RULES.map((r) => r.id).sort());
  });

  it('is listed in docs/validate.md row for row, with severity and stage', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../../docs/validate.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `([A-Z0-9-]+)` \| (error|warn) \| (\w+) \|/gm)].map((m) => [m[1], m[2], m[3]]);
    expect(rows).toEqual(OTLP_RULES.map((r) => [r.id, r.severity, r.stage]));
  });

  it('builds findings with the catalogue severity', () => {
    expect(finding('OTLP-SPAN-KIND', 'm').severity).toBe('warn');
    expect(finding('OTLP-SPAN-TIME-ORDER', 'm').severity).toBe('error');
    expect(ruleById('OTLP-ID-BASE64').stage).toBe('decode');
  });
});

describe.each(OTLP_RULES.map((r) => [r.id, r] as const))('rule %s', (id) => {
  const examples = RULE_EXAMPLES[id];
  it('fires on its failing example', async () => {
    expect([...(await rulesFired(examples.fail))]).toContain(id);
  });
  it('stays quiet on its passing example', async () => {
    expect([...(await rulesFired(examples.pass))]).not.toContain(id);
  });
});
