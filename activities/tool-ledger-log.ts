/**
 * The file ledger's log of first attempts' results: each ledger (one per worker process) appends
 * to its own file in the ledger folder, one JSON line per result, with one write on a file it
 * keeps open: no file created, no hash of the key, no close per tool call. A retry reads the
 * logs written since its call was scheduled (a new log is started every hour or 8 MB, so that
 * is a few files), and `prune` removes whole logs by age.
 *
 * Each line is written as `\n<json>\n`: a line cut short by a crash (or a log truncated by hand)
 * never runs into the next one, and is skipped when read: nothing was recorded.
 */
import { writeSync } from 'node:fs';
import { open, readFile, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { ToolResult } from '../core';
import { syncWriteLimit } from './store-files';

/** One line of a log. */
export interface LoggedResult {
  key: string;
  tool: string;
  state: 'completed';
  result: ToolResult;
}

/** A new log after an hour (so old logs stop being written and age out) or 8 MB. */
const rotateMs = 3_600_000;
const rotateBytes = 8 * 1024 * 1024;
/** A log idle this long is closed (and opened again by the next append), so an idle worker holds no file open. */
const defaultIdleMs = 60_000;
/** Logs last written this long before a call was scheduled are read too (clocks of machines sharing the folder). */
const clockSkewMs = 600_000;

const dueForRotation = (log: Pick<OpenLog, 'openedAt' | 'bytes'>) => Date.now() - log.openedAt > rotateMs || log.bytes > rotateBytes;

/** Log files end in `.log`; the ledger's per-call entries in `.json`. */
export const isLogFile = (name: string) => name.endsWith('.log');

interface OpenLog {
  name: string;
  handle: FileHandle;
  openedAt: number;
  bytes: number;
  writing: number;
  retired: boolean;
  lastWrite: number;
  idleCheck?: NodeJS.Timeout;
}

/** Lines of `text` that record `key`, newest last. */
function linesFor(text: string, key: string): LoggedResult[] {
  const marker = `\n{"key":${JSON.stringify(key)},`;
  const found: LoggedResult[] = [];
  for (let at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + 1)) {
    const end = text.indexOf('\n', at + 1);
    try {
      found.push(JSON.parse(text.slice(at + 1, end < 0 ? undefined : end)) as LoggedResult);
    } catch {
      // Cut short by a crash mid-write: nothing was recorded.
    }
  }
  return found;
}

/** Counts the whole entries of a log (for prune reports). */
export async function logEntries(file: string): Promise<number> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line.startsWith('{"key":') && line.endsWith('}')).length;
}

/** One ledger's append-only log, and the reading of every ledger's logs in the folder. */
export class LedgerLog {
  private current?: Promise<OpenLog>;
  /** The log closed for being idle: the next append goes on in it unless it is due for rotation. */
  private closedIdle?: Pick<OpenLog, 'name' | 'openedAt' | 'bytes'>;

  constructor(
    private readonly dir: string,
    /** Creates the ledger folder (0700) if it is missing. */
    private readonly ensureDir: () => Promise<void>,
    private readonly idleMs = defaultIdleMs,
  ) {}

  private async create(): Promise<OpenLog> {
    await this.ensureDir();
    const again = this.closedIdle && !dueForRotation(this.closedIdle) ? this.closedIdle : undefined;
    this.closedIdle = undefined;
    const name = again?.name ?? `${Date.now()}-${process.pid}-${randomBytes(4).toString('hex')}.log`;
    const handle = await open(path.join(this.dir, name), 'a', 0o600);
    return { name, handle, openedAt: again?.openedAt ?? Date.now(), bytes: again?.bytes ?? 0, writing: 0, retired: false, lastWrite: Date.now() };
  }

  private openLog(): Promise<OpenLog> {
    if (this.current) return this.current;
    const pending = this.create().catch((err: unknown) => {
      this.current = undefined;
      throw err;
    });
    this.current = pending;
    void pending.then((log) => {
      log.idleCheck = setInterval(() => {
        if (Date.now() - log.lastWrite < this.idleMs || log.writing > 0 || this.current !== pending) return;
        this.current = undefined;
        this.closedIdle = { name: log.name, openedAt: log.openedAt, bytes: log.bytes };
        this.retire(log);
      }, this.idleMs).unref();
    }, () => undefined);
    return pending;
  }

  /** Stops writing to `log`; it is closed once its writes in flight are done. */
  private retire(log: OpenLog): void {
    log.retired = true;
    clearInterval(log.idleCheck);
    if (log.writing === 0) void log.handle.close().catch(() => undefined);
  }

  /** Appends one result: a single write on the open log (an append is never interleaved with another). */
  async append(entry: LoggedResult): Promise<void> {
    const line = Buffer.from(`\n${JSON.stringify(entry)}\n`);
    const pending = this.openLog();
    let log = await pending;
    if (dueForRotation(log)) {
      if (this.current === pending) {
        this.current = undefined;
        this.retire(log);
      }
      log = await this.openLog();
    }
    log.bytes += line.length;
    log.lastWrite = Date.now();
    log.writing++;
    try {
      // A regular file takes the whole line in one write; the loops only guard a short write.
      if (line.length <= syncWriteLimit) for (let offset = 0; offset < line.length; ) offset += writeSync(log.handle.fd, line, offset);
      else for (let offset = 0; offset < line.length; ) offset += (await log.handle.write(line, offset)).bytesWritten;
    } finally {
      log.writing--;
      if (log.retired && log.writing === 0) void log.handle.close().catch(() => undefined);
    }
  }

  /** The result logged for `key` by any worker's log written since `since` (ms), if one is. */
  async find(key: string, since: number): Promise<LoggedResult | undefined> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter(isLogFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    for (const name of names) {
      const file = path.join(this.dir, name);
      const info = await stat(file).catch(() => undefined);
      if (!info || info.mtimeMs < since - clockSkewMs) continue;
      const found = linesFor(await readFile(file, 'utf8').catch(() => ''), key).at(-1);
      if (found) return found;
    }
    return undefined;
  }

  /** Removes a log (by prune); this ledger's own current log is closed first and a new one started on the next write. */
  async remove(name: string): Promise<void> {
    const current = this.current && (await this.current.catch(() => undefined));
    if (current?.name === name) {
      this.current = undefined;
      this.retire(current);
    }
    if (this.closedIdle?.name === name) this.closedIdle = undefined;
    await rm(path.join(this.dir, name), { force: true });
  }
}
