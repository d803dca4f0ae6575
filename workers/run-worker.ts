/**
 * Runs a Baton worker until SIGINT/SIGTERM, then shuts down gracefully: it stops
 * polling, lets in-flight activities finish for `worker.shutdownGraceTime`, and exits.
 */
import type { BatonConfig } from '../config/define-config';
import { connectWorker, resolveConnectionSettings, type ConnectionOverrides } from '../client/connection';
import { createBatonWorker, openMcpPool } from './create-worker';

export interface RunWorkerOptions extends ConnectionOverrides {
  taskQueue?: string;
  log?: (line: string) => void;
}

export async function runWorker(config: BatonConfig, options: RunWorkerOptions = {}): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line));
  const settings = resolveConnectionSettings(options, config.temporal);
  const connection = await connectWorker(settings);
  const mcp = await openMcpPool(config, log);
  try {
    const worker = await createBatonWorker({ config, connection, namespace: settings.namespace, taskQueue: options.taskQueue, mcp });
    const queue = options.taskQueue ?? config.temporal.taskQueue;
    log(`baton worker ready · ${settings.address} · namespace ${settings.namespace} · task queue ${queue}`);
    log(`  agents: ${Object.keys(config.agents).join(', ') || 'none'}`);
    log(`  tools: ${config.tools.map((t) => t.spec.name).join(', ') || 'none'}`);
    if (mcp) log(`  mcp servers: ${Object.keys(config.mcpServers).join(', ')}`);
    await worker.run();
    log('baton worker stopped');
  } finally {
    await mcp?.close();
    await connection.close();
  }
}
