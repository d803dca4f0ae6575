/**
 * Tool-result cache, shared across runs. Keys are hashes of the tool name and the chosen
 * argument fields; values are tool results with an expiry. Entries hold results only,
 * never environment secrets (tools read those themselves and must not return them).
 *
 * The embedded default is a folder of files (`.baton/cache`), which needs no server;
 * files are created 0600 and the folder 0700. With workers on several machines, point
 * `toolCache.dir` at a shared filesystem or implement `ToolCache` over a shared backend
 * and pass it to `createBatonWorker`.
 */
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { stableStringify } from '../core';
import { writeStoreFile } from './content-store';
import { listStoreFiles, removeFiles, type PruneOptions, type PruneReport } from './store-files';

export interface ToolCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, content: string, ttlMs: number): Promise<void>;
  /** Removes expired entries and entries written more than `olderThanMs` ago. Optional for custom caches. */
  prune?(olderThanMs: number, options?: PruneOptions): Promise<PruneReport>;
}

/** The cache key of a call: the tool and the argument fields its policy names (all by default). */
export function cacheKey(tool: string, args: unknown, fields?: string[]): string {
  const picked = fields && args && typeof args === 'object' ? Object.fromEntries(fields.map((f) => [f, (args as Record<string, unknown>)[f]])) : args;
  return `${tool}:${createHash('sha256').update(stableStringify(picked)).digest('hex')}`;
}

interface CacheEntry {
  key: string;
  expiresAt: number;
  content: string;
}

export class FileToolCache implements ToolCache {
  constructor(readonly dir: string) {}

  private file(key: string): string {
    return path.join(this.dir, `${createHash('sha256').update(key).digest('hex')}.json`);
  }

  async get(key: string): Promise<string | undefined> {
    try {
      const entry = JSON.parse(await readFile(this.file(key), 'utf8')) as CacheEntry;
      if (entry.key === key && entry.expiresAt > Date.now()) return entry.content;
      await rm(this.file(key), { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return undefined;
  }

  async set(key: string, content: string, ttlMs: number): Promise<void> {
    await writeStoreFile(this.file(key), JSON.stringify({ key, expiresAt: Date.now() + ttlMs, content }));
  }

  async prune(olderThanMs: number, options: PruneOptions = {}): Promise<PruneReport> {
    const now = Date.now();
    const files = await listStoreFiles(this.dir, 1);
    // Only whole entries are read; a temp file of a write in progress goes by age alone.
    const expired = async (file: string) => {
      if (!/^[0-9a-f]{64}\.json$/.test(path.basename(file))) return false;
      try {
        return (JSON.parse(await readFile(file, 'utf8')) as CacheEntry).expiresAt <= now;
      } catch {
        return false;
      }
    };
    const old = [];
    for (const f of files) if (f.mtimeMs <= now - olderThanMs || (await expired(f.path))) old.push(f);
    return removeFiles(old, files.length, options);
  }
}
