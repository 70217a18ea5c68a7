import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  type: string;
  engines: { node: string };
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};

describe('toolchain (architecture §8)', () => {
  it('runs the tests on the pinned Node 24 line, not the system Node', () => {
    expect(Number(process.versions.node.split('.')[0])).toBe(24);
  });

  it('pins Node 24 as a devDependency and declares the supported engines', () => {
    expect(pkg.devDependencies.node).toMatch(/^\^24\./);
    expect(pkg.engines.node).toBe('>=22.12');
    expect(pkg.type).toBe('module');
  });

  it('keeps the README commands as npm scripts', () => {
    expect(pkg.scripts.test).toBe('vitest run');
    expect(pkg.scripts.typecheck).toBe('tsc --noEmit');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain('npm ci\nnpm test');
    const ci = readFileSync(new URL('../.ci/run', import.meta.url), 'utf8');
    for (const command of ['npm ci', 'npm run typecheck', 'npm test']) expect(ci).toContain(command);
  });
});
