import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { BatonAgent, BatonPattern } from '../core';
import { closeTestEnv, getTestEnv, uniqueTaskQueue, uniqueWorkflowId } from './helpers/temporal';
import { waitFor } from './helpers/wait-for';

const root = path.join(__dirname, '..');
const config = path.join(__dirname, 'fixtures/cli/config.ts');
const stuckId = uniqueWorkflowId('stuck');
const failedId = uniqueWorkflowId('failed');

/** Runs the real `baton` CLI in a child process. */
function baton(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'client/cli/main.ts', '--config', config, '--address', inject('temporalAddress'), ...args], { cwd: root });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  const env = await getTestEnv();
  const taskQueue = uniqueTaskQueue('stuck');
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath: path.join(__dirname, 'fixtures/stuck-workflows.ts') });
  const attributes = (pattern: string) => [{ key: BatonPattern, value: pattern }, { key: BatonAgent, value: 'planner' }];
  await worker.runUntil(async () => {
    const stuck = await env.client.workflow.start('stuckWorkflow', { taskQueue, workflowId: stuckId, typedSearchAttributes: attributes('stuck-fixture') });
    const failed = await env.client.workflow.start('failedWorkflow', { taskQueue, workflowId: failedId, typedSearchAttributes: attributes('failed-fixture') });
    await failed.result().catch(() => undefined);
    await waitFor(async () => ((await stuck.describe()).raw.pendingWorkflowTask?.attempt ?? 0) >= 2, 'the stuck run\'s workflow task to fail twice', 90_000, 200);
  });
}, 120_000);

afterAll(async () => {
  const env = await getTestEnv();
  await env.client.workflow.getHandle(stuckId).terminate('test done').catch(() => undefined);
  await closeTestEnv();
});

describe('a run whose workflow task keeps failing', () => {
  it('shows as "workflow task failing: <error>" in status, list and inspect, not as a silent running', async () => {
    const [status, list, inspect] = await Promise.all([baton('status', stuckId), baton('list', '--status', 'running', '--limit', '100'), baton('inspect', stuckId)]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^status {4}running · workflow task failing: deliberate bug: plan\.steps is not iterable \(attempt \d+\)$/m);
    expect(status.stdout).toMatch(/^problem {3}the run makes no progress until its workflow code is fixed/m);
    expect(list.stdout).toMatch(new RegExp(`^${stuckId}\\s+planner\\s+stuck-fixture\\s+workflow task failing: deliberate bug: plan\\.steps is not iterable \\(attempt \\d+\\)\\s`, 'm'));
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toMatch(new RegExp(`^${stuckId} · stuckWorkflow · running`, 'm'));
    expect(inspect.stdout).toMatch(/^workflow task failing: deliberate bug: plan\.steps is not iterable \(attempt \d+\)$/m);
  });

  it('status of a failed run shows its error', async () => {
    const { code, stdout } = await baton('status', failedId);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^status {4}failed$/m);
    expect(stdout).toMatch(/^error {5}BatonStepFailed: root: unknown route "sales" \(routes: billing, support\)$/m);
  });
});
