/**
 * A throwaway PostgreSQL server for tests of the shared backends: initdb into a temporary
 * folder, started on a free loopback port with fsync off, stopped and deleted afterwards.
 * Uses the server binaries on PATH or Debian's /usr/lib/postgresql/<version>/bin (`.ci/run`
 * installs the `postgresql` package when neither is there). As root, the server runs as
 * the `postgres` user, since PostgreSQL refuses to run as root.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { PostgresBackend } from '../../activities/postgres-backend';
import { freePort } from '../../devtools/ephemeral-server';
import { closeTestEnv } from './temporal';

function binDir(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (existsSync(path.join(dir, 'initdb'))) return dir;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions[0]) throw new Error('PostgreSQL server binaries not found (initdb): install the "postgresql" package (.ci/run does)');
  return path.join(root, versions[0], 'bin');
}


export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (program: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, program), ...args]] : [path.join(bin, program), args];
    execFileSync(file as string, argv as string[], { stdio: 'pipe' });
  };
  const port = await freePort();
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'baton', '--no-sync', '-E', 'UTF8']);
  run('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  return {
    url: `postgresql://baton@127.0.0.1:${port}/postgres`,
    async stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A file's PostgreSQL: started before its tests (URL in `process.env[urlEnv]`), stopped after them with the Temporal env. */
export function usePostgres(urlEnv: string): { readonly pg: TestPostgres; readonly backend: PostgresBackend } {
  let pg: TestPostgres | undefined;
  let backend: PostgresBackend | undefined;
  beforeAll(async () => {
    pg = await startPostgres();
    process.env[urlEnv] = pg.url;
    backend = new PostgresBackend({ connectionString: pg.url });
  });
  afterAll(async () => {
    await backend?.close();
    await pg?.stop();
    delete process.env[urlEnv];
    await closeTestEnv();
  });
  return { get pg() { return pg as TestPostgres; }, get backend() { return backend as PostgresBackend; } };
}
