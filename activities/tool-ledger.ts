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
 * folder): a first attempt's result goes to the worker's append-only log
 * (./tool-ledger-log.ts), markers and later attempts' results to one file per call. With the
 * PostgreSQL tool cache it is the `baton_tool_ledger` table (activities/postgres-ledger.ts).
 * Entries are pruned by age with `prune`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ToolResult } from '../core';
import { isLogFile, LedgerLog, logEntries } from './tool-ledger-log';

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
  /**
   * Records a `started` marker for `key` and returns what an earlier attempt left. `since`: when
   * the call's first attempt was scheduled, given when that attempt may have recorded its result
   * with `complete(..., true)` (a normal activity's retry); nothing it recorded is older.
   */
  begin(key: string, tool: string, since?: number): Promise<LedgerBegin>;
  /**
   * Records the result of the call, so no later attempt runs the tool again. `first`: a first
   * attempt with no marker before it (a backend may record it more cheaply, e.g. in a log).
   */
  complete(key: string, tool: string, result: ToolResult, first?: boolean): Promise<void>;
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

/** The embedded ledger: first attempts' results in the worker's log, anything else one small JSON file per call. */
export class FileToolLedger implements ToolLedger {
  private dirReady?: Promise<unknown>;
  private readonly log: LedgerLog;

  constructor(
    readonly dir: string,
    /** How long the worker's log stays open without a write (default a minute). */
    options: { logIdleMs?: number } = {},
  ) {
    this.log = new LedgerLog(dir, () => this.ensureDir(), options.logIdleMs);
  }

  private async ensureDir(): Promise<void> {
    this.dirReady ??= mkdir(this.dir, { recursive: true, mode: 0o700 }).catch((err: unknown) => {
      this.dirReady = undefined;
      throw err;
    });
    await this.dirReady;
  }

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
    await this.ensureDir();
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

  async begin(key: string, tool: string, since?: number): Promise<LedgerBegin> {
    const entry = await this.read(key);
    if (entry?.state === 'completed' && entry.result) return { state: 'completed', result: entry.result };
    const logged = since === undefined ? undefined : await this.log.find(key, since);
    if (logged) return { state: 'completed', result: logged.result };
    await this.write({ key, tool, state: 'started', attempts: (entry?.attempts ?? 0) + 1 });
    return entry ? { state: 'started', attempts: entry.attempts } : { state: 'new' };
  }

  async complete(key: string, tool: string, result: ToolResult, first = false): Promise<void> {
    // One append to the open log: no file to create, the path of almost every call.
    if (first) return this.log.append({ key, tool, state: 'completed', result });
    // No read first: the attempt count of a completed call is not used.
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
    // A log counts its entries; its age is its last write, so it goes once all of them are old.
    let removed = 0;
    let kept = 0;
    for (const name of names) {
      const file = path.join(this.dir, name);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) continue;
      const entries = isLogFile(name) ? await logEntries(file) : 1;
      if (info.mtimeMs > cutoff) {
        kept += entries;
        continue;
      }
      if (isLogFile(name)) await this.log.remove(name);
      else await rm(file, { force: true });
      removed += entries;
    }
    return { removed, kept };
  }
}
