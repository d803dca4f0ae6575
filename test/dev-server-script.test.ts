import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { Connection } from '@temporalio/client';
import { devServerFlags, freePort } from '../devtools/ephemeral-server';
import { searchAttributeKeys } from '../core';
import { getTestEnv } from './helpers/temporal';

const script = path.join(__dirname, '..', 'temporal-dev.sh');

/** The command line a running process was started with. */
const argvOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

/** Every dev-server setting (testing/dev-server-settings.ts = devtools/dev-server.conf) appears, with its value, in `argv`. */
function expectFastServerFlags(argv: string[]): void {
  const flags = devServerFlags();
  expect(flags).toContain('history.transferProcessorMaxPollRPS=1000');
  expect(flags).toContain('system.enableActivityEagerExecution=true');
  expect(flags).toContain('synchronous=OFF');
  for (let i = 0; i < flags.length; i += 2) {
    const at = argv.findIndex((arg, j) => arg === flags[i] && argv[j + 1] === flags[i + 1]);
    expect(at, `${flags[i]} ${flags[i + 1]}`).toBeGreaterThan(0);
  }
}

describe('temporal-dev.sh', () => {
  it('starts a server with Baton\'s search attributes, is a no-op when running, and stops only its own', async () => {
    const env = { ...process.env, BATON_TEMPORAL_DIR: mkdtempSync(path.join(os.tmpdir(), 'baton-devsh-')), BATON_TEMPORAL_PORT: String(await freePort()), BATON_TEMPORAL_UI_PORT: String(await freePort()) };
    const run = (command: string) => spawnSync(script, [command], { env, encoding: 'utf8', timeout: 60_000 });
    try {
      const started = run('start');
      expect(started.status, started.stderr).toBe(0);
      expect(started.stdout).toContain(`running at 127.0.0.1:${env.BATON_TEMPORAL_PORT}, Web UI http://localhost:${env.BATON_TEMPORAL_UI_PORT}`);
      expect(run('start').stdout).toContain('already running');
      const status = run('status').stdout;
      expect(status).toMatch(/^running \(pid \d+\)/);
      expectFastServerFlags(argvOf(Number(/pid (\d+)/.exec(status)?.[1])));

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

  it('runs the test suite\'s server with the same fast settings', () => {
    const pid = inject('temporalServerPid');
    // TEMPORAL_ADDRESS points the run at a server it did not start; its flags are not ours to check.
    if (pid) expectFastServerFlags(argvOf(pid));
    else expect(process.env.TEMPORAL_ADDRESS).toBeTruthy();
  });

  it('reads the same settings from devtools/dev-server.conf as the testing kit ships in testing/dev-server-settings.ts', () => {
    const conf = readFileSync(path.join(__dirname, '..', 'devtools', 'dev-server.conf'), 'utf8');
    const fromConf = conf.split('\n').flatMap((line) => {
      const [kind, value] = line.trim().split(/\s+/, 2);
      if (kind === 'dc' && value) return ['--dynamic-config-value', value];
      if (kind === 'pragma' && value) return ['--sqlite-pragma', value];
      return [];
    });
    expect(fromConf.length).toBeGreaterThan(10);
    expect(devServerFlags()).toEqual(fromConf);
  });

  it('prints usage and exits 2 on an unknown command, and resolves the CLI path', () => {
    const bad = spawnSync(script, ['frob'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('usage:');
    expect(execFileSync(script, ['path'], { encoding: 'utf8' }).trim()).toMatch(/temporal$/);
  });
});
