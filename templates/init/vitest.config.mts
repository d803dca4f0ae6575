import { defineConfig } from 'vitest/config';

// A test that runs agents starts a Temporal worker, which bundles Baton's workflows first
// (a few seconds): give tests more than vitest's default 5 s.
export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 60_000 },
});
