import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { temporal } from '@temporalio/proto';
import { loadConfig } from '../config/load-config';
import { z } from 'zod';
import { agentSpec, validateConfig } from '../config/define-config';
import { configForPool } from '../config/pools';
import { servedPool } from '../workers/pool-limits';
import { defineTool } from '../activities';
import { BatonClient } from '../client/baton-client';
import type { ModelProvider } from '../activities/providers/provider';
import { ScriptedModel } from '../activities/providers/scripted';
import { startTestBaton } from './helpers/baton';
import { startCliWorker } from './helpers/cli';
import { closeTestEnv, getTestEnv, uniqueTaskQueue } from './helpers/temporal';

const configPath = path.join(__dirname, 'fixtures/pools/config.ts');
const queues = { POOLS_QUEUE: uniqueTaskQueue('pools'), POOLS_GPU_QUEUE: uniqueTaskQueue('pools-gpu'), POOLS_GPU_RATE: '5' };
const workers: ChildProcess[] = [];

/** Starts `baton worker` (with `--pool` when given) and waits for its ready line. */
async function startWorker(pool?: string): Promise<ChildProcess> {
  const child = await startCliWorker(configPath, undefined, { args: pool ? ['--pool', pool] : [], env: queues });
  workers.push(child);
  return child;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Each activity's type, task queue, worker identity and start time, from a run's history. */
function activityStarts(events: HistoryEvent[]) {
  const scheduled = new Map(events.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes]));
  return events.filter((e) => e.activityTaskStartedEventAttributes).map((e) => {
    const attrs = e.activityTaskStartedEventAttributes;
    const task = scheduled.get(String(attrs?.scheduledEventId));
    const at = e.eventTime;
    return { type: task?.activityType?.name ?? '', queue: task?.taskQueue?.name ?? '', identity: attrs?.identity ?? '', at: Number(at?.seconds ?? 0) * 1000 + Math.floor((at?.nanos ?? 0) / 1e6) };
  });
}

describe('worker pools across worker processes', () => {
  let defaultWorker: ChildProcess;
  let gpuWorker: ChildProcess;
  let baton: BatonClient;

  beforeAll(async () => {
    Object.assign(process.env, queues);
    const env = await getTestEnv();
    baton = new BatonClient(env.client, await loadConfig(configPath), { namespace: env.namespace ?? 'default' });
    [defaultWorker, gpuWorker] = await Promise.all([startWorker(), startWorker('gpu')]);
  }, 180_000);

  afterAll(async () => {
    workers.splice(0).forEach((w) => w.exitCode === null && w.kill('SIGKILL'));
    await closeTestEnv();
  });

  it('runs a hand-off from the default pool to pool gpu: each agent\'s model and tool calls ran on its pool\'s worker', async () => {
    const handle = await baton.startAgent('triage', 'render the report');
    const result = await handle.result();
    expect(result.output).toBe('rendered');
    expect(result.path).toEqual(['triage', 'renderer']);
    const starts = activityStarts((await handle.fetchHistory()).events ?? []);
    const onDefault = new RegExp(`^${defaultWorker.pid}@`);
    const onGpu = new RegExp(`^${gpuWorker.pid}@`);
    // triage: model, lookup, model (hand-off); renderer: model, render, model.
    expect(starts.map((s) => s.type)).toEqual(['callModel', 'runTool', 'callModel', 'callModel', 'runTool', 'callModel']);
    starts.slice(0, 3).forEach((s) => {
      expect(s.queue).toBe(queues.POOLS_QUEUE);
      expect(s.identity).toMatch(onDefault);
    });
    starts.slice(3).forEach((s) => {
      expect(s.queue).toBe(queues.POOLS_GPU_QUEUE);
      expect(s.identity).toMatch(onGpu);
    });
  }, 120_000);

  it('holds pool gpu to 5 activities per second across a burst of 20 tool calls', async () => {
    const handle = await baton.startAgent('burst', 'tick 20 times');
    expect((await handle.result()).output).toBe('ticked');
    const ticks = activityStarts((await handle.fetchHistory()).events ?? []).filter((s) => s.type === 'runTool');
    expect(ticks).toHaveLength(20);
    expect(new Set(ticks.map((t) => t.identity))).toEqual(new Set([expect.stringMatching(new RegExp(`^${gpuWorker.pid}@`))]));
    const times = ticks.map((t) => t.at).sort((a, b) => a - b);
    const spanMs = (times.at(-1) as number) - (times[0] as number);
    const perSecond = (times.length - 1) / (spanMs / 1000);
    console.log(`pool gpu: 20 tool calls started over ${spanMs} ms, ${perSecond.toFixed(1)} per second (limit 5)`);
    expect(spanMs).toBeGreaterThanOrEqual(2500);
    expect(perSecond).toBeLessThan(8);
  }, 120_000);
});

