/**
 * A throwaway Temporal dev server for tests and benchmarks: the `temporal` CLI, a free port
 * on 127.0.0.1, a temporary SQLite database, Baton's search attributes and Baton's fast
 * dev-server settings (the same as `./temporal-dev.sh start`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeFlags } from '../core/search-attributes';
import { devServerFlags } from './dev-server-settings';
import { watchdogScript } from './server-watchdog';
import { temporalCliPath } from './temporal-cli';

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

/** Where the CLI is and how long a slow machine may take to start it. */
export interface StartDevServerOptions {
  /** The CLI binary (default: {@link temporalCliPath}). */
  cliPath?: string;
  /** How long to wait for the frontend to answer (default 60 s). */
  startTimeoutMs?: number;
}

/** Sends `signal` to the watchdog's process group (it and the server); false when it is gone. */
function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a dev server and resolves once its frontend answers. It does not keep this process
 * alive, and stops by itself when this process ends (see server-watchdog.ts); `stop()` ends it sooner.
 */
export async function startDevServer(options: StartDevServerOptions = {}): Promise<DevServer> {
  const cli = options.cliPath ?? temporalCliPath();
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-temporal-'));
  const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--db-filename', path.join(dir, 'test.sqlite'), '--log-level', 'error'];
  for (const flag of searchAttributeFlags) args.push('--search-attribute', flag);
  args.push(...devServerFlags());
  const watchdog = spawn(process.execPath, ['-e', watchdogScript, cli, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, BATON_DEV_SERVER_DIR: dir },
  });
  let stderr = '';
  let stdout = '';
  let spawnError: Error | undefined;
  watchdog.once('error', (err) => (spawnError = err));
  watchdog.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  watchdog.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<void>((resolve) => watchdog.once('exit', () => resolve()));
  // The server must not hold this process open: tests that never call stop() still end.
  for (const stream of [watchdog.stdin, watchdog.stdout, watchdog.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
  watchdog.unref();
  const address = `127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError) throw new Error(`cannot start the temporal dev server (${cli}): ${spawnError.message}`);
    if (watchdog.exitCode !== null) throw new Error(`temporal dev server exited (${watchdog.exitCode}): ${stderr.trim()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: '1s' });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        signalGroup(watchdog.pid as number, 'SIGKILL');
        throw new Error(`temporal dev server did not answer on ${address} within ${timeoutMs / 1000} s: ${String(err)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  // No exit hook: when this process ends, the watchdog sees its stdin close and stops the server.
  const group = watchdog.pid as number;
  return {
    address,
    pid: Number.parseInt(stdout, 10) || group,
    dbDir: dir,
    async stop() {
      if (watchdog.exitCode === null && signalGroup(group, 'SIGTERM')) {
        const timer = setTimeout(() => watchdog.exitCode === null && signalGroup(group, 'SIGKILL'), 5000);
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
