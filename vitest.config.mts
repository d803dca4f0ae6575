import { defineConfig } from 'vitest/config';

// One Temporal dev server per test run (globalSetup); test files run one at a time in a
// forked process, because the machine has 2 cores and workers bundle workflows.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
