/**
 * The testing kit (`baton/testing`) used the way a project uses it: its config file, the
 * scripted model in place of its real provider, a worker on a queue of its own, replay of
 * saved histories, and a dev server found or started for the run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../core';
import { searchAttributeKeys } from '../core/search-attributes';
import {
  connectTestTemporal, createBatonTestEnv, handOffStep, replaySavedHistories, ReplayMismatchError, saveHistory, scriptedModel,
  stopTestServer, testServerAddress, textStep, toolStep, uniqueWorkflowId,
} from '../testing';

const configFile = path.join(__dirname, 'fixtures', 'testing-kit', 'baton.config.ts');
const address = () => inject('temporalAddress');

const orderScript = () => scriptedModel([
  handOffStep('triage', 'orders', 'order question'),
  toolStep('orders', { name: 'lookup_order', arguments: { orderId: 'A-7' } }),
  textStep('orders', 'Order A-7 has shipped with PostNord.'),
]);

describe('createBatonTestEnv', () => {
  it('runs a config file\'s team on a scripted model that replaces its OpenAI provider, on a queue of its own', async () => {
    const model = orderScript();
    const env = await createBatonTestEnv({ config: configFile, models: { openai: model }, address: address() });
    try {
      expect(env.taskQueue).toMatch(/^baton-test-[0-9a-f]{8}$/);
      expect(env.config.temporal.taskQueue).toBe(env.taskQueue);
      expect(env.config.providers.openai?.type).toBe('scripted');
      const result = await env.run(async () => (await env.client.startAgent('triage', 'Where is order A-7?')).result());
      expect(result).toMatchObject({ agent: 'orders', path: ['triage', 'orders'], output: 'Order A-7 has shipped with PostNord.' });
      expect(model.calls.map((c) => c.agent.name)).toEqual(['triage', 'orders', 'orders']);
      expect(model.calls[2]?.messages.at(-1)).toMatchObject({ role: 'tool', content: '{"orderId":"A-7","status":"shipped","carrier":"PostNord"}' });
      env.assertScriptsDone();
      // A second run gets a fresh worker (a Temporal worker runs once).
      const second = await createBatonTestEnv({ config: configFile, models: { openai: scriptedModel([textStep('orders', 'first'), textStep('orders', 'again')]) }, temporal: env.temporal });
      expect(second.taskQueue).not.toBe(env.taskQueue);
      const outputs = [];
      for (const input of ['one', 'two']) outputs.push(await second.run(async () => (await second.client.startAgent('orders', input)).result()));
      expect(outputs.map((o) => o.output)).toEqual(['first', 'again']);
      second.assertScriptsDone();
      await second.close();
      await expect(env.temporal.client.workflow.count()).resolves.toBeDefined(); // a shared connection stays open
    } finally {
      await env.close();
    }
  });

  it('fails the run on a call the script did not expect, and names steps never called', async () => {
    const model = scriptedModel([textStep('orders', 'wrong agent'), textStep('orders', 'never reached')]);
    const env = await createBatonTestEnv({ config: configFile, models: { openai: model }, address: address() });
    try {
      const err = await env.run(async () => (await env.client.startAgent('triage', 'hi')).result().catch((e: unknown) => e));
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const cause = (err as WorkflowFailedError).cause?.cause as ApplicationFailure;
      expect(cause).toMatchObject({ type: FailureType.ScriptMismatch, nonRetryable: true });
      expect(cause.message).toContain('step 1 is for agent "orders", but got a call from agent "triage", turn 1');
      expect(() => env.assertScriptsDone()).toThrow('2 of 2 steps were never called');
    } finally {
      await env.close();
    }
  });

  it('checks the scripted model a config file registers itself (a copy of the class loaded through tsx)', async () => {
    const env = await createBatonTestEnv({ config: path.join(__dirname, 'fixtures', 'testing-kit', 'scripted.config.ts'), address: address() });
    try {
      expect(() => env.assertScriptsDone()).toThrow('1 of 1 steps were never called');
      expect((await env.run(async () => (await env.client.startAgent('helper', 'hi')).result())).output).toBe('Hello.');
      expect(() => env.assertScriptsDone()).not.toThrow();
    } finally {
      await env.close();
    }
  });

  it('keeps a background worker for several runs and stops it on close', async () => {
    const env = await createBatonTestEnv({ config: configFile, models: { openai: scriptedModel([textStep('orders', 'one'), textStep('orders', 'two')]) }, address: address() });
    env.startWorker();
    const outputs = [];
    for (const input of ['a', 'b']) outputs.push((await (await env.client.startAgent('orders', input)).result()).output);
    expect(outputs).toEqual(['one', 'two']);
    await env.close();
    expect(env.worker.getState()).toBe('STOPPED');
  });
});

describe('replaySavedHistories', () => {
  it('replays a saved run cleanly, and names the file and event of a history the code no longer matches', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-kit-replay-'));
    const env = await createBatonTestEnv({ config: configFile, models: { openai: orderScript() }, address: address() });
    const workflowId = uniqueWorkflowId('kit-replay');
    try {
      await env.run(async () => (await env.client.startAgent('triage', 'Where is order A-7?', { workflowId })).result());
      const file = await saveHistory(env.temporal.client, workflowId, dir);
      expect(file).toBe(path.join(dir, `${workflowId}.json`));
      const outcomes = await replaySavedHistories(dir);
      expect(outcomes).toEqual([expect.objectContaining({ file, ok: true })]);

      const history = JSON.parse(readFileSync(file, 'utf8')) as { events: Array<Record<string, { activityType?: { name: string } } | undefined>> };
      const scheduled = history.events.find((e) => e.activityTaskScheduledEventAttributes)?.activityTaskScheduledEventAttributes;
      if (!scheduled?.activityType) throw new Error('the run scheduled no activity');
      scheduled.activityType.name = 'renamedActivity';
      writeFileSync(path.join(dir, 'tampered.json'), JSON.stringify(history));
      const err = await replaySavedHistories(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReplayMismatchError);
      expect((err as ReplayMismatchError).failures.map((f) => path.basename(f.file))).toEqual(['tampered.json']);
      expect((err as Error).message).toMatch(/tampered\.json.*: .*Nondeterminism error: .*'renamedActivity'/);
    } finally {
      await env.close();
    }
  });
});

describe('the test server', () => {
  it('uses TEMPORAL_ADDRESS when set, otherwise starts one dev server per process with Baton\'s search attributes', async () => {
    expect(await testServerAddress({ TEMPORAL_ADDRESS: '10.0.0.1:7233' })).toBe('10.0.0.1:7233');
    const started = await testServerAddress({});
    try {
      expect(started).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(started).not.toBe(address());
      expect(await testServerAddress({})).toBe(started);
      const temporal = await connectTestTemporal({ address: started });
      const { customAttributes } = await temporal.connection.operatorService.listSearchAttributes({ namespace: 'default' });
      expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(searchAttributeKeys.map((k) => k.name)));
      await temporal.close();
    } finally {
      await stopTestServer();
    }
  });

  it('stops a dev server, and deletes its database, when the process that started it is killed', async () => {
    // The owner stays up until killed: the server itself does not hold a process open.
    const script = `setInterval(() => {}, 60_000); require('./testing/dev-server').startDevServer().then((s) => console.log(JSON.stringify(s)))`;
    const owner = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: path.join(__dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    const started = await new Promise<{ pid: number; dbDir: string }>((resolve, reject) => {
      let out = '';
      owner.stdout.on('data', (chunk: Buffer) => ((out += chunk.toString()), out.includes('\n') && resolve(JSON.parse(out))));
      owner.once('exit', (code) => reject(new Error(`the owner exited (${code}) before its server answered`)));
    });
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2]?.startsWith('Z');
      } catch {
        return false;
      }
    };
    expect(alive(started.pid)).toBe(true);
    expect(existsSync(started.dbDir)).toBe(true);
    owner.kill('SIGKILL');
    for (let i = 0; i < 300 && (alive(started.pid) || existsSync(started.dbDir)); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(started.pid)).toBe(false);
    expect(existsSync(started.dbDir)).toBe(false);
  });
});
