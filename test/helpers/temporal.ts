/** Connects tests to the run's shared dev server (global-setup's), through the testing kit; each test uses its own task queue. */
import { inject } from 'vitest';
import { connectTestTemporal, type TestTemporal } from '../../testing';

export { uniqueTaskQueue, uniqueWorkflowId } from '../../testing';

let env: Promise<TestTemporal> | undefined;

/**
 * One connection per test file, on the server global-setup started (or TEMPORAL_ADDRESS):
 * `env.client`, `env.nativeConnection` for workers, `env.namespace`. Close it in `afterAll`
 * with {@link closeTestEnv}.
 */
export function getTestEnv(): Promise<TestTemporal> {
  env ??= connectTestTemporal({ address: inject('temporalAddress'), namespace: inject('temporalNamespace') }).catch((err: unknown) => {
    env = undefined; // let a later call retry instead of caching the failure
    throw err;
  });
  return env;
}

/** Closes this file's connections (the server itself belongs to global-setup). */
export async function closeTestEnv(): Promise<void> {
  const current = env;
  env = undefined;
  await (await current)?.close();
}
