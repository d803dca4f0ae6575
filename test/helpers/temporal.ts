/** Connects tests to the run's shared dev server; each test uses its own task queue. */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';

let env: Promise<TestWorkflowEnvironment> | undefined;
let runtimeInstalled = false;

/** Quiets the SDK's logs to warnings, once per process (the Runtime is a process singleton). */
function installRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch (err) {
    // Something in this process already created the Runtime: keep it.
    if (!/already been instantiated/.test(String(err))) throw err;
  }
}

/**
 * One environment per test file, on the server global-setup started (or TEMPORAL_ADDRESS):
 * `env.client`, `env.nativeConnection` for workers, `env.namespace`. Close it in `afterAll`
 * with {@link closeTestEnv}.
 */
export function getTestEnv(): Promise<TestWorkflowEnvironment> {
  installRuntime();
  env ??= TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress'), namespace: inject('temporalNamespace') }).catch((err: unknown) => {
    env = undefined; // let a later call retry instead of caching the failure
    throw err;
  });
  return env;
}

/** Closes this file's connections (the server itself belongs to global-setup). */
export async function closeTestEnv(): Promise<void> {
  const current = env;
  env = undefined;
  await (await current)?.teardown();
}

/** A task queue no other test uses, e.g. `agent-3f2a9c1d`. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A workflow id no other test uses, e.g. `agent-<uuid>`. */
export function uniqueWorkflowId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}
