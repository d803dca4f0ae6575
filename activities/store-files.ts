/** Shared by the file stores (content, tool cache): listing entries with their age, and pruning them. */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Store writes up to this many bytes (characters, for text) are synchronous: a few KB into the
 * page cache cost microseconds, less than the thread-pool round trips of an asynchronous write,
 * which the activity's completion waits for. Bigger writes go through the thread pool, so the
 * event loop is not held. Used by the content store's new entries and the tool ledger's lines.
 */
export const syncWriteLimit = 64 * 1024;

/** How a prune runs: `dryRun` reports what would go and removes nothing. */
export interface PruneOptions {
  dryRun?: boolean;
}

/** What a prune removed (or, dry, would remove), and how many entries it kept. */
export interface PruneReport {
  removed: number;
  bytes: number;
  kept: number;
}

/** One file of a store, with its last write time. */
export interface StoreFile {
  path: string;
  mtimeMs: number;
  size: number;
}

/** Every file under `dir` down to `depth` levels of folders; a missing folder is an empty store. */
export async function listStoreFiles(dir: string, depth: number): Promise<StoreFile[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: StoreFile[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && depth > 1) out.push(...(await listStoreFiles(full, depth - 1)));
    else if (entry.isFile()) {
      const info = await stat(full).catch(() => undefined);
      if (info) out.push({ path: full, mtimeMs: info.mtimeMs, size: info.size });
    }
  }
  return out;
}

/** Removes `files` (unless dry) out of `total` entries and reports it. */
export async function removeFiles(files: StoreFile[], total: number, options: PruneOptions): Promise<PruneReport> {
  if (!options.dryRun) await Promise.all(files.map((f) => rm(f.path, { force: true })));
  return { removed: files.length, bytes: files.reduce((n, f) => n + f.size, 0), kept: total - files.length };
}
