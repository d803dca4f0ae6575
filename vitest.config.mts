import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (file: string) => fileURLToPath(new URL(file, import.meta.url));

// One Temporal dev server per test run (globalSetup); test files run one at a time in a
// forked process, because the machine has 2 cores and workers bundle workflows.
// In the repository the package's own names resolve to its sources, as tsconfig.json's
// `paths` do for tsc and tsx (the exports map points at the build in dist/).
export default defineConfig({
  resolve: {
    alias: [
      { find: /^baton$/, replacement: source('./index.ts') },
      { find: /^baton\/workflows$/, replacement: source('./workflows/public.ts') },
      { find: /^baton\/worker$/, replacement: source('./workers/index.ts') },
      { find: /^baton\/testing$/, replacement: source('./testing/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    // Room for a loaded 2-core CI machine (a first worker bundling workflows, CLI processes
    // started one after another); tests assert behaviour, never how fast a machine is.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
