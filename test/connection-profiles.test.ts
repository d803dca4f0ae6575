import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { connectClient, resolveConnectionSettings } from '../client/connection';
import { ProfileError } from '../client/envconfig';
import { BatonClient } from '../client/baton-client';
import { loadConfig } from '../config/load-config';
import { closeTestEnv, getTestEnv, uniqueTaskQueue } from './helpers/temporal';

afterAll(closeTestEnv);

/** A temporary temporal.toml: `default` points nowhere useful, `test` at the run's dev server. */
function tomlFile(): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'baton-profiles-')), 'temporal.toml');
  writeFileSync(file, [
    '[profile.default]',
    'address = "127.0.0.1:1"',
    'namespace = "from-default-profile"',
    '',
    '[profile.test]',
    `address = "${inject('temporalAddress')}"`,
    `namespace = "${inject('temporalNamespace')}"`,
    '[profile.test.grpc_meta]',
    'x-team = "agents"',
    '',
    '[profile.cloud]',
    'address = "my-ns.a1b2c.tmprl.cloud:7233"',
    'namespace = "my-ns.a1b2c"',
    'api_key = "secret-from-profile"',
    '',
  ].join('\n'));
  return file;
}

describe('temporal.toml connection profiles', () => {
  it('connects to the dev server through the profile TEMPORAL_PROFILE names in TEMPORAL_CONFIG_FILE', async () => {
    const env = { TEMPORAL_CONFIG_FILE: tomlFile(), TEMPORAL_PROFILE: 'test' };
    const settings = resolveConnectionSettings({}, { address: '127.0.0.1:2' }, env);
    expect(settings).toMatchObject({ address: inject('temporalAddress'), namespace: inject('temporalNamespace'), profile: 'test', metadata: { 'x-team': 'agents' } });
    const connection = await connectClient(settings);
    try {
      const info = await connection.workflowService.describeNamespace({ namespace: settings.namespace });
      expect(info.namespaceInfo?.name).toBe(settings.namespace);
    } finally {
      await connection.close();
    }
  }, 30_000);

  it('runs a baton worker connected through a profile alone (no --address, no TEMPORAL_ADDRESS)', async () => {
    const configPath = path.join(__dirname, 'fixtures/fleet/config.ts');
    const queue = uniqueTaskQueue('profile');
    const { TEMPORAL_ADDRESS: _address, TEMPORAL_NAMESPACE: _namespace, ...env } = process.env;
    const worker = spawn(process.execPath, ['--import', 'tsx', 'client/cli/main.ts', 'worker', '--config', configPath, '--task-queue', queue], {
      cwd: path.join(__dirname, '..'),
      env: { ...env, TEMPORAL_CONFIG_FILE: tomlFile(), TEMPORAL_PROFILE: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    worker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    worker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const testEnv = await getTestEnv();
      const baton = new BatonClient(testEnv.client, await loadConfig(configPath), { namespace: testEnv.namespace ?? 'default' });
      const result = await (await baton.startAgent('echoer', 'via profile', { taskQueue: queue })).result();
      expect(result.output).toBe('echoed {"echoed":"via profile"}');
      expect(output).toContain(`baton worker ready · ${inject('temporalAddress')}`);
      expect(output).toContain('connection profile: test (temporal.toml)');
    } finally {
      worker.kill('SIGKILL');
    }
  }, 120_000);

  it('applies flags > environment > profile > config file > defaults, field by field', () => {
    const file = tomlFile();
    const config = { address: 'config:7233', namespace: 'config-ns' };
    expect(resolveConnectionSettings({}, config, { TEMPORAL_CONFIG_FILE: file })).toMatchObject({ address: '127.0.0.1:1', namespace: 'from-default-profile', profile: 'default' });
    expect(resolveConnectionSettings({}, config, { TEMPORAL_CONFIG_FILE: file, TEMPORAL_NAMESPACE: 'env-ns' })).toMatchObject({ address: '127.0.0.1:1', namespace: 'env-ns' });
    expect(resolveConnectionSettings({ address: 'flag:7233', profile: 'cloud' }, config, { TEMPORAL_CONFIG_FILE: file, TEMPORAL_ADDRESS: 'env:7233', TEMPORAL_PROFILE: 'test' })).toMatchObject({ address: 'flag:7233', namespace: 'my-ns.a1b2c', profile: 'cloud' });
    // No file at all (an empty config home): the config file, then the defaults.
    const nowhere = { XDG_CONFIG_HOME: mkdtempSync(path.join(os.tmpdir(), 'baton-no-profile-')) };
    expect(resolveConnectionSettings({}, config, nowhere)).toEqual({ address: 'config:7233', namespace: 'config-ns' });
    expect(resolveConnectionSettings({}, {}, nowhere)).toEqual({ address: '127.0.0.1:7233', namespace: 'default' });
  });

  it('turns TLS on for a profile with an API key, and TEMPORAL_API_KEY wins over the profile’s key', () => {
    const file = tomlFile();
    expect(resolveConnectionSettings({ profile: 'cloud' }, {}, { TEMPORAL_CONFIG_FILE: file })).toMatchObject({ apiKey: 'secret-from-profile', tls: true });
    expect(resolveConnectionSettings({ profile: 'cloud' }, {}, { TEMPORAL_CONFIG_FILE: file, TEMPORAL_API_KEY: 'from-env' })).toMatchObject({ apiKey: 'from-env', tls: true });
  });

  it('fails with the profile and file named when the profile asked for does not exist', () => {
    const file = tomlFile();
    expect(() => resolveConnectionSettings({}, {}, { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' })).toThrow(ProfileError);
    expect(() => resolveConnectionSettings({}, {}, { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' })).toThrow(/Temporal profile "staging" \(.*temporal\.toml\): Profile 'staging' not found/);
  });
});
