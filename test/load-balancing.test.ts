import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config';
import { BatonClient } from '../client/baton-client';
import { startCliWorker } from './helpers/cli';
import { closeTestEnv, getTestEnv, uniqueTaskQueue } from './helpers/temporal';

const configPath = path.join(__dirname, 'fixtures/fleet/config.ts');
const workers: ChildProcess[] = [];

afterEach(() => workers.splice(0).forEach((w) => w.kill('SIGKILL')));
afterAll(closeTestEnv);

/** Starts `baton worker` on `taskQueue` and resolves with its process once it logged that it is ready. */
async function startWorker(taskQueue: string, env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = await startCliWorker(configPath, taskQueue, { env });
  workers.push(child);
  return child;
}

describe('a fleet of worker processes on one task queue', () => {
  it('spreads 90 runs over three workers (one with the resource-based tuner and autoscaling pollers): each ran a share', async () => {
    const env = await getTestEnv();
    const baton = new BatonClient(env.client, await loadConfig(configPath), { namespace: env.namespace ?? 'default' });
    const queue = uniqueTaskQueue('fleet');
    const fleet = await Promise.all([startWorker(queue, { FLEET_TUNER: '1' }), startWorker(queue), startWorker(queue)]);
    const identityOf = new Map(fleet.map((w, i) => [w.pid, `worker ${i + 1}${i === 0 ? ' (tuner)' : ''}`]));

    const started = Date.now();
    const handles = await Promise.all(Array.from({ length: 90 }, (_, i) => baton.startAgent('echoer', `run ${i}`, { taskQueue: queue })));
    const results = await Promise.all(handles.map((h) => h.result()));
    const elapsedMs = Date.now() - started;
    expect(results.map((r) => r.output)).toEqual(handles.map((_, i) => `echoed ${JSON.stringify({ echoed: `run ${i}` })}`));

    // Who ran what, from the histories' started events (identity: <pid>@<host>).
    const split = new Map([...identityOf.values()].map((name) => [name, { runs: 0, workflowTasks: 0, activityTasks: 0 }]));
    for (const handle of handles) {
      const touched = new Set<string>();
      for (const event of (await handle.fetchHistory()).events ?? []) {
        const identity = event.workflowTaskStartedEventAttributes?.identity ?? event.activityTaskStartedEventAttributes?.identity;
        if (!identity) continue;
        const name = identityOf.get(Number(identity.split('@')[0]));
        expect(name, `identity ${identity} is one of the fleet's`).toBeDefined();
        const share = split.get(name as string);
        if (!share) continue;
        if (event.workflowTaskStartedEventAttributes) share.workflowTasks++;
        else share.activityTasks++;
        touched.add(name as string);
      }
      for (const name of touched) (split.get(name) as { runs: number }).runs++;
    }
    console.log(`90 runs on 3 workers in ${elapsedMs} ms; split (runs touched / workflow tasks / activity tasks):`);
    for (const [name, share] of split) console.log(`  ${name}: ${share.runs} / ${share.workflowTasks} / ${share.activityTasks}`);

    for (const share of split.values()) {
      expect(share.workflowTasks).toBeGreaterThan(0);
      expect(share.activityTasks).toBeGreaterThan(0);
    }
    const totals = [...split.values()].reduce((sum, s) => sum + s.activityTasks, 0);
    expect(totals).toBe(90 * 3); // per run: two model calls and one tool call
  }, 180_000);
});