describe('pool limits inside one worker', () => {
  afterAll(closeTestEnv);

  it('makes model calls wait for a provider\'s request rate limit instead of sending them at once', async () => {
    const arrivals: number[] = [];
    const scripted = ScriptedModel.respondWith(() => ({ text: 'ok' }));
    const counting: ModelProvider = { kind: 'scripted', complete: (request, options) => (arrivals.push(Date.now()), scripted.complete(request, options)) };
    const baton = await startTestBaton({
      models: { scripted: counting },
      pools: { default: { providers: { scripted: { requestsPerMinute: 120 } } } },
      agents: { quick: { provider: 'scripted', model: 's' } },
    });
    await baton.run(async () => {
      const handles = await Promise.all(Array.from({ length: 5 }, () => baton.client.startAgent('quick', 'hi')));
      for (const handle of handles) expect((await handle.result()).output).toBe('ok');
    });
    expect(arrivals).toHaveLength(5);
    const sorted = [...arrivals].sort((a, b) => a - b);
    const gaps = sorted.slice(1).map((t, i) => t - (sorted[i] as number));
    // 120 a minute with a burst of 1: one request every 500 ms.
    gaps.forEach((gap) => expect(gap).toBeGreaterThanOrEqual(450));
  }, 120_000);

  it('makes model calls wait while a provider\'s tokens per minute are spent', async () => {
    const arrivals: number[] = [];
    const scripted = ScriptedModel.respondWith(() => ({ text: 'ok', usage: { inputTokens: 6, outputTokens: 4 } }));
    const counting: ModelProvider = { kind: 'scripted', complete: (request, options) => (arrivals.push(Date.now()), scripted.complete(request, options)) };
    const baton = await startTestBaton({
      models: { scripted: counting },
      // 10 tokens a second, 10 at once: each 10-token answer costs the next call a second.
      pools: { default: { providers: { scripted: { tokensPerMinute: 600, tokenBurst: 10 } } } },
      agents: { quick: { provider: 'scripted', model: 's' } },
    });
    await baton.run(async () => {
      const handles = await Promise.all(Array.from({ length: 4 }, () => baton.client.startAgent('quick', 'hi')));
      for (const handle of handles) expect((await handle.result()).output).toBe('ok');
    });
    const sorted = [...arrivals].sort((a, b) => a - b);
    expect(sorted).toHaveLength(4);
    // The first answer spends the 10 saved tokens; every later call waits for the debt to be paid back.
    sorted.slice(2).forEach((t, i) => expect(t - (sorted[i + 1] as number)).toBeGreaterThanOrEqual(900));
  }, 120_000);

  it('runs at most `modelCalls` model calls and `toolCalls` tool calls at once in a worker', async () => {
    let models = 0;
    let maxModels = 0;
    const scripted = ScriptedModel.respondWith(({ messages }) => (messages.some((m) => m.role === 'tool') ? { text: 'done', delayMs: 100 } : { toolCalls: Array.from({ length: 6 }, (_, n) => ({ name: 'wait', arguments: { n } })), delayMs: 100 }));
    const counting: ModelProvider = {
      kind: 'scripted',
      async complete(request, options) {
        maxModels = Math.max(maxModels, ++models);
        try {
          return await scripted.complete(request, options);
        } finally {
          models--;
        }
      },
    };
    let tools = 0;
    let maxTools = 0;
    const wait = defineTool({ name: 'wait', description: 'Waits 150 ms', input: z.object({ n: z.number() }), async execute() {
      maxTools = Math.max(maxTools, ++tools);
      await new Promise((r) => setTimeout(r, 150));
      tools--;
      return 'waited';
    } });
    const baton = await startTestBaton({
      models: { scripted: counting },
      tools: [wait],
      pools: { default: { modelCalls: 1, toolCalls: 2 } },
      agents: { waiter: { provider: 'scripted', model: 's', tools: ['wait'] } },
    });
    await baton.run(async () => {
      const handles = await Promise.all(Array.from({ length: 3 }, () => baton.client.startAgent('waiter', 'go')));
      for (const handle of handles) expect((await handle.result()).output).toBe('done');
    });
    expect(maxModels).toBe(1);
    expect(maxTools).toBe(2);
  }, 120_000);
});

