/**
 * The content store: conversations (and other large content) live here and workflows
 * carry only references, so a run's history does not grow with the conversation.
 * Entries are content-addressed (sha256 of their JSON), written once and never changed,
 * so retries and replays can read them at any time.
 *
 * The embedded default is a folder of files (`.baton/content`), which needs no server.
 * With workers on several machines, every worker must see the same entries: point
 * `contentStore.dir` at a shared filesystem, or implement `ContentStore` over a shared
 * backend (S3, GCS, PostgreSQL, Redis) and pass it to `createBatonWorker`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface ContentStore {
  /** Stores a JSON value; returns its reference (`sha256:<hex>`). */
  put(value: unknown): Promise<string>;
  /** Reads a value back; throws if the reference is unknown. */
  get<T>(ref: string): Promise<T>;
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
    const file = this.file(ref);
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    await writeFile(temp, text);
    await rename(temp, file);
    return ref;
  }

  async get<T>(ref: string): Promise<T> {
    try {
      return JSON.parse(await readFile(this.file(ref), 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error(`content ${ref} is not in the store at ${this.dir} (do all workers share one content store?)`);
      }
      throw err;
    }
  }
}
