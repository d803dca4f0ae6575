/**
 * `baton store prune [--older-than <duration>] [--dry-run]`: applies the stores' retention.
 * Removes content-store entries older than `contentStore.retention` that no younger entry
 * needs (a live conversation keeps all its segments), and tool-cache entries that expired
 * or are older than `toolCache.retention` (default 30d each); prints what it removed.
 */
import { DurationSchema, durationToMs } from '../../../core';
import type { BatonConfig } from '../../../config/define-config';
import { defaultStoreRetention, type StoreSettings } from '../../../config/schema';
import type { PruneOptions, PruneReport } from '../../../activities/store-files';
import { openContentStore, openToolCache } from '../../../workers/create-worker';
import { configFor, UsageError, type GlobalFlags } from '../context';
import { table } from '../format';

/** One store `baton store prune` can prune. */
export interface PrunableStore {
  name: string;
  where: string;
  retention: string | number;
  prune?(olderThanMs: number, options: PruneOptions): Promise<PruneReport>;
}

function where(settings: StoreSettings): string {
  return settings.type === 'file' ? settings.dir : `postgres ($${settings.urlEnv})`;
}

/**
 * Hook for the tool-call ledger: when the worker's ledger exists and has `prune(olderThanMs)`,
 * return it here so `baton store prune` prunes it with the tool cache's retention.
 */
export function toolLedgerToPrune(_config: BatonConfig): PrunableStore | undefined {
  return undefined;
}

/** The configured stores, each with its retention. */
export function prunableStores(config: BatonConfig): PrunableStore[] {
  const content = openContentStore(config.contentStore);
  const cache = openToolCache(config.toolCache);
  const stores: PrunableStore[] = [
    { name: 'content store', where: where(config.contentStore), retention: config.contentStore.retention ?? defaultStoreRetention, prune: content.prune?.bind(content) },
    { name: 'tool cache', where: where(config.toolCache), retention: config.toolCache.retention ?? defaultStoreRetention, prune: cache.prune?.bind(cache) },
  ];
  const ledger = toolLedgerToPrune(config);
  return ledger ? [...stores, ledger] : stores;
}

function kilobytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

export async function storePruneCommand(flags: { olderThan?: string; dryRun?: boolean }, globals: GlobalFlags): Promise<number> {
  const olderThan = flags.olderThan === undefined ? undefined : DurationSchema.safeParse(flags.olderThan);
  if (olderThan && !olderThan.success) throw new UsageError(`--older-than: expected a duration such as "30d", "12h" or "90m", got "${flags.olderThan}"`);
  const config = (await configFor(globals, true)) as BatonConfig;
  const rows = [['store', 'where', 'older than', flags.dryRun ? 'would remove' : 'removed', 'kept']];
  for (const store of prunableStores(config)) {
    const age = olderThan?.data ?? store.retention;
    if (!store.prune) {
      rows.push([store.name, store.where, String(age), 'not supported by this store', '-']);
      continue;
    }
    const report = await store.prune(durationToMs(age), { dryRun: flags.dryRun });
    rows.push([store.name, store.where, String(age), `${report.removed} ${report.removed === 1 ? 'entry' : 'entries'} (${kilobytes(report.bytes)})`, String(report.kept)]);
  }
  console.log(table(rows));
  return 0;
}
