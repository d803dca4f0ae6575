/**
 * A throwaway Temporal dev server for tests and benchmarks: the `temporal` CLI, a free port
 * on 127.0.0.1, a temporary SQLite database, Baton's search attributes and Baton's fast
 * dev-server settings (the same as `./temporal-dev.sh start`).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeFlags } from '../core/search-attributes';
import { devServerFlags } from './dev-server-settings';

/** The Temporal CLI release Baton pins; temporal-dev.sh builds it into the per-user cache. */
export const pinnedCliVersion = 'v1.5.1';

const isExecutable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** Where `./temporal-dev.sh install` puts the CLI it builds. */
export function cachedCliPath(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(cache, 'baton', `temporal-cli-${pinnedCliVersion}`, 'temporal');
}

/**
 * The Temporal CLI binary, in temporal-dev.sh's order: $TEMPORAL_CLI_PATH, a `temporal` on
 * the PATH, the per-user cache. Throws, saying how to get one, when there is none.
 */
export function temporalCliPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TEMPORAL_CLI_PATH) {
    if (isExecutable(env.TEMPORAL_CLI_PATH)) return env.TEMPORAL_CLI_PATH;
    throw new Error(`TEMPORAL_CLI_PATH=${env.TEMPORAL_CLI_PATH} is not an executable file`);
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    const candidate = dir && path.join(dir, 'temporal');
    if (candidate && isExecutable(candidate)) return candidate;
  }
  const cached = cachedCliPath(env);
  if (isExecutable(cached)) return cached;
  throw new Error(
    `no Temporal CLI found: install one (https://docs.temporal.io/cli#install) and put \`temporal\` on the PATH, ` +
      `or set TEMPORAL_CLI_PATH to a temporal binary, or set TEMPORAL_ADDRESS to a running server (looked in PATH and ${cached})`,
  );
}

/** A free TCP port on 127.0.0.1 (free when asked; the caller binds it soon after). */
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

/** A dev server this process started; `stop()` ends it and deletes its database. */
export interface DevServer {
  /** host:port of its frontend. */
  address: string;
  /** The server process, e.g. to read the flags it runs with from /proc. */
  pid: number;
  /** The folder holding its SQLite database files (.sqlite, -wal, -shm), e.g. to check what it stores. */
  dbDir: string;
  stop(): Promise<void>;
}

export interface StartDevServerOptions {
  /** The CLI binary (default: {@link temporalCliPath}). */
  cliPath?: string;
  /** How long to wait for the frontend to answer (default 60 s). */
  startTimeoutMs?: number;
}

/** Starts a dev server and resolves once its frontend answers. */
export async function startDevServer(options: StartDevServerOptions = {}): Promise<DevServer> {
  const cli = options.cliPath ?? temporalCliPath();
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-temporal-'));
  const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--db-filename', path.join(dir, 'test.sqlite'), '--log-level', 'error'];
  for (const flag of searchAttributeFlags) args.push('--search-attribute', flag);
  args.push(...devServerFlags());
  const child = spawn(cli, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = `127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError) throw new Error(`cannot start the temporal dev server (${cli}): ${spawnError.message}`);
    if (child.exitCode !== null) throw new Error(`temporal dev server exited (${child.exitCode}): ${stderr.trim()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: '1s' });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`temporal dev server did not answer on ${address} within ${timeoutMs / 1000} s: ${String(err)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const pid = child.pid as number;
  // A test process that exits without stop() must not leave the server behind.
  const killOnExit = () => {
    try {
      if (child.exitCode === null) process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  return {
    address,
    pid,
    dbDir: dir,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode === null) {
        process.kill(-pid, 'SIGTERM');
        const timer = setTimeout(() => child.exitCode === null && process.kill(-pid, 'SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let shared: Promise<DevServer> | undefined;

/**
 * The address of the server tests should use: TEMPORAL_ADDRESS when set, otherwise one dev
 * server started on first use and shared by this process (stopped when the process exits).
 */
export async function testServerAddress(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.TEMPORAL_ADDRESS) return env.TEMPORAL_ADDRESS;
  shared ??= startDevServer().catch((err: unknown) => {
    shared = undefined;
    throw err;
  });
  return (await shared).address;
}

/** Stops the dev server {@link testServerAddress} started in this process, if any (e.g. in a global teardown). */
export async function stopTestServer(): Promise<void> {
  const current = shared;
  shared = undefined;
  await (await current?.catch(() => undefined))?.stop();
}

/**
 * For a test runner's global setup (vitest `globalSetup`, a mocha root hook): starts one dev
 * server for the whole run unless TEMPORAL_ADDRESS is set, exports its address as
 * TEMPORAL_ADDRESS to the test processes started after it, and returns the teardown.
 */
export async function setupTestServer(): Promise<() => Promise<void>> {
  if (process.env.TEMPORAL_ADDRESS) return async () => undefined;
  const server = await startDevServer();
  process.env.TEMPORAL_ADDRESS = server.address;
  return async () => {
    delete process.env.TEMPORAL_ADDRESS;
    await server.stop();
  };
}
