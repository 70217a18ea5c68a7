import { defineConfig } from 'vitest/config';

export const config = defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // Most files wait on real sockets, simulated speech and agent start-up, not on CPU: on two
    // cores three workers halve the suite (131 s -> 66 s) where vitest's default (cores - 1) runs
    // one file at a time. One list, no e2e project: see docs/decisions/0955-test-workers.md.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});

// vitest loads the default export of its config file; this is the one exception to named exports.
export default config;