describe('pools in config', () => {
  it('resolves an agent\'s pool to its task queue and refuses an unknown pool or a conflicting taskQueue', () => {
    const base = { providers: { p: { type: 'scripted' as const, model: ScriptedModel.respondWith(() => ({ text: '' })) } }, pools: { gpu: { taskQueue: 'gpu-q' } } };
    const config = validateConfig({ ...base, agents: { a: { provider: 'p', model: 'm', pool: 'gpu' }, b: { provider: 'p', model: 'm' } } });
    expect(agentSpec(config, 'a').taskQueue).toBe('gpu-q');
    expect(agentSpec(config, 'b').taskQueue).toBeUndefined();
    expect(() => validateConfig({ ...base, agents: { a: { provider: 'p', model: 'm', pool: 'cpu' } } })).toThrow('agents.a.pool: unknown pool "cpu"; configured pools: default, gpu');
    expect(() => validateConfig({ ...base, agents: { a: { provider: 'p', model: 'm', pool: 'gpu', taskQueue: 'other' } } })).toThrow(/agents\.a\.taskQueue: set either pool or taskQueue/);
  });

  it('gives a pool\'s worker only the MCP servers its agents use, and refuses an unknown pool naming the pools', () => {
    const server = (name: string) => ({ command: process.execPath, args: ['-e', `/* ${name} */`] });
    const config = validateConfig({
      providers: { p: { type: 'scripted', model: ScriptedModel.respondWith(() => ({ text: '' })) } },
      pools: { gpu: {} },
      mcpServers: { files: server('files'), vision: server('vision'), search: server('search') },
      agents: { a: { provider: 'p', model: 'm', mcpServers: ['files'] }, b: { provider: 'p', model: 'm', pool: 'gpu', mcpServers: ['vision'], tools: ['search__query'] } },
    });
    expect(Object.keys(configForPool(config, 'gpu').mcpServers)).toEqual(['vision', 'search']);
    expect(Object.keys(configForPool(config, 'default').mcpServers)).toEqual(['files']);
    expect(Object.keys(configForPool(config, undefined).mcpServers)).toEqual(['files', 'vision', 'search']);
    expect(servedPool(config, 'gpu')).toMatchObject({ name: 'gpu', taskQueue: 'gpu' });
    expect(servedPool(config, undefined)).toMatchObject({ name: 'default', taskQueue: 'baton' });
    expect(() => servedPool(config, 'tpu')).toThrow('invalid config (worker): pool: unknown pool "tpu"; configured pools: default, gpu');
  });
});
