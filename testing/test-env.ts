/**
 * One call gives a test everything it needs to run agents: a connection to the test server
 * (TEMPORAL_ADDRESS, or a dev server started for the run), a Baton worker for the test's
 * config on a task queue of its own, and a typed client.
 */
import { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { validateConfig, type BatonConfig, type BatonConfigInput } from '../config/define-config';
import { loadConfig } from '../config/load-config';
import { BatonClient } from '../client/baton-client';
import { dataConverterFor } from '../codec/settings';
import { createBatonWorker, type BatonWorkerOptions } from '../workers/create-worker';
import type { ModelProvider } from '../activities/providers/provider';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from './temporal';

/** What a test runs: its config, the models standing in for providers, and where. */
export interface BatonTestEnvOptions {
  /** The config: an object (`defineConfig(...)`, validated here) or the path of a config file. */
  config: BatonConfigInput | BatonConfig | string;
  /** Models by provider name; each replaces that provider (or adds one), e.g. `{ openai: scriptedModel([...]) }`. */
  models?: Record<string, ModelProvider>;
  /** A connection to share between envs of one test file; by default each env connects (and closes) its own. */
  temporal?: TestTemporal;
  /** The server, when no `temporal` is given (default: TEMPORAL_ADDRESS, else a dev server started for this process). */
  address?: string;
  namespace?: string;
  /** Prefix of the unique task queue (default `baton-test`). */
  taskQueuePrefix?: string;
  /** Worker options to pass through: your own stores, ledger, MCP connections, pool, environment. */
  worker?: Pick<BatonWorkerOptions, 'mcp' | 'toolLedger' | 'toolCache' | 'contentStore' | 'pool' | 'env'>;
}

/** A running test setup; `close()` it when done (in an `afterAll`, a `finally`). */
export interface BatonTestEnv {
  /** The validated config, with `temporal.taskQueue` set to this env's unique queue. */
  config: BatonConfig;
  /** Starts runs and reads them, like in your service. */
  client: BatonClient;
  temporal: TestTemporal;
  taskQueue: string;
  /** The worker that serves the next (or current) `run`. */
  readonly worker: Worker;
  /** Runs the worker until `fn` settles, then stops it; callable again (a fresh worker each time). */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Keeps a worker running in the background until `close()` (for suites that start runs in many tests). */
  startWorker(): void;
  /** Throws if a scripted model of this env has steps no call consumed. */
  assertScriptsDone(): void;
  /** Stops the background worker and closes the connections this env opened. */
  close(): Promise<void>;
}

async function resolveConfig(config: BatonTestEnvOptions['config']): Promise<BatonConfigInput | BatonConfig> {
  return typeof config === 'string' ? loadConfig(config) : config;
}

/** Starts a Baton worker for `options.config` on a unique task queue and connects a client to it. */
export async function createBatonTestEnv(options: BatonTestEnvOptions): Promise<BatonTestEnv> {
  const raw = await resolveConfig(options.config);
  const taskQueue = uniqueTaskQueue(options.taskQueuePrefix ?? 'baton-test');
  const scripted = Object.fromEntries(Object.entries(options.models ?? {}).map(([name, model]) => [name, { type: 'scripted' as const, model }]));
  const config = validateConfig({
    ...raw,
    providers: { ...raw.providers, ...scripted },
    temporal: { ...raw.temporal, taskQueue },
  }, typeof options.config === 'string' ? options.config : 'test config');
  const temporal = options.temporal ?? (await connectTestTemporal({ address: options.address, namespace: options.namespace }));
  const ownsConnection = !options.temporal;
  const dataConverter = dataConverterFor(config.encryption, options.worker?.env);
  const temporalClient = dataConverter ? new Client({ connection: temporal.connection, namespace: temporal.namespace, dataConverter }) : temporal.client;
  const client = new BatonClient(temporalClient, config, { namespace: temporal.namespace });
  const newWorker = () => createBatonWorker({ ...options.worker, config, connection: temporal.nativeConnection, namespace: temporal.namespace });

  let worker: Worker;
  try {
    worker = await newWorker();
  } catch (err) {
    if (ownsConnection) await temporal.close();
    throw err;
  }
  let used = false;
  let background: { worker: Promise<Worker>; running: Promise<void> } | undefined;
  const nextWorker = async () => {
    if (used) worker = await newWorker();
    used = true;
    return worker;
  };
  return {
    config,
    client,
    temporal,
    taskQueue,
    get worker() {
      return worker;
    },
    async run(fn) {
      if (background) return fn();
      return (await nextWorker()).runUntil(fn);
    },
    startWorker() {
      if (background) return;
      const started = nextWorker();
      background = { worker: started, running: started.then((w) => w.run()) };
    },
    assertScriptsDone() {
      for (const settings of Object.values(config.providers)) {
        // Duck-typed: a config file loaded through tsx may hold its own copy of the ScriptedModel class.
        const model: unknown = settings.type === 'scripted' ? settings.model : undefined;
        if (model && typeof (model as { assertDone?: unknown }).assertDone === 'function') (model as { assertDone(): void }).assertDone();
      }
    },
    async close() {
      if (background) {
        const running = await background.worker;
        if (running.getState() === 'RUNNING') running.shutdown();
        await background.running;
        background = undefined;
      }
      if (ownsConnection) await temporal.close();
    },
  };
}
