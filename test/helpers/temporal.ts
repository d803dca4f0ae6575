/** Connects tests to the run's shared dev server; each test uses its own task queue. */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';

let env: Promise<TestWorkflowEnvironment> | undefined;

/** One environment per test file, on the server global-setup started. */
export function getTestEnv(): Promise<TestWorkflowEnvironment> {
  if (!env) Runtime.install({ logger: new DefaultLogger('WARN') });
  env ??= TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress'), namespace: inject('temporalNamespace') });
  return env;
}

/** Closes this file's connections (the server itself belongs to global-setup). */
export async function closeTestEnv(): Promise<void> {
  const current = env;
  env = undefined;
  await (await current)?.teardown();
}

export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export function uniqueWorkflowId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}
