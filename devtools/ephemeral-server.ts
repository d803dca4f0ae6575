/**
 * A throwaway Temporal dev server for tests and benchmarks: the binary from
 * temporal-dev.sh, a free port on 127.0.0.1, a temporary SQLite database, Baton's search
 * attributes, and the settings of devtools/dev-server.conf (as `./temporal-dev.sh start`).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeFlags } from '../core/search-attributes';

const root = path.resolve(__dirname, '..');

/** The flags every Baton dev server runs with, from devtools/dev-server.conf (read by temporal-dev.sh too). */
export function devServerFlags(): string[] {
  const flags: string[] = [];
  for (const line of readFileSync(path.join(__dirname, 'dev-server.conf'), 'utf8').split('\n')) {
    const [kind, value] = line.trim().split(/\s+/, 2);
    if (kind === 'dc' && value) flags.push('--dynamic-config-value', value);
    if (kind === 'pragma' && value) flags.push('--sqlite-pragma', value);
  }
  return flags;
}

/** The Temporal CLI binary: $TEMPORAL_CLI_PATH, else what `./temporal-dev.sh path` resolves. */
export function temporalCliPath(): string {
  if (process.env.TEMPORAL_CLI_PATH) return process.env.TEMPORAL_CLI_PATH;
  try {
    return execFileSync(path.join(root, 'temporal-dev.sh'), ['path'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('no Temporal CLI found: run ./temporal-dev.sh install (or set TEMPORAL_CLI_PATH)');
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface EphemeralServer {
  address: string;
  /** The server process, e.g. to read the flags it runs with from /proc. */
  pid: number;
  /** The folder holding its SQLite database files (.sqlite, -wal, -shm), e.g. to check what it stores. */
  dbDir: string;
  stop(): Promise<void>;
}

/** Starts a dev server and resolves once its frontend answers (up to 60 s). */
export async function startEphemeralServer(): Promise<EphemeralServer> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-temporal-'));
  const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--db-filename', path.join(dir, 'test.sqlite'), '--log-level', 'error'];
  for (const flag of searchAttributeFlags) args.push('--search-attribute', flag);
  args.push(...devServerFlags());
  const child = spawn(temporalCliPath(), args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = `127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (spawnError) throw new Error(`cannot start the temporal dev server: ${spawnError.message}`);
    if (child.exitCode !== null) throw new Error(`temporal dev server exited (${child.exitCode}): ${stderr.trim()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: '1s' });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`temporal dev server did not answer on ${address} within 60 s: ${String(err)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    address,
    pid: child.pid as number,
    dbDir: dir,
    async stop() {
      if (child.exitCode === null) {
        process.kill(-(child.pid as number), 'SIGTERM');
        const timer = setTimeout(() => child.exitCode === null && process.kill(-(child.pid as number), 'SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
