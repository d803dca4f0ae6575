/**
 * PostgreSQL backends for the tool cache and the content store, for workers on several
 * machines. Tables are created on first use (`baton_tool_cache`, `baton_content` by
 * default). The connection string comes from the worker's environment, never the config.
 */
import { createHash } from 'node:crypto';
import { Pool, type PoolConfig } from 'pg';
import type { ContentStore } from './content-store';
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
      await this.pool.query(`CREATE TABLE IF NOT EXISTS ${this.tables.cache} (key text PRIMARY KEY, content text NOT NULL, expires_at timestamptz NOT NULL)`);
      await this.pool.query(`CREATE TABLE IF NOT EXISTS ${this.tables.content} (ref text PRIMARY KEY, value text NOT NULL)`);
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
           ON CONFLICT (key) DO UPDATE SET content = EXCLUDED.content, expires_at = EXCLUDED.expires_at`,
          [key, content, ttlMs],
        );
      },
    };
  }

  contentStore(): ContentStore {
    const table = this.tables.content;
    return {
      put: async (value) => {
        await this.migrate();
        const text = JSON.stringify(value);
        const ref = `sha256:${createHash('sha256').update(text).digest('hex')}`;
        await this.pool.query(`INSERT INTO ${table} (ref, value) VALUES ($1, $2) ON CONFLICT (ref) DO NOTHING`, [ref, text]);
        return ref;
      },
      get: async <T>(ref: string) => {
        await this.migrate();
        const { rows } = await this.pool.query<{ value: string }>(`SELECT value FROM ${table} WHERE ref = $1`, [ref]);
        if (!rows[0]) throw new Error(`content ${ref} is not in the PostgreSQL store (table ${table})`);
        return JSON.parse(rows[0].value) as T;
      },
    };
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
