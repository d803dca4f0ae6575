/**
 * The content store: conversations (and other large content) live here and workflows
 * carry only references, so a run's history does not grow with the conversation.
 * Entries are content-addressed (sha256 of their JSON), written once and never changed,
 * so retries and replays can read them at any time. Conversations are stored as chains
 * of appended segments (see ./conversation-store).
 *
 * The embedded default is a folder of files (`.baton/content`), which needs no server;
 * files are created 0600 and folders 0700 (readable only by the worker's user). With
 * workers on several machines, every worker must see the same entries: point
 * `contentStore.dir` at a shared filesystem, or implement `ContentStore` over a shared
 * backend (S3, GCS, PostgreSQL, Redis) and pass it to `createBatonWorker`.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { linksOf } from './conversation-store';
import { listStoreFiles, removeFiles, syncWriteLimit, type PruneOptions, type PruneReport, type StoreFile } from './store-files';

/**
 * A reference the store does not hold (pruned, or written to another worker's store). Custom
 * stores should throw it too, so callers that can do without the entry (model calls by
 * reference) recover instead of retrying.
 */
export class ContentNotFoundError extends Error {
  override readonly name = 'ContentNotFoundError';
}

export interface ContentStore {
  /** Stores a JSON value; returns its reference (`sha256:<hex>`). Storing it again refreshes its age. */
  put(value: unknown): Promise<string>;
  /** Reads a value back; throws if the reference is unknown. */
  get<T>(ref: string): Promise<T>;
  /**
   * Removes entries older than `olderThanMs` that no younger entry links to (through a
   * conversation's earlier segments or its stored tool results). Optional for custom stores.
   */
  prune?(olderThanMs: number, options?: PruneOptions): Promise<PruneReport>;
}

/** Owner-only modes for every store file and folder. */
export const storeModes = { file: 0o600, dir: 0o700 } as const;

/** Folders this process made or found: a write into one skips the mkdir (a session turn's write is on its path). */
const madeDirs = new Set<string>();

/**
 * Writes `text` to `file` atomically (temp file + rename), owner-only. With `createInPlace` (a
 * content-addressed entry, whose reference nobody has before the write returns) a file that
 * does not exist yet is created in place, saving the rename; one that exists (stored before,
 * or cut short by a crash) is replaced atomically as before, which also refreshes its age.
 */
export async function writeStoreFile(file: string, text: string, createInPlace = false): Promise<void> {
  const dir = path.dirname(file);
  if (!madeDirs.has(dir)) {
    await mkdir(dir, { recursive: true, mode: storeModes.dir });
    madeDirs.add(dir);
  }
  const write = async () => {
    if (createInPlace) {
      try {
        // One synchronous create (open, write, close) instead of three thread-pool round trips.
        if (text.length <= syncWriteLimit) return writeFileSync(file, text, { mode: storeModes.file, flag: 'wx' });
        return await writeFile(file, text, { mode: storeModes.file, flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    await writeFile(temp, text, { mode: storeModes.file });
    await rename(temp, file);
  };
  try {
    await write();
  } catch (err) {
    // The folder went away since (removed by hand, a fresh volume): make it again once.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(dir, { recursive: true, mode: storeModes.dir });
    await write();
  }
}

export class FileContentStore implements ContentStore {
  constructor(readonly dir: string) {}

  private file(ref: string): string {
    const hex = /^sha256:([0-9a-f]{64})$/.exec(ref)?.[1];
    if (!hex) throw new Error(`not a content reference: ${ref}`);
    return path.join(this.dir, hex.slice(0, 2), `${hex}.json`);
  }

  async put(value: unknown): Promise<string> {
    const text = JSON.stringify(value);
    const ref = `sha256:${createHash('sha256').update(text).digest('hex')}`;
    await writeStoreFile(this.file(ref), text, true);
    return ref;
  }

  async get<T>(ref: string): Promise<T> {
    try {
      return JSON.parse(await readFile(this.file(ref), 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new ContentNotFoundError(`content ${ref} is not in the store at ${this.dir} (do all workers share one content store?)`);
      }
      throw err;
    }
  }

  async prune(olderThanMs: number, options: PruneOptions = {}): Promise<PruneReport> {
    const cutoff = Date.now() - olderThanMs;
    const files = await listStoreFiles(this.dir, 2);
    const byRef = new Map<string, StoreFile>();
    for (const f of files) {
      const hex = /^([0-9a-f]{64})\.json$/.exec(path.basename(f.path))?.[1];
      if (hex) byRef.set(`sha256:${hex}`, f);
    }
    // Mark: everything reachable from a young entry stays, however old it is.
    const live = new Set([...byRef].filter(([, f]) => f.mtimeMs > cutoff).map(([ref]) => ref));
    const queue = [...live];
    for (let ref = queue.pop(); ref; ref = queue.pop()) {
      let value: unknown;
      try {
        value = await this.get<unknown>(ref);
      } catch {
        continue;
      }
      for (const link of linksOf(value)) {
        if (!byRef.has(link) || live.has(link)) continue;
        live.add(link);
        queue.push(link);
      }
    }
    const liveFiles = new Set([...live].map((ref) => byRef.get(ref)?.path));
    const old = files.filter((f) => f.mtimeMs <= cutoff && !liveFiles.has(f.path));
    return removeFiles(old, files.length, options);
  }
}
