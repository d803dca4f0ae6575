/**
 * Where a fan-out's time goes, per child run: `npx tsx bench/fan-out-cpu.ts`. Baton's and bare
 * Temporal's workers run in their own processes, so the CPU read from /proc per thread is each
 * side's own; prints CPU per child (whole process and its busiest thread, the workflow thread)
 * and the history events and bytes of the parent and of the children, per child.
 * BENCH_FAN_OUT_N (default "1,10,50"), BENCH_FAN_OUT_TOOL_BYTES (each child first reads a tool result
 * of that many bytes, so its transcript has weight), BENCH_PATTERN_RUNS (samples per side, default 5),
 * BENCH_CPU_PROF=<dir> (V8 CPU profiles of each worker process, every thread), BENCH_DUMP=<dir>
 * (the last sample's parent and first-child histories as JSON), BENCH_FAN_OUT_REPLAY=<k> (replays
 * each side's last parent history k / N times, at least once, in this process with no server in
 * the loop, and prints per child the replaying threads' CPU and the workflow's promises: the
 * parent's own workflow-thread work, steadier than a live run's on a shared machine;
 * `node --cpu-prof --import tsx bench/fan-out-cpu.ts` profiles it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promiseHooks } from 'node:v8';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { z } from 'zod';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import { BatonClient } from '../client/baton-client';
import { validateConfig } from '../config/define-config';
import { resolveWorkflowSpec } from '../config/load-spec';
import { startEphemeralServer } from '../devtools/ephemeral-server';
import { createBatonWorker } from '../workers/create-worker';
import { getWorkflowBundle } from '../workers/workflow-bundle';
import * as bareActivities from './bare-activities';
import { percentile } from './step-clock';
import { threadUsage } from './process-usage';

const quiet = { trace: () => undefined, debug: () => undefined, info: () => undefined, log: () => undefined, warn: console.warn, error: console.error };

/** Bytes of the one tool result each Baton child reads first (BENCH_FAN_OUT_TOOL_BYTES; 0: it answers at once). */
const toolBytes = Number(process.env.BENCH_FAN_OUT_TOOL_BYTES ?? 0);

/** Baton's side: one agent that answers at once, as bench/main.ts's fan-out rows use (or reads a page first). */
function fanOutConfig(taskQueue: string) {
  const page = defineTool({ name: 'page', description: 'A page of text', input: z.object({}), execute: () => ({ text: 'x'.repeat(toolBytes) }) });
  const model = ScriptedModel.respondWith(({ messages }) => (toolBytes && !messages.some((m) => m.role === 'tool') ? { toolCalls: [{ name: 'page', arguments: {} }] } : { text: 'ok' }));
  return validateConfig({
    temporal: { taskQueue },
    providers: { scripted: { type: 'scripted', model } },
    agents: { worker: { provider: 'scripted', model: 'zero-latency', tools: toolBytes ? ['page'] : [] } },
    tools: [page],
  });
}

let bareBundlePromise: Promise<WorkflowBundleWithSourceMap> | undefined;
const bareBundle = () => (bareBundlePromise ??= bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'bare-workflow.ts'), logger: quiet }));

async function serve(kind: string, address: string, taskQueue: string): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address });
  const worker = kind === 'baton'
    ? await createBatonWorker({ config: fanOutConfig(taskQueue), connection })
    : await Worker.create({ connection, taskQueue, activities: bareActivities, workflowBundle: await bareBundle() });
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => worker.shutdown());
  await worker.run();
  await connection.close();
}

async function startWorker(kind: string, address: string, taskQueue: string): Promise<ChildProcess> {
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}/${kind}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', __filename, 'worker', kind, address, taskQueue], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${kind} worker exited (${code})`)));
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
  });
  return child;
}

/** CPU ms of each thread of a process, by thread id. */
function threadCpu(pid: number): Map<string, number> {
  return new Map([...threadUsage(pid)].map(([tid, thread]) => [tid, thread.cpuMs]));
}

/** Whole-process and busiest-thread CPU spent while `work` ran. */
async function measured(pid: number, work: () => Promise<unknown>): Promise<{ ms: number; cpu: number; top: number }> {
  const before = threadCpu(pid);
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  await new Promise((r) => setTimeout(r, 200));
  const deltas = [...threadCpu(pid)].map(([tid, cpu]) => cpu - (before.get(tid) ?? 0));
  return { ms, cpu: deltas.reduce((a, b) => a + b, 0), top: Math.max(...deltas) };
}

async function historyOf(client: Client, workflowId: string): Promise<{ events: number; bytes: number }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return { events: history.events?.length ?? 0, bytes: temporal.api.history.v1.History.encode(history).finish().length };
}

/**
 * CPU of replaying one parent history `times` times in this process (no server, no children
 * running): the workflow thread's work for the parent's activations, the same code a live run runs.
 */
async function replayCpu(bundle: WorkflowBundleWithSourceMap, workflowId: string, history: temporal.api.history.v1.IHistory, times: number): Promise<{ cpu: number; top: number; promises: number }> {
  const histories = Array.from({ length: times }, () => ({ workflowId, history }));
  // A replay runs the workflow in this thread: promises of another realm than this one's are the workflow's.
  let promises = 0;
  const stopCounting = promiseHooks.onInit((promise) => void (promise instanceof Promise || promises++));
  const before = threadCpu(process.pid);
  try {
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, replayName: `fan-out-replay-${workflowId}` }, histories)) {
      if (result.error) throw result.error;
    }
  } finally {
    stopCounting();
  }
  const deltas = [...threadCpu(process.pid)].map(([tid, cpu]) => cpu - (before.get(tid) ?? 0));
  return { cpu: deltas.reduce((a, b) => a + b, 0), top: Math.max(...deltas), promises };
}

