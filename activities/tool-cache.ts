/**
 * Tool-result cache, shared across runs. Keys are hashes of the tool name and the chosen
 * argument fields; values are tool results with an expiry. Entries hold results only,
 * never environment secrets (tools read those themselves and must not return them).
 *
 * The embedded default is a folder of files (`.baton/cache`), which needs no server; with
 * workers on several machines, point `toolCache.dir` at a shared filesystem or implement
 * `ToolCache` over a shared backend and pass it to `createBatonWorker`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stableStringify } from '../core';

export interface ToolCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, content: string, ttlMs: number): Promise<void>;
}

/** The cache key of a call: the tool and the argument fields its policy names (all by default). */
export function cacheKey(tool: string, args: unknown, fields?: string[]): string {
  const picked = fields && args && typeof args === 'object' ? Object.fromEntries(fields.map((f) => [f, (args as Record<string, unknown>)[f]])) : args;
  return `${tool}:${createHash('sha256').update(stableStringify(picked)).digest('hex')}`;
}

export class FileToolCache implements ToolCache {
  constructor(readonly dir: string) {}

  private file(key: string): string {
    return path.join(this.dir, `${createHash('sha256').update(key).digest('hex')}.json`);
  }

  async get(key: string): Promise<string | undefined> {
    try {
      const entry = JSON.parse(await readFile(this.file(key), 'utf8')) as { key: string; expiresAt: number; content: string };
      if (entry.key === key && entry.expiresAt > Date.now()) return entry.content;
      await rm(this.file(key), { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return undefined;
  }

  async set(key: string, content: string, ttlMs: number): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const temp = `${this.file(key)}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    await writeFile(temp, JSON.stringify({ key, expiresAt: Date.now() + ttlMs, content }));
    await rename(temp, this.file(key));
  }
}
