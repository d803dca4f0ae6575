/** Builds a Temporal Worker that runs Baton's workflows and activities from a config. */
import { Runtime, Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import { noopMetricMeter } from '@temporalio/common';
import path from 'node:path';
import { createActivities, FileContentStore, FileToolCache, McpPool, ToolRegistry, type ContentStore, type ProviderEntry, type ToolCache } from '../activities';
import { createProvider } from '../activities/providers/config';
import type { ModelProvider } from '../activities/providers/provider';
import { ConfigError, type BatonConfig } from '../config/define-config';
import type { StoreSettings } from '../config/schema';
import { PostgresBackend } from '../activities/postgres-backend';
import { PostgresToolLedger } from '../activities/postgres-ledger';
import { FileToolLedger, type ToolLedger } from '../activities/tool-ledger';
import { defaultPayloadLimits, type PayloadLimits } from '../activities/payload-limits';
import { getWorkflowBundle } from './workflow-bundle';
import { dataConverterFor } from '../codec/settings';
import { withContentEncryption, withLedgerEncryption, withToolCacheEncryption } from '../codec/encrypted-stores';
import { workerTracingOptions } from './telemetry';
import { runMetricSinks } from './run-metrics-sink';
import { scalingOptionsOf } from './scaling-options';
import { rateLimitedProviders, servedPool, withCallLimits } from './pool-limits';
import { configForPool } from '../config/pools';
import { heartbeatThrottleMs } from '../activities/stream-publisher';

export interface BatonWorkerOptions {
  config: BatonConfig;
  connection: NativeConnection;
  namespace?: string;
  /** Defaults to the pool's task queue (without `pool`, the config's `temporal.taskQueue`). */
  taskQueue?: string;
  /** The pool this worker serves: its task queue and limits (default: the pool `default`). */
  pool?: string;
  /** Replaces the configured tool cache (e.g. a shared backend). */
  toolCache?: ToolCache;
  /** Replaces the configured content store (e.g. a shared backend). */
  contentStore?: ContentStore;
  /** Replaces the tool-call ledger (by default it lives in the configured tool cache's store). */
  toolLedger?: ToolLedger;
  /** A prebuilt workflow bundle (`bundleWorkflowCode` at build time); by default each process bundles once at start. */
  workflowBundle?: WorkflowBundleOption;
  /** Replaces configured providers by name (embedding, tests). */
  providers?: Record<string, ModelProvider>;
  env?: NodeJS.ProcessEnv;
  /**
   * The worker's MCP connections. Without one, a pool is made for the config's servers
   * and connects on first use; pass your own (see `openMcpPool`) to connect at start and
   * to close it when the worker stops.
   */
  mcp?: McpPool;
}

/** Connects to every configured MCP server; a server that is down is logged, not fatal. */
export async function openMcpPool(config: BatonConfig, log: (line: string) => void = () => {}, env = process.env): Promise<McpPool | undefined> {
  if (!Object.keys(config.mcpServers).length) return undefined;
  const pool = new McpPool(config.mcpServers, env, log);
  await pool.start();
  return pool;
}

/** Creates every configured provider; API keys are read from the environment here only. */
export function buildProviders(config: BatonConfig, overrides: Record<string, ModelProvider> = {}, env = process.env): Map<string, ProviderEntry> {
  const entries = new Map<string, ProviderEntry>();
  for (const [name, settings] of Object.entries(config.providers)) {
    const provider = (Object.hasOwn(overrides, name) ? overrides[name] : undefined) ?? createProvider(name, settings, env);
    entries.set(name, { provider, prices: 'prices' in settings ? settings.prices : undefined, stream: settings.stream });
  }
  for (const [name, provider] of Object.entries(overrides)) {
    if (!entries.has(name)) entries.set(name, { provider });
  }
  return entries;
}

const postgresBackends = new Map<string, PostgresBackend>();

/** One PostgreSQL pool per database URL per process, shared by the cache and the content store. */
function postgresFor(urlEnv: string, env: NodeJS.ProcessEnv): PostgresBackend {
  const url = env[urlEnv];
  if (!url) throw new ConfigError('environment', [{ path: urlEnv, message: 'not set: the PostgreSQL connection string for the tool cache or content store' }]);
  let backend = postgresBackends.get(url);
  if (!backend) {
    backend = new PostgresBackend({ connectionString: url, allowExitOnIdle: true });
    postgresBackends.set(url, backend);
  }
  return backend;
}

export function openToolCache(settings: StoreSettings, env = process.env): ToolCache {
  return settings.type === 'file' ? new FileToolCache(path.resolve(settings.dir)) : postgresFor(settings.urlEnv, env).toolCache();
}

/** The tool-call ledger in the tool cache's store: `<dir>/ledger`, or the `baton_tool_ledger` table. */
export function openToolLedger(settings: StoreSettings, env = process.env): ToolLedger {
  return settings.type === 'file' ? new FileToolLedger(path.join(path.resolve(settings.dir), 'ledger')) : new PostgresToolLedger(postgresFor(settings.urlEnv, env).pool);
}

/** The worker's payload limits: the config's `worker` settings over the defaults. */
export function payloadLimitsOf(worker: BatonConfig['worker']): PayloadLimits {
  return {
    maxPayloadBytes: worker.maxPayloadBytes ?? defaultPayloadLimits.maxPayloadBytes,
    storeToolResultsOver: worker.storeToolResultsOver ?? defaultPayloadLimits.storeToolResultsOver,
  };
}

/** The configured content store; sealed with the payload keys when `encryption` (the config's setting) is on. */
export function openContentStore(settings: StoreSettings, env = process.env, encryption?: BatonConfig['encryption']): ContentStore {
  const store = settings.type === 'file' ? new FileContentStore(path.resolve(settings.dir)) : postgresFor(settings.urlEnv, env).contentStore();
  return withContentEncryption(store, encryption, env);
}

/**
 * JavaScript's own error types thrown by workflow code (a bug) fail the run instead of retrying its
 * workflow task forever. Baton's workflows already turn such errors into BatonWorkflowError at their
 * boundary; this also covers signal and update handlers. A non-determinism error is not listed: it
 * still retries the task, so a fixed deployment can carry the run on.
 */
export const workflowFailureErrorTypes = { '*': ['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'URIError', 'EvalError'] };

/** Creates a worker for Baton's task queue; call `run()` or `runUntil()` on it. */
export async function createBatonWorker(options: BatonWorkerOptions): Promise<Worker> {
  // A pool's worker connects only to the MCP servers its agents use.
  const config = configForPool(options.config, options.pool);
  const pool = servedPool(config, options.pool);
  const activities = withCallLimits(createActivities({
    providers: rateLimitedProviders(buildProviders(config, options.providers, options.env), pool),
    tools: new ToolRegistry(config.tools),
    content: options.contentStore ? withContentEncryption(options.contentStore, config.encryption, options.env) : openContentStore(config.contentStore, options.env, config.encryption),
    cache: withToolCacheEncryption(options.toolCache ?? openToolCache(config.toolCache, options.env), config.encryption, options.env),
    ledger: withLedgerEncryption(options.toolLedger ?? openToolLedger(config.toolCache, options.env), config.encryption, options.env),
    limits: payloadLimitsOf(config.worker),
    circuitBreaker: config.worker.circuitBreaker,
    mcp: options.mcp ?? (Object.keys(config.mcpServers).length ? new McpPool(config.mcpServers, options.env) : undefined),
  }), pool);
  const dataConverter = dataConverterFor(config.encryption, options.env);
  const tracing = await workerTracingOptions(config.telemetry.tracing, options.env);
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? config.temporal.namespace ?? 'default',
    taskQueue: options.taskQueue ?? pool.taskQueue,
    maxTaskQueueActivitiesPerSecond: pool.settings.activitiesPerSecond,
    workflowBundle: options.workflowBundle ?? (await getWorkflowBundle(dataConverter?.failureConverterPath, tracing?.sandbox, Runtime.instance().metricMeter !== noopMetricMeter)),
    dataConverter,
    activities,
    ...scalingOptionsOf(config.worker, options.env),
    workflowThreadPoolSize: config.worker.workflowThreadPoolSize,
    shutdownGraceTime: config.worker.shutdownGraceTime,
    // Streamed model text rides on heartbeats every 100 ms; other calls pace their own (activities/heartbeats.ts).
    maxHeartbeatThrottleInterval: heartbeatThrottleMs,
    workflowFailureErrorTypes,
    ...tracing?.workerOptions,
    sinks: { ...tracing?.workerOptions.sinks, ...runMetricSinks() },
  });
}
