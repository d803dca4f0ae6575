/**
 * `baton store prune [--older-than <duration>] [--dry-run]`: applies the stores' retention.
 * Removes content-store entries older than `contentStore.retention` that no younger entry
 * needs (a live conversation keeps all its segments), and tool-cache entries that expired
 * or are older than `toolCache.retention` (default 30d each), and tool-call ledger entries
 * older than the tool cache's retention; prints what it removed.
 */
import path from 'node:path';
import { DurationSchema, durationToMs } from '../../../core';
import type { BatonConfig } from '../../../config/define-config';
import { defaultStoreRetention, type StoreSettings } from '../../../config/schema';
import type { PruneOptions, PruneReport } from '../../../activities/store-files';
import { openContentStore, openToolCache, openToolLedger } from '../../../workers/create-worker';
import { configFor, UsageError, type GlobalFlags } from '../context';
import { table } from '../format';

/** One store `baton store prune` can prune. */
export interface PrunableStore {
  name: string;
  where: string;
  retention: string | number;
  /** Undefined when the store cannot prune; `bytes` is undefined when the store does not count them. */
  prune?(olderThanMs: number, options: PruneOptions): Promise<PruneReport | Omit<PruneReport, 'bytes'>>;
  /** False when the store has no dry run (it is then left alone by `--dry-run`). */
  dryRun?: boolean;
}

function where(settings: StoreSettings): string {
  return settings.type === 'file' ? settings.dir : `postgres ($${settings.urlEnv})`;
}

/** The tool-call ledger lives in the tool cache's store and follows its retention. */
function toolLedgerToPrune(config: BatonConfig): PrunableStore {
  const ledger = openToolLedger(config.toolCache);
  const at = config.toolCache.type === 'file' ? path.join(config.toolCache.dir, 'ledger') : where(config.toolCache);
  return { name: 'tool-call ledger', where: at, retention: config.toolCache.retention ?? defaultStoreRetention, prune: (ms) => ledger.prune(ms), dryRun: false };
}

/** The configured stores, each with its retention. */
export function prunableStores(config: BatonConfig): PrunableStore[] {
  const content = openContentStore(config.contentStore);
  const cache = openToolCache(config.toolCache);
  const stores: PrunableStore[] = [
    { name: 'content store', where: where(config.contentStore), retention: config.contentStore.retention ?? defaultStoreRetention, prune: content.prune?.bind(content) },
    { name: 'tool cache', where: where(config.toolCache), retention: config.toolCache.retention ?? defaultStoreRetention, prune: cache.prune?.bind(cache) },
  ];
  return [...stores, toolLedgerToPrune(config)];
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
    if (!store.prune || (flags.dryRun && store.dryRun === false)) {
      rows.push([store.name, store.where, String(age), store.prune ? 'left alone (no dry run)' : 'not supported by this store', '-']);
      continue;
    }
    const report = await store.prune(durationToMs(age), { dryRun: flags.dryRun });
    const bytes = 'bytes' in report ? ` (${kilobytes(report.bytes)})` : '';
    rows.push([store.name, store.where, String(age), `${report.removed} ${report.removed === 1 ? 'entry' : 'entries'}${bytes}`, String(report.kept)]);
  }
  console.log(table(rows));
  return 0;
}
