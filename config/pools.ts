/**
 * Worker pools: a named task queue with its limits. Agents name a pool, a pool resolves to its
 * task queue (the agent's activities go there), and `baton worker --pool <name>` serves it.
 */
import { z } from 'zod';
import { notReserved } from '../core';
import { mcpServerOf } from '../activities/tools/mcp-config';
import type { BatonConfig } from './schema';

/** The pool a worker without `--pool` serves: the config's `temporal.taskQueue`. */
export const defaultPoolName = 'default';

/** A provider's request rate limit inside one worker: a token bucket in front of every request. */
export const ProviderRateLimitSchema = z
  .object({
    /** Requests per minute this worker sends to the provider; a call over it waits (heartbeating) for capacity. */
    requestsPerMinute: z.number().positive().optional(),
    /** Requests that may go at once after a quiet spell (the bucket's size); default 1. */
    burst: z.number().int().positive().default(1),
    /** Input + output tokens per minute: each answer is charged afterwards, and calls wait while the minute's tokens are spent. */
    tokensPerMinute: z.number().positive().optional(),
    /** Tokens that may be spent at once after a quiet spell (default: a minute's worth). */
    tokenBurst: z.number().int().positive().optional(),
  })
  .strict()
  .refine((limit) => limit.requestsPerMinute !== undefined || limit.tokensPerMinute !== undefined, { error: 'set requestsPerMinute, tokensPerMinute or both' });
export type ProviderRateLimit = z.output<typeof ProviderRateLimitSchema>;

/** One pool's queue and limits. */
export const PoolSettingsSchema = z
  .object({
    /** Its task queue (default: the pool's name; for the pool `default`, `temporal.taskQueue`). */
    taskQueue: z.string().min(1).optional(),
    /** Model calls one worker of the pool runs at once; the rest wait in the worker (heartbeating). */
    modelCalls: z.number().int().positive().optional(),
    /** Tool calls one worker of the pool runs at once; the rest wait in the worker (heartbeating). */
    toolCalls: z.number().int().positive().optional(),
    /** Activities per second for the whole pool, across all its workers (Temporal's task-queue rate limit). */
    activitiesPerSecond: z.number().positive().optional(),
    /** Request rate limits per provider name, inside each worker of the pool. */
    providers: z.record(notReserved(z.string().min(1)), ProviderRateLimitSchema).default({}),
  })
  .strict();
export type PoolSettings = z.output<typeof PoolSettingsSchema>;

export const PoolsSchema = z.record(notReserved(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/, 'pool names are letters, digits, "_" or "-", starting with a letter')), PoolSettingsSchema);

/** A pool as a worker serves it: its name, task queue and limits. */
export interface ResolvedPool {
  name: string;
  taskQueue: string;
  settings: PoolSettings;
}

type PoolConfig = Pick<BatonConfig, 'pools' | 'temporal'>;

let defaults: PoolSettings | undefined;
/** An unconfigured pool's settings (the schema's defaults), parsed once. */
const defaultPoolSettings = (): PoolSettings => (defaults ??= PoolSettingsSchema.parse({}));

/** The pool's settings, or undefined when the config has no such pool (`default` always exists). */
export function resolvePool(config: PoolConfig, name: string = defaultPoolName): ResolvedPool | undefined {
  const settings = Object.hasOwn(config.pools, name) ? config.pools[name] : undefined;
  if (!settings && name !== defaultPoolName) return undefined;
  const fallbackQueue = name === defaultPoolName ? config.temporal.taskQueue : name;
  return { name, taskQueue: settings?.taskQueue ?? fallbackQueue, settings: settings ?? defaultPoolSettings() };
}

/** Every pool: `default` first, then the configured ones. */
export function allPools(config: PoolConfig): ResolvedPool[] {
  const names = [defaultPoolName, ...Object.keys(config.pools).filter((n) => n !== defaultPoolName)];
  return names.map((n) => resolvePool(config, n) as ResolvedPool);
}

/** The pool an agent's activities run on: its `pool`, the pool whose queue is its `taskQueue`, or `default`. */
export function poolOfAgent(config: BatonConfig, agent: string): string {
  const entry = Object.hasOwn(config.agents, agent) ? config.agents[agent] : undefined;
  if (entry?.pool) return entry.pool;
  if (entry?.taskQueue) return allPools(config).find((p) => p.taskQueue === entry.taskQueue)?.name ?? entry.taskQueue;
  return defaultPoolName;
}

/** The MCP servers a pool's worker connects to: those its agents use. */
export function poolMcpServers(config: BatonConfig, pool: string): string[] {
  const servers = Object.keys(config.mcpServers);
  const used = new Set<string>();
  for (const [name, agent] of Object.entries(config.agents)) {
    if (poolOfAgent(config, name) !== pool) continue;
    agent.mcpServers.forEach((s) => used.add(s));
    agent.tools.forEach((tool) => {
      const server = mcpServerOf(tool, servers);
      if (server) used.add(server);
    });
  }
  return servers.filter((s) => used.has(s));
}

/**
 * The config a worker of `pool` runs with: only the MCP servers its agents use. Without
 * `--pool` (undefined) the config is served whole, as before pools existed.
 */
export function configForPool(config: BatonConfig, pool: string | undefined): BatonConfig {
  if (pool === undefined) return config;
  const keep = new Set(poolMcpServers(config, pool));
  return { ...config, mcpServers: Object.fromEntries(Object.entries(config.mcpServers).filter(([s]) => keep.has(s))) };
}
