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

/** Puts each provider with a rate limit in this pool behind its own buckets (a token bucket for requests, one for tokens). */
export function rateLimitedProviders(providers: Map<string, ProviderEntry>, pool: ResolvedPool): Map<string, ProviderEntry> {
  for (const [name, limit] of Object.entries(pool.settings.providers)) {
    const entry = providers.get(name);
    if (!entry) continue;
    const requests = limit.requestsPerMinute === undefined ? undefined : new TokenBucket(limit.requestsPerMinute / 60, limit.burst);
    // A minute's worth of tokens may go at once; spending more puts the bucket in debt.
    const tokens = limit.tokensPerMinute === undefined ? undefined : new TokenBucket(limit.tokensPerMinute / 60, limit.tokenBurst ?? limit.tokensPerMinute);
    providers.set(name, { ...entry, provider: rateLimitedProvider(entry.provider, { requests, tokens }) });
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
