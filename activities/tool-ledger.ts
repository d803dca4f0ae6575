/**
 * The tool-call ledger: makes a completed tool call's effect happen once even when the
 * attempt that ran it dies before Temporal records its completion (kill -9 after the effect,
 * a lost connection). Every call is keyed by its idempotency key
 * (`<workflowId>/<runId>/<callId>`, the same on every attempt):
 *
 * - before the tool runs, `begin` records a `started` marker and returns what an earlier
 *   attempt left: a recorded result (returned as is, the tool does not run again), or a
 *   marker without a result (the tool runs with `ctx.previousAttemptMayHaveRun`);
 * - after it ran, `complete` records the result, before the activity returns.
 *
 * What remains: an attempt killed after the tool's effect but before `complete` leaves only
 * the marker, so the next attempt runs the tool again. A tool that is idempotent by key (it
 * passes `ctx.idempotencyKey` on, or checks when `previousAttemptMayHaveRun`) closes that gap.
 *
 * The embedded ledger is a folder of files (`<toolCache.dir>/ledger`, 0600 files in a 0700
 * folder); with the PostgreSQL tool cache it is the `baton_tool_ledger` table
 * (activities/postgres-ledger.ts). Entries are pruned by age with `prune`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ToolResult } from '../core';

/** What an earlier attempt of a call left in the ledger. */
export type LedgerBegin =
  | { state: 'new' }
  /** An attempt started the tool and recorded no result: it may have had its effect. */
  | { state: 'started'; attempts: number }
  | { state: 'completed'; result: ToolResult };

/** What a prune removed, and how many entries it kept. */
export interface LedgerPruneReport {
  removed: number;
  kept: number;
}

/** The ledger's interface; implement it over another shared backend and give it to `createBatonWorker`. */
export interface ToolLedger {
  /** Records a `started` marker for `key` and returns what an earlier attempt left. */
  begin(key: string, tool: string): Promise<LedgerBegin>;
  /** Records the result of the call, so no later attempt runs the tool again. */
  complete(key: string, tool: string, result: ToolResult): Promise<void>;
  /** Deletes entries last written more than `olderThanMs` ago (after their runs have closed). */
  prune(olderThanMs: number): Promise<LedgerPruneReport>;
}

interface LedgerEntry {
  key: string;
  tool: string;
  state: 'started' | 'completed';
  attempts: number;
  result?: ToolResult;
}

/** The embedded ledger: one small JSON file per call, written atomically (temp file + rename). */
export class FileToolLedger implements ToolLedger {
  private dirReady?: Promise<unknown>;

  constructor(readonly dir: string) {}

  private file(key: string): string {
    return path.join(this.dir, `${createHash('sha256').update(key).digest('hex')}.json`);
  }

  private async read(key: string): Promise<LedgerEntry | undefined> {
    try {
      const entry = JSON.parse(await readFile(this.file(key), 'utf8')) as LedgerEntry;
      return entry.key === key ? entry : undefined;
    } catch (err) {
      // Missing, or cut short by a crash mid-write: nothing was recorded.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || err instanceof SyntaxError) return undefined;
      throw err;
    }
  }

  /**
   * Writes an entry atomically (temp file + rename). With `fresh` (a result with no marker before
   * it) the file is created in place when none exists: a write cut short by a crash reads as
   * nothing recorded, which is what the temp file would have left, and it saves a rename.
   */
  private async write(entry: LedgerEntry, fresh = false): Promise<void> {
    this.dirReady ??= mkdir(this.dir, { recursive: true, mode: 0o700 }).catch((err: unknown) => {
      this.dirReady = undefined;
      throw err;
    });
    await this.dirReady;
    const file = this.file(entry.key);
    const text = JSON.stringify(entry);
    if (fresh) {
      try {
        return await writeFile(file, text, { mode: 0o600, flag: 'wx' });
      } catch (err) {
        // EEXIST: an earlier attempt's marker, replaced atomically below; ENOENT: the folder went away.
        if (!['EEXIST', 'ENOENT'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
      }
    }
    const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, text, { mode: 0o600 });
    } catch (err) {
      // The folder went away (pruned by hand, a fresh volume): create it again once.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeFile(temp, text, { mode: 0o600 });
    }
    await rename(temp, file);
  }

  async begin(key: string, tool: string): Promise<LedgerBegin> {
    const entry = await this.read(key);
    if (entry?.state === 'completed' && entry.result) return { state: 'completed', result: entry.result };
    await this.write({ key, tool, state: 'started', attempts: (entry?.attempts ?? 0) + 1 });
    return entry ? { state: 'started', attempts: entry.attempts } : { state: 'new' };
  }

  async complete(key: string, tool: string, result: ToolResult): Promise<void> {
    // No read first: the attempt count of a completed call is not used, and the write is on every call's path.
    await this.write({ key, tool, state: 'completed', attempts: 0, result }, true);
  }

  async prune(olderThanMs: number): Promise<LedgerPruneReport> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { removed: 0, kept: 0 };
      throw err;
    }
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    for (const name of names) {
      const file = path.join(this.dir, name);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile() || info.mtimeMs > cutoff) continue;
      await rm(file, { force: true });
      removed++;
    }
    return { removed, kept: names.length - removed };
  }
}
