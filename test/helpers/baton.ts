/** Starts an in-process Baton worker on a unique task queue of the shared test server. */
import type { Worker } from '@temporalio/worker';
import { validateConfig, type BatonConfig, type BatonConfigInput } from '../../config/define-config';
import { createBatonWorker } from '../../workers/create-worker';
import { BatonClient } from '../../client/baton-client';
import type { ModelProvider } from '../../activities/providers/provider';
import type { McpPool } from '../../activities/tools/mcp';
import type { ToolLedger } from '../../activities/tool-ledger';
import { getTestEnv, uniqueTaskQueue } from './temporal';

export interface TestBaton {
  config: BatonConfig;
  client: BatonClient;
  worker: Worker;
  taskQueue: string;
  /** Runs the worker until `fn` settles, then shuts it down. */
  run<T>(fn: () => Promise<T>): Promise<T>;
}

export interface TestBatonOptions extends Omit<BatonConfigInput, 'providers'> {
  providers?: BatonConfigInput['providers'];
  /** Provider implementations by name (e.g. a ScriptedModel under 'scripted'). */
  models?: Record<string, ModelProvider>;
  /** MCP connections to use (the test closes them); by default the worker makes its own. */
  mcp?: McpPool;
  /** A tool-call ledger to use instead of the configured one. */
  toolLedger?: ToolLedger;
}

/** A worker + client pair for one test, with providers given as instances. */
export async function startTestBaton(options: TestBatonOptions): Promise<TestBaton> {
  const env = await getTestEnv();
  const taskQueue = uniqueTaskQueue('baton');
  const { models = {}, providers = {}, mcp, toolLedger, ...rest } = options;
  const scriptedProviders = Object.fromEntries(Object.entries(models).map(([name, model]) => [name, { type: 'scripted' as const, model }]));
  const config = validateConfig({
    ...rest,
    providers: { ...scriptedProviders, ...providers },
    temporal: { ...rest.temporal, taskQueue },
  } as BatonConfigInput);
  const worker = await createBatonWorker({ config, connection: env.nativeConnection, namespace: env.namespace ?? 'default', mcp, toolLedger });
  const client = new BatonClient(env.client, config, { namespace: env.namespace ?? 'default' });
  return { config, client, worker, taskQueue, run: (fn) => worker.runUntil(fn) };
}
