/**
 * Runs a Baton worker until SIGINT/SIGTERM, then shuts down gracefully: it stops
 * polling, lets in-flight activities finish for `worker.shutdownGraceTime`, and exits.
 */
import type { BatonConfig } from '../config/define-config';
import { connectWorker, resolveConnectionSettings, type ConnectionOverrides } from '../client/connection';
import { createBatonWorker, openMcpPool } from './create-worker';
import { installMetricsRuntime, metricsBindAddress } from './telemetry';
import { activeTracing } from '../client/tracing';
import { runAndDrain } from './drain';
import { flushCounters } from '../activities/call-metrics';
import { durationToMs } from '../core/durations';
import { configForPool, poolOfAgent } from '../config/pools';
import { servedPool } from './pool-limits';
import { deploymentOptionsOf } from './scaling-options';

export interface RunWorkerOptions extends ConnectionOverrides {
  taskQueue?: string;
  /** Serve this pool only: its task queue, its limits, the MCP servers its agents use. */
  pool?: string;
  log?: (line: string) => void;
  /** Serve Prometheus metrics here (`host:port` or a port); overrides the config's `worker.metrics`. */
  metrics?: string;
  /** Serve `/healthz` and `/readyz` here (`host:port` or a port); overrides the config's `worker.health`. */
  health?: string;
}

export async function runWorker(config: BatonConfig, options: RunWorkerOptions = {}): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line));
  const pool = servedPool(config, options.pool);
  const metrics = options.metrics ?? config.worker.metrics;
  const metricsAddress = metrics === undefined ? undefined : metricsBindAddress(metrics);
  // Before any connection: the Temporal runtime is created once per process.
  if (metricsAddress) installMetricsRuntime(metricsAddress);
  const settings = resolveConnectionSettings(options, config.temporal);
  const connection = await connectWorker(settings);
  const mcp = await openMcpPool(configForPool(config, options.pool), log);
  try {
    const worker = await createBatonWorker({ config, connection, namespace: settings.namespace, taskQueue: options.taskQueue, pool: options.pool, mcp });
    const queue = options.taskQueue ?? pool.taskQueue;
    log(`baton worker ready · ${settings.address} · namespace ${settings.namespace} · pool ${pool.name} · task queue ${queue}`);
    log(`  agents: ${Object.keys(config.agents).filter((a) => options.pool === undefined || poolOfAgent(config, a) === pool.name).join(', ') || 'none'}`);
    log(`  tools: ${config.tools.map((t) => t.spec.name).join(', ') || 'none'}`);
    if (mcp) log(`  mcp servers: ${Object.keys(mcp.servers).join(', ')}`);
    if (metricsAddress) log(`  metrics: http://${metricsAddress}/metrics`);
    const tracing = activeTracing();
    if (tracing) log(`  tracing: on (OTLP/HTTP, spans: ${tracing.sandbox.spans})`);
    const deployment = deploymentOptionsOf(config.worker);
    if (deployment) log(`  worker deployment: ${deployment.version.deploymentName} · build ${deployment.version.buildId} · ${deployment.defaultVersioningBehavior}`);
    if (settings.profile) log(`  connection profile: ${settings.profile} (temporal.toml)`);
    const health = options.health ?? config.worker.health;
    await runAndDrain(worker, { graceMs: durationToMs(config.worker.shutdownGraceTime), log, health: health === undefined ? undefined : { bind: health, sources: { connection, mcp, providers: Object.keys(config.providers) } } });
    log('baton worker stopped');
  } finally {
    // The model calls' counters summed since the last second reach the runtime's meter before the process goes.
    flushCounters();
    await mcp?.close();
    await connection.close();
    await activeTracing()?.shutdown();
  }
}
