/**
 * Baton's MCP server keeps one Temporal connection and outlives the Temporal server: a
 * dev server of this test's own (same port, same database) is stopped and started again
 * under a running `baton mcp`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Connection } from '@temporalio/client';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { searchAttributeFlags } from '../core';
import { devServerFlags, freePort, temporalCliPath } from '../devtools/ephemeral-server';
import { call, sharedEnv, stdioClient } from './helpers/mcp-server';
import { uniqueWorkflowId } from './helpers/temporal';

const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-mcp-restart-'));
let temporal: ChildProcess | undefined;
let client: Client | undefined;

/** Starts `temporal server start-dev` on `port` over the same database file each time. */
async function startTemporal(port: number): Promise<void> {
  const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--db-filename', path.join(dir, 'db.sqlite'), '--log-level', 'error', ...searchAttributeFlags.flatMap((f) => ['--search-attribute', f]), ...devServerFlags()];
  temporal = spawn(temporalCliPath(), args, { stdio: 'ignore', detached: true });
  for (let i = 0; i < 300; i++) {
    const up = await Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: '1s' }).then(async (c) => (await c.close(), true), () => false);
    if (up) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('temporal dev server did not start');
}

async function stopTemporal(): Promise<void> {
  const child = temporal;
  temporal = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-(child.pid as number), 'SIGTERM');
  await exited;
}

afterAll(async () => {
  await client?.close();
  await stopTemporal();
  rmSync(dir, { recursive: true, force: true });
});

describe('baton mcp and a Temporal server restart', () => {
  it('answers with one line while the server is down, and works again once it is back', async () => {
    const port = await freePort();
    await startTemporal(port);
    client = await stdioClient(sharedEnv(), { address: `127.0.0.1:${port}` });
    const id = uniqueWorkflowId('mcp-restart');
    expect((await call(client, 'start_run', { agent: 'chat', input: 'hi', id })).isError).toBe(false);

    await stopTemporal();
    const down = await call(client, 'get_run', { id }, { timeout: 60_000 });
    expect(down).toMatchObject({ isError: true, text: 'the Temporal server did not answer (start one with ./temporal-dev.sh start, or check TEMPORAL_ADDRESS)' });

    await startTemporal(port);
    let back = await call<{ id: string; type: string }>(client, 'get_run', { id });
    for (const until = Date.now() + 60_000; back.isError && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 500));
      back = await call(client, 'get_run', { id });
    }
    expect(back.structured).toMatchObject({ id, type: 'agentWorkflow' });
  }, 120_000);
});
