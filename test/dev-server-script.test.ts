import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Connection } from '@temporalio/client';
import { freePort } from '../devtools/ephemeral-server';
import { searchAttributeKeys } from '../core';
import { getTestEnv } from './helpers/temporal';

const script = path.join(__dirname, '..', 'temporal-dev.sh');

describe('temporal-dev.sh', () => {
  it('starts a server with Baton\'s search attributes, is a no-op when running, and stops only its own', async () => {
    const env = { ...process.env, BATON_TEMPORAL_DIR: mkdtempSync(path.join(os.tmpdir(), 'baton-devsh-')), BATON_TEMPORAL_PORT: String(await freePort()), BATON_TEMPORAL_UI_PORT: String(await freePort()) };
    const run = (command: string) => spawnSync(script, [command], { env, encoding: 'utf8', timeout: 60_000 });
    try {
      const started = run('start');
      expect(started.status, started.stderr).toBe(0);
      expect(started.stdout).toContain(`running at 127.0.0.1:${env.BATON_TEMPORAL_PORT}, Web UI http://localhost:${env.BATON_TEMPORAL_UI_PORT}`);
      expect(run('start').stdout).toContain('already running');
      expect(run('status').stdout).toMatch(/^running \(pid \d+\)/);

      const connection = await Connection.connect({ address: `127.0.0.1:${env.BATON_TEMPORAL_PORT}` });
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      for (const key of searchAttributeKeys) expect(Object.keys(customAttributes ?? {})).toContain(key.name);
      await connection.close();
    } finally {
      expect(run('stop').stdout).toMatch(/Stopped the Temporal dev server/);
    }
    const status = run('status');
    expect(status.status).toBe(3);
    expect(status.stdout.trim()).toBe('not running');
    expect(run('stop').stdout).toContain('No Temporal dev server started by this script is running.');
    // The shared test server was not touched.
    await expect((await getTestEnv()).client.workflow.count()).resolves.toBeDefined();
  });

  it('prints usage and exits 2 on an unknown command, and resolves the CLI path', () => {
    const bad = spawnSync(script, ['frob'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('usage:');
    expect(execFileSync(script, ['path'], { encoding: 'utf8' }).trim()).toMatch(/temporal$/);
  });
});
