/**
 * PostgreSQL backends for the tool cache and the content store, for workers on several
 * machines. Tables are created on first use (`baton_tool_cache`, `baton_content` by
 * default), and tables of earlier versions get the columns retention needs (`created_at`,
 * `links`). The connection string comes from the worker's environment, never the config.
 */
import { createHash } from 'node:crypto';
import { Pool, type PoolConfig } from 'pg';
import { ContentNotFoundError, type ContentStore } from './content-store';
import { linksOf } from './conversation-store';
import type { PruneOptions, PruneReport } from './store-files';
import type { ToolCache } from './tool-cache';

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

/** One pg pool shared by both backends; `close()` ends it. */
export class PostgresBackend {
  readonly pool: Pool;
  private ready?: Promise<void>;

  constructor(
    config: PoolConfig,
    readonly tables: { cache: string; content: string } = { cache: 'baton_tool_cache', content: 'baton_content' },
  ) {
    for (const table of Object.values(tables)) if (!identifier.test(table)) throw new Error(`not a valid table name: ${table}`);
    this.pool = new Pool({ max: 10, ...config });
    // An idle connection the server closed (a restart, a failover) is dropped and replaced
    // on the next query; without a listener pg would crash the worker process.
    this.pool.on('error', () => {});
  }

  /** Creates the tables once per process (safe to race with other workers). */
  migrate(): Promise<void> {
    this.ready ??= (async () => {
      const { cache, content } = this.tables;
      await this.pool.query(`CREATE TABLE IF NOT EXISTS ${cache} (key text PRIMARY KEY, content text NOT NULL, expires_at timestamptz NOT NULL)`);
      await this.pool.query(`ALTER TABLE ${cache} ADD COLUMN IF NOT EXISTS created_at timestamptz NOT NULL DEFAULT now()`);
      await this.pool.query(`CREATE TABLE IF NOT EXISTS ${content} (ref text PRIMARY KEY, value text NOT NULL)`);
      await this.pool.query(`ALTER TABLE ${content} ADD COLUMN IF NOT EXISTS created_at timestamptz NOT NULL DEFAULT now(), ADD COLUMN IF NOT EXISTS links text[] NOT NULL DEFAULT '{}'`);
    })().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  toolCache(): ToolCache {
    const table = this.tables.cache;
    return {
      get: async (key) => {
        await this.migrate();
        const { rows } = await this.pool.query<{ content: string }>(`SELECT content FROM ${table} WHERE key = $1 AND expires_at > now()`, [key]);
        return rows[0]?.content;
      },
      set: async (key, content, ttlMs) => {
        await this.migrate();
        await this.pool.query(
          `INSERT INTO ${table} (key, content, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
           ON CONFLICT (key) DO UPDATE SET content = EXCLUDED.content, expires_at = EXCLUDED.expires_at, created_at = now()`,
          [key, content, ttlMs],
        );
      },
      prune: (olderThanMs, options) => this.pruneCache(olderThanMs, options),
    };
  }

  contentStore(): ContentStore {
    const table = this.tables.content;
    return {
      put: async (value) => {
        await this.migrate();
        const text = JSON.stringify(value);
        const ref = `sha256:${createHash('sha256').update(text).digest('hex')}`;
        await this.pool.query(`INSERT INTO ${table} (ref, value, links) VALUES ($1, $2, $3) ON CONFLICT (ref) DO UPDATE SET created_at = now()`, [ref, text, linksOf(value)]);
        return ref;
      },
      get: async <T>(ref: string) => {
        await this.migrate();
        const { rows } = await this.pool.query<{ value: string }>(`SELECT value FROM ${table} WHERE ref = $1`, [ref]);
        if (!rows[0]) throw new ContentNotFoundError(`content ${ref} is not in the PostgreSQL store (table ${table})`);
        return JSON.parse(rows[0].value) as T;
      },
      prune: (olderThanMs, options) => this.pruneContent(olderThanMs, options),
    };
  }

  /** Content older than the cutoff that no younger entry reaches through its links (a recursive query). */
  private async pruneContent(olderThanMs: number, options: PruneOptions = {}): Promise<PruneReport> {
    await this.migrate();
    const t = this.tables.content;
    const doomed = `WITH RECURSIVE live(ref) AS (
        SELECT ref FROM ${t} WHERE created_at > now() - $1 * interval '1 millisecond'
        UNION SELECT link FROM ${t} JOIN live ON ${t}.ref = live.ref, unnest(${t}.links) AS link
      ) SELECT ref FROM ${t} WHERE created_at <= now() - $1 * interval '1 millisecond' AND ref NOT IN (SELECT ref FROM live)`;
    const action = options.dryRun ? `SELECT octet_length(value) AS bytes FROM ${t} WHERE ref IN (${doomed})` : `DELETE FROM ${t} WHERE ref IN (${doomed}) RETURNING octet_length(value) AS bytes`;
    return this.report(t, action, olderThanMs);
  }

  private async pruneCache(olderThanMs: number, options: PruneOptions = {}): Promise<PruneReport> {
    await this.migrate();
    const t = this.tables.cache;
    const where = `expires_at <= now() OR created_at <= now() - $1 * interval '1 millisecond'`;
    return this.report(t, options.dryRun ? `SELECT octet_length(content) AS bytes FROM ${t} WHERE ${where}` : `DELETE FROM ${t} WHERE ${where} RETURNING octet_length(content) AS bytes`, olderThanMs);
  }

  private async report(table: string, action: string, olderThanMs: number): Promise<PruneReport> {
    const { rows } = await this.pool.query<{ bytes: number }>(action, [olderThanMs]);
    const total = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
    return { removed: rows.length, bytes: rows.reduce((n, r) => n + Number(r.bytes), 0), kept: Number(total.rows[0]?.n ?? 0) - (action.startsWith('DELETE') ? 0 : rows.length) };
  }

  /** Deletes expired cache entries; call now and then (e.g. from a scheduled workflow or cron). */
  async pruneExpired(): Promise<number> {
    await this.migrate();
    const result = await this.pool.query(`DELETE FROM ${this.tables.cache} WHERE expires_at <= now()`);
    return result.rowCount ?? 0;
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
