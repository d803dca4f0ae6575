/** Applies a pool's limits to a worker: its queue, its rate limits, its model and tool call concurrency. */
import type { BatonActivities, ProviderEntry } from '../activities';
import { limitConcurrency, rateLimitedProvider, Semaphore, TokenBucket } from '../activities/pool-limits';
import { ConfigError, type BatonConfig } from '../config/define-config';
import { allPools, defaultPoolName, resolvePool, type ResolvedPool } from '../config/pools';

/** The pool a worker serves (`--pool`, else `default`); an unknown name is a config error naming the pools. */
export function servedPool(config: BatonConfig, name: string | undefined): ResolvedPool {
  const pool = resolvePool(config, name ?? defaultPoolName);
  if (!pool) throw new ConfigError('worker', [{ path: 'pool', message: `unknown pool "${name}"; configured pools: ${allPools(config).map((p) => p.name).join(', ')}` }]);
  return pool;
}

/** Puts each provider with a request rate limit in this pool behind its own token bucket. */
export function rateLimitedProviders(providers: Map<string, ProviderEntry>, pool: ResolvedPool): Map<string, ProviderEntry> {
  for (const [name, limit] of Object.entries(pool.settings.providers)) {
    const entry = providers.get(name);
    if (!entry) continue;
    const bucket = new TokenBucket(limit.requestsPerMinute / 60, limit.burst);
    providers.set(name, { ...entry, provider: rateLimitedProvider(entry.provider, bucket) });
  }
  return providers;
}

/** The activities with the pool's per-worker caps on concurrent model calls and tool calls. */
export function withCallLimits(activities: BatonActivities, pool: ResolvedPool): BatonActivities {
  const { modelCalls, toolCalls } = pool.settings;
  return {
    ...activities,
    ...(modelCalls ? { callModel: limitConcurrency(activities.callModel, new Semaphore(modelCalls)) } : {}),
    ...(toolCalls ? { runTool: limitConcurrency(activities.runTool, new Semaphore(toolCalls)) } : {}),
  };
}
