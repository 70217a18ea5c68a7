import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../simulator/checks/catalogue.ts';
import { CHECK_TOLERANCES } from '../../../simulator/checks/tolerances.ts';

const doc = readFileSync(resolve(import.meta.dirname, '../../../docs/checks.md'), 'utf8');
const unescape = (s: string) => s.replace(/\\\|/g, '|').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('docs/checks.md', () => {
  it('lists the catalogue row for row: id, title, level and source', () => {
    const rows = [...doc.matchAll(/^\| `([A-Z0-9-]+)` \| (.+?) \| (MUST|SHOULD|INFO) \| (.+?) \|$/gm)].map((m) => [m[1], unescape(m[2] ?? ''), m[3], unescape(m[4] ?? '')]);
    expect(rows).toEqual(CHECKS.map((c) => [c.id, c.title, c.level, c.source]));
  });

  it('documents every tolerance', () => {
    const names = [...doc.matchAll(/^\| `(\w+)`(?:, `(\w+)`)? \|/gm)].flatMap((m) => [m[1], m[2]]).filter((n) => n !== undefined);
    expect(names.sort()).toEqual(Object.keys(CHECK_TOLERANCES).sort());
  });
});
