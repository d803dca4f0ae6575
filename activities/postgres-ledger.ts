/**
 * The tool-call ledger in PostgreSQL (table `baton_tool_ledger` by default), used when the
 * tool cache is PostgreSQL, so every worker on every machine sees every call's result.
 * See activities/tool-ledger.ts for what the ledger guarantees.
 */
import type { Pool } from 'pg';
import type { ToolResult } from '../core';
import type { LedgerBegin, LedgerPruneReport, ToolLedger } from './tool-ledger';

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

/** The ledger over a pg pool (e.g. `PostgresBackend#pool`); the table is created on first use. */
export class PostgresToolLedger implements ToolLedger {
  private ready?: Promise<void>;

  constructor(
    readonly pool: Pool,
    readonly table = 'baton_tool_ledger',
  ) {
    if (!identifier.test(table)) throw new Error(`not a valid table name: ${table}`);
  }

  private migrate(): Promise<void> {
    this.ready ??= this.pool
      .query(
        `CREATE TABLE IF NOT EXISTS ${this.table} (key text PRIMARY KEY, tool text NOT NULL, state text NOT NULL,
         attempts integer NOT NULL, result text, updated_at timestamptz NOT NULL DEFAULT now())`,
      )
      .then(() => undefined)
      .catch((err: unknown) => {
        this.ready = undefined;
        throw err;
      });
    return this.ready;
  }

  async begin(key: string, tool: string): Promise<LedgerBegin> {
    await this.migrate();
    // One statement: a completed entry is left alone; otherwise the attempt count goes up.
    // `previous` is the count before this attempt (0 for a new call).
    const { rows } = await this.pool.query<{ state: string; result: string | null; previous: number }>(
      `INSERT INTO ${this.table} AS t (key, tool, state, attempts) VALUES ($1, $2, 'started', 1)
       ON CONFLICT (key) DO UPDATE SET attempts = t.attempts + CASE WHEN t.state = 'completed' THEN 0 ELSE 1 END, updated_at = now()
       RETURNING state, result, CASE WHEN state = 'completed' THEN attempts ELSE attempts - 1 END AS previous`,
      [key, tool],
    );
    const row = rows[0];
    if (row?.state === 'completed' && row.result !== null) return { state: 'completed', result: JSON.parse(row.result) as ToolResult };
    return row && row.previous > 0 ? { state: 'started', attempts: row.previous } : { state: 'new' };
  }

  async complete(key: string, tool: string, result: ToolResult): Promise<void> {
    await this.migrate();
    await this.pool.query(
      `INSERT INTO ${this.table} AS t (key, tool, state, attempts, result) VALUES ($1, $2, 'completed', 1, $3)
       ON CONFLICT (key) DO UPDATE SET state = 'completed', result = EXCLUDED.result, updated_at = now()`,
      [key, tool, JSON.stringify(result)],
    );
  }

  async prune(olderThanMs: number): Promise<LedgerPruneReport> {
    await this.migrate();
    const removed = await this.pool.query(`DELETE FROM ${this.table} WHERE updated_at < now() - $1 * interval '1 millisecond'`, [olderThanMs]);
    const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.table}`);
    return { removed: removed.rowCount ?? 0, kept: Number(rows[0]?.n ?? 0) };
  }
}