async function main(): Promise<void> {
  if (process.env.BENCH_FAN_OUT_REPLAY) Runtime.install({ logger: new DefaultLogger('WARN') });
  const server = await startEphemeralServer();
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const tag = `${process.pid}-${Date.now()}`;
  const batonQueue = `fan-baton-${tag}`;
  const bareQueue = `fan-bare-${tag}`;
  const config = fanOutConfig(batonQueue);
  const baton = new BatonClient(client, config, { namespace: 'default' });
  const workers = { baton: await startWorker('baton', server.address, batonQueue), bare: await startWorker('bare', server.address, bareQueue) };
  const samples = Number(process.env.BENCH_PATTERN_RUNS ?? 5);
  try {
    for (const n of (process.env.BENCH_FAN_OUT_N ?? '1,10,50').split(',').map(Number)) {
      const spec = resolveWorkflowSpec({ name: `fan-out-${n}`, steps: { kind: 'parallel', concurrency: n, branches: Array.from({ length: n }, () => ({ kind: 'agent', agent: 'worker' })) } }, config);
      const runBaton = async (id: string) => (await baton.startSpec(spec, 'go', { workflowId: id })).result();
      const runBare = (id: string) => client.workflow.execute('bareFanOutWorkflow', { taskQueue: bareQueue, workflowId: id, args: [{ runKey: id, n }] });
      await runBare(`warm-bare-${n}-${tag}`);
      await runBaton(`warm-baton-${n}-${tag}`);
      const rows = { bare: [] as Array<{ ms: number; cpu: number; top: number }>, baton: [] as Array<{ ms: number; cpu: number; top: number }> };
      for (let i = 0; i < samples; i++) {
        const order = i % 2 === 0 ? (['bare', 'baton'] as const) : (['baton', 'bare'] as const);
        for (const side of order) {
          const id = `${side}-${n}-${i}-${tag}`;
          rows[side].push(await measured(workers[side].pid as number, () => (side === 'bare' ? runBare(id) : runBaton(id))));
          await new Promise((r) => setTimeout(r, 10 * n));
        }
      }
      const last = samples - 1;
      const parents = { bare: await historyOf(client, `bare-${n}-${last}-${tag}`), baton: await historyOf(client, `baton-${n}-${last}-${tag}`) };
      const children = { bare: await historyOf(client, `bare-${n}-${last}-${tag}/0`), baton: await historyOf(client, `baton-${n}-${last}-${tag}/root.branches[0]`) };
      if (process.env.BENCH_DUMP) {
        for (const [name, id] of Object.entries({ 'bare-parent': `bare-${n}-${last}-${tag}`, 'bare-child': `bare-${n}-${last}-${tag}/0`, 'baton-parent': `baton-${n}-${last}-${tag}`, 'baton-child': `baton-${n}-${last}-${tag}/root.branches[0]` })) {
          writeFileSync(path.join(process.env.BENCH_DUMP, `${name}-${n}.json`), JSON.stringify(await client.workflow.getHandle(id).fetchHistory(), null, 1));
        }
      }
      const replays = process.env.BENCH_FAN_OUT_REPLAY ? Math.max(1, Math.round(Number(process.env.BENCH_FAN_OUT_REPLAY) / n)) : 0;
      const replayed = replays > 0 && {
        bare: await replayCpu(await bareBundle(), `bare-${n}-${last}-${tag}`, await client.workflow.getHandle(`bare-${n}-${last}-${tag}`).fetchHistory(), replays),
        baton: await replayCpu(await getWorkflowBundle(), `baton-${n}-${last}-${tag}`, await client.workflow.getHandle(`baton-${n}-${last}-${tag}`).fetchHistory(), replays),
      };
      console.log(`\nfan-out N=${n}, ${samples} samples per side (wall: median; CPU per child run: mean)`);
      console.log('| side | wall ms | process CPU ms / child | busiest thread ms / child | parent events / bytes per child | one child events / bytes |');
      console.log('|---|---|---|---|---|---|');
      for (const side of ['bare', 'baton'] as const) {
        // /proc counts in 10 ms ticks: CPU is summed over every sample, then divided.
        const perChild = (key: 'cpu' | 'top') => rows[side].reduce((a, r) => a + r[key], 0) / rows[side].length / n;
        console.log(`| ${side} | ${percentile(rows[side].map((r) => r.ms), 50).toFixed(1)} | ${perChild('cpu').toFixed(2)} | ${perChild('top').toFixed(2)} | ${(parents[side].events / n).toFixed(1)} / ${(parents[side].bytes / n).toFixed(0)} | ${children[side].events} / ${children[side].bytes} |`);
      }
      if (replayed) {
        console.log(`\nparent history replayed ${replays} times per side, per child: process CPU ms / busiest thread CPU ms / workflow promises`);
        for (const side of ['bare', 'baton'] as const) console.log(`| ${side} | ${(replayed[side].cpu / replays / n).toFixed(3)} | ${(replayed[side].top / replays / n).toFixed(3)} | ${(replayed[side].promises / replays / n).toFixed(1)} |`);
      }
    }
  } finally {
    for (const child of Object.values(workers)) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await client.connection.close();
    await server.stop();
  }
}

if (process.argv[2] === 'worker') {
  serve(process.argv[3] as string, process.argv[4] as string, process.argv[5] as string).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    console.error(`fan-out-cpu failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  });
}
