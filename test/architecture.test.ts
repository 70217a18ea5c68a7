/**
 * Architecture rules (architecture §2, §4; style.md lessons 2, 5, 9): the agent and the simulator
 * never import each other, no default exports, and only the platform files and entry points touch
 * the real clock, randomness, timers or the global fetch.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** The files allowed to reach the real world, each with the reason. */
const PLATFORM_FILES: Record<string, string> = {
  'agent/platform/clock.ts': 'the system clock',
  'agent/platform/manual-clock.ts': 'flushes the event loop between manual timers',
  'agent/platform/random.ts': 'the crypto-backed Random',
  'agent/platform/ids.ts': 'the crypto-backed IdGenerator',
  'agent/main.ts': 'entry point: builds the real dependencies',
  'simulator/core/clock.ts': 'the system clock',
  'simulator/core/manual-clock.ts': 'flushes the event loop between manual timers',
  'simulator/core/random.ts': 'the crypto-backed Random',
  'simulator/core/ids.ts': 'ids derived from the seeded Random',
  'simulator/cli/main.ts': 'entry point: builds the real dependencies',
};

const FORBIDDEN: { name: string; pattern: RegExp }[] = [
  { name: 'Date.now()', pattern: /\bDate\.now\s*\(/ },
  { name: 'new Date() without arguments', pattern: /\bnew Date\s*\(\s*\)/ },
  { name: 'Math.random()', pattern: /\bMath\.random\s*\(/ },
  { name: 'performance.now()', pattern: /\bperformance\.now\s*\(/ },
  { name: 'setTimeout', pattern: /(?<![.\w#])setTimeout\s*\(/ },
  { name: 'setInterval', pattern: /(?<![.\w#])setInterval\s*\(/ },
  { name: 'setImmediate', pattern: /(?<![.\w#])setImmediate\s*\(/ },
  { name: 'crypto.randomUUID()', pattern: /\brandomUUID\s*\(/ },
];

/** Comments may mention what code must not do; only code counts. */
const stripComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

const files = [...sourceFiles('agent'), ...sourceFiles('simulator')];

describe('architecture', () => {
  it('finds the sources it checks', () => {
    expect(files).toContain('agent/registry/simulation-registry.ts');
    expect(files).toContain('simulator/core/clock.ts');
  });

  it.each(files)('%s does not import across the agent/simulator boundary', (file) => {
    const own = file.split('/')[0];
    const other = own === 'agent' ? 'simulator' : 'agent';
    const text = readFileSync(join(root, file), 'utf8');
    for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)) {
      const spec = match[1] ?? '';
      if (!spec.startsWith('.')) continue;
      const target = relative(root, resolve(root, dirname(file), spec));
      expect(target.startsWith(`${other}/`), `${file} imports ${spec}`).toBe(false);
    }
  });

  it.each(files.filter((f) => !(f in PLATFORM_FILES)))('%s reads time, randomness and the network only through injected dependencies', (file) => {
    const code = stripComments(readFileSync(join(root, file), 'utf8'));
    for (const { name, pattern } of FORBIDDEN) {
      expect(pattern.test(code), `${file} calls ${name}; take a Clock/Random/IdGenerator instead`).toBe(false);
    }
    const callsBareFetch = /(?<![.\w#])fetch\s*\(/.test(code);
    const hasLocalFetch = /\bfetch\s*[:,}=)]|\{\s*fetch\b|\(\s*fetch\b/.test(code);
    expect(callsBareFetch && !hasLocalFetch, `${file} calls the global fetch; take an injected fetch instead`).toBe(false);
  });

  it.each(files)('%s has no default export', (file) => {
    expect(/^\s*export\s+default\b/m.test(readFileSync(join(root, file), 'utf8'))).toBe(false);
  });

  it('would catch a forbidden call in logic code', () => {
    const sample = stripComments('// Date.now() in a comment is fine\nconst t = Date.now();');
    expect(FORBIDDEN.some(({ pattern }) => pattern.test(sample))).toBe(true);
    expect(FORBIDDEN.some(({ pattern }) => pattern.test(stripComments('// setTimeout(x) explained')))).toBe(false);
  });
});
