import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { Worker } from '@temporalio/worker';
import { loadConfig } from '../config/load-config';
import { BatonClient } from '../client/baton-client';
import { createBatonWorker } from '../workers/create-worker';
import { main } from '../client/cli/main';
import type { AgentReport, PoolReport, RegisteredAgent } from '../client/ops/registry';
import { closeTestEnv, getTestEnv, uniqueTaskQueue } from './helpers/temporal';
import { waitFor } from './helpers/wait-for';

const configPath = path.join(__dirname, 'fixtures/pools/config.ts');
const queues = { POOLS_QUEUE: uniqueTaskQueue('registry'), POOLS_GPU_QUEUE: uniqueTaskQueue('registry-gpu') };

/** Runs the `baton` CLI in this process; returns its exit code and what it printed. */
async function baton(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
  try {
    const code = await main(['--config', configPath, '--address', inject('temporalAddress'), ...args]);
    return { code, out: lines.join('\n') };
  } finally {
    log.mockRestore();
  }
}

describe('baton agents and baton pools', () => {
  let worker: Worker;
  let running: Promise<void>;
  let baton_: BatonClient;

  beforeAll(async () => {
    Object.assign(process.env, queues);
    const env = await getTestEnv();
    const config = await loadConfig(configPath);
    baton_ = new BatonClient(env.client, config, { namespace: env.namespace ?? 'default' });
    // Only the default pool has a worker: pool gpu never had one.
    worker = await createBatonWorker({ config, connection: env.nativeConnection, namespace: env.namespace ?? 'default' });
    running = worker.run();
  }, 120_000);

  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    worker.shutdown();
    await running;
    await closeTestEnv();
  });

  it('lists every agent with its pool, model, tools and the spec hash its runs record', async () => {
    const { code, out } = await baton('agents', 'list', '--json');
    expect(code).toBe(0);
    const agents = JSON.parse(out) as RegisteredAgent[];
    expect(agents.map((a) => [a.name, a.pool, a.taskQueue, a.tools])).toEqual([
      ['triage', 'default', queues.POOLS_QUEUE, ['lookup']],
      ['renderer', 'gpu', queues.POOLS_GPU_QUEUE, ['render']],
      ['burst', 'gpu', queues.POOLS_GPU_QUEUE, ['tick']],
      ['echo', 'default', queues.POOLS_QUEUE, []],
    ]);
    const handle = await baton_.startAgent('echo', 'hi');
    expect((await handle.result()).specHash).toBe(agents.find((a) => a.name === 'echo')?.specHash);
    const text = await baton('agents', 'list');
    expect(text.out.split('\n')[0]).toMatch(/^AGENT\s+POOL\s+MODEL\s+TOOLS\s+SPEC HASH$/);
    expect(text.out).toMatch(/burst\s+gpu\s+scripted\/scripted\s+tick\s+[0-9a-f]{16}/);
  }, 120_000);

  it('shows a pool with a backlog and no workers, and the agent\'s open runs with their spec hashes', async () => {
    const handles = await Promise.all([baton_.startAgent('burst', 'one'), baton_.startAgent('burst', 'two')]);
    const gpu = await waitFor(async () => {
      const { out } = await baton('pools', '--json');
      const pool = (JSON.parse(out) as PoolReport[]).find((p) => p.name === 'gpu');
      return pool && pool.backlog.activity >= 2 ? pool : undefined;
    }, 'the gpu backlog', 30_000, 500);
    expect(gpu).toMatchObject({ taskQueue: queues.POOLS_GPU_QUEUE, agents: ['renderer', 'burst'], workers: [] });
    expect(gpu.warning).toBe(`2 task(s) waiting and no worker polls ${queues.POOLS_GPU_QUEUE}: start one with baton worker --pool gpu`);

    const { code, out } = await baton('pools');
    expect(code).toBe(1);
    expect(out).toMatch(new RegExp(`^gpu\\s+${queues.POOLS_GPU_QUEUE}\\s+0\\s+2\\s`, 'm'));
    expect(out).toMatch(new RegExp(`^default\\s+${queues.POOLS_QUEUE}\\s+1\\s+0\\s`, 'm'));
    expect(out).toMatch(new RegExp(`^  default: ${process.pid}@\\S+ · last poll \\d{4}-`, 'm'));
    expect(out).toContain(`! pool gpu: 2 task(s) waiting and no worker polls ${queues.POOLS_GPU_QUEUE}`);

    const shown = await baton('agents', 'show', 'burst', '--json');
    expect(shown.code).toBe(0);
    const report = JSON.parse(shown.out) as AgentReport;
    expect(report.openRuns).toBe(2);
    expect(report.openSpecHashes).toEqual({ [report.specHash]: 2 });
    expect(report.spec).toMatchObject({ name: 'burst', taskQueue: queues.POOLS_GPU_QUEUE, tools: ['tick'] });
    await Promise.all(handles.map((h) => h.terminate('test over')));
  }, 120_000);

  it('shows an agent\'s runs closed in the last hour and their tokens', async () => {
    await (await baton_.startAgent('echo', 'again')).result();
    const { code, out } = await baton('agents', 'show', 'echo');
    expect(code).toBe(0);
    expect(out).toMatch(/^open runs\s+0$/m);
    expect(out).toMatch(/^closed last hour\s+2 completed$/m);
    expect(out).toMatch(/^usage\s+[1-9]\d* in \/ [1-9]\d* out tokens, 2 model calls, 0 tool calls$/m);
    expect(out).toContain('"name": "echo"');
  }, 120_000);
});
