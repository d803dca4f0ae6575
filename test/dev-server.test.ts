/**
 * The test harness works against the real dev server: connections, visibility, Baton's
 * search attributes; and temporal-dev.sh keeps its data across a restart.
 * (Start/status/no-op/stop of temporal-dev.sh: dev-server-script.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Connection, type WorkflowExecutionInfo } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { BatonAgent, searchAttributeKeys } from '../core/search-attributes';
import { freePort } from '../devtools/ephemeral-server';
import { closeTestEnv, getTestEnv, uniqueTaskQueue, uniqueWorkflowId } from './helpers/temporal';

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
const script = path.join(__dirname, '..', 'temporal-dev.sh');

afterAll(closeTestEnv);

/** Visibility is written asynchronously: poll the list until `query` matches something. */
async function listUntilFound(list: (query: string) => AsyncIterable<WorkflowExecutionInfo>, query: string): Promise<WorkflowExecutionInfo[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const found: WorkflowExecutionInfo[] = [];
    for await (const info of list(query)) found.push(info);
    if (found.length > 0 || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('test harness', () => {
  it('connects to the run\'s server and lists workflows by a Baton search attribute', async () => {
    const env = await getTestEnv();
    const { serverVersion } = await env.client.connection.workflowService.getSystemInfo({});
    expect(serverVersion).toMatch(/^\d+\.\d+/);

    // No worker needed: start a workflow nobody polls for, find it, terminate it.
    const workflowId = uniqueWorkflowId('harness');
    const agent = uniqueTaskQueue('agent');
    const handle = await env.client.workflow.start('harnessProbe', {
      taskQueue: uniqueTaskQueue('harness'),
      workflowId,
      typedSearchAttributes: [{ key: BatonAgent, value: agent }],
    });
    try {
      const found = await listUntilFound((query) => env.client.workflow.list({ query }), `BatonAgent = "${agent}"`);
      expect(found.map((info) => info.workflowId)).toEqual([workflowId]);
      expect(found[0]?.typedSearchAttributes.get(BatonAgent)).toBe(agent);
    } finally {
      await handle.terminate('test done');
    }
  });

  it('has Baton\'s search attributes registered as Keyword', async () => {
    const env = await getTestEnv();
    const { customAttributes } = await env.client.connection.operatorService.listSearchAttributes({ namespace: env.namespace ?? 'default' });
    for (const key of searchAttributeKeys) expect(customAttributes?.[key.name], key.name).toBe(KEYWORD);
  });

  it('hands out distinct task queues and workflow ids', () => {
    expect(uniqueTaskQueue('q')).toMatch(/^q-[0-9a-f]{8}$/);
    expect(uniqueWorkflowId('w')).not.toBe(uniqueWorkflowId('w'));
  });
});

describe('temporal-dev.sh', () => {
  it('restarts on its existing database with the data and search attributes intact', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-devsh-'));
    const port = String(await freePort());
    const env = { ...process.env, BATON_TEMPORAL_DIR: dir, BATON_TEMPORAL_PORT: port, BATON_TEMPORAL_UI_PORT: String(await freePort()) };
    const run = (command: string, extra: NodeJS.ProcessEnv = {}) => spawnSync(script, [command], { env: { ...env, ...extra }, encoding: 'utf8', timeout: 60_000 });
    const address = `127.0.0.1:${port}`;
    const workflowId = uniqueWorkflowId('persisted');
    try {
      const first = run('start');
      expect(first.status, first.stderr).toBe(0);
      let connection = await Connection.connect({ address });
      await connection.workflowService.startWorkflowExecution({
        namespace: 'default',
        workflowId,
        workflowType: { name: 'persistedProbe' },
        taskQueue: { name: uniqueTaskQueue('persisted') },
        requestId: workflowId,
      });
      await connection.close();
      expect(run('stop').stdout).toContain('Stopped the Temporal dev server');

      const second = run('start');
      expect(second.status, second.stderr).toBe(0);
      expect(second.stdout).toContain(`running at ${address}`);
      // Another state dir on the same port: something already answers there, so a no-op.
      const other = run('start', { BATON_TEMPORAL_DIR: path.join(dir, 'other') });
      expect(other.status, other.stderr).toBe(0);
      expect(other.stdout).toContain(`already answers at ${address}`);

      connection = await Connection.connect({ address });
      try {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
        for (const key of searchAttributeKeys) expect(customAttributes?.[key.name], key.name).toBe(KEYWORD);
        const { workflowExecutionInfo } = await connection.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId } });
        expect(workflowExecutionInfo?.execution?.workflowId).toBe(workflowId);
      } finally {
        await connection.close();
      }
    } finally {
      run('stop');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
