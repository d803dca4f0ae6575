/**
 * Throughput and memory rows (`npm run bench:throughput`): each side's worker runs in its own
 * process, so its RSS and CPU are its own. Runs completed per second by one worker process at
 * 1, 50 and 500 runs in flight (an agent run = model call, tool call, model call; the bare
 * workflow does the same activities as no-ops), and worker RSS per run parked on a person
 * (Baton: a tool call waiting for approval; bare: a workflow waiting on a signal).
 * BENCH_THROUGHPUT_RUNS (runs per row, 1000; 0 skips to the parked rows), BENCH_PARKED (500), BENCH_CPU_PROF=<dir> (a
 * V8 CPU profile of each worker process, per thread, for finding where the CPU goes), BENCH_THREADS=1 (each
 * worker's CPU per run by thread: main, the workflow threads, the SDK core's threads; and the dev
 * server's and this client process's CPU per run).
 */
import { Client, Connection } from '@temporalio/client';
import { BatonClient } from '../client/baton-client';
import { decideApprovalUpdate } from '../workflows';
import { startEphemeralServer } from '../devtools/ephemeral-server';
import { throughputConfig } from './throughput-worker';
import { bareReleaseSignal } from './bare-workflow';
import { processUsage, threadGroupsSince, threadUsage } from './process-usage';
import { inTurn, settleTimers } from './fair';
import { runMany, startWorkerProcess, stopWorkerProcess, waitForParked } from './worker-process';

const RUNS = Number(process.env.BENCH_THROUGHPUT_RUNS ?? 1000);
const PARKED = Number(process.env.BENCH_PARKED ?? 500);

/** Runs `total` runs keeping `inFlight` started at once; runs per second and worker CPU ms per run. */
async function throughput(pid: number, total: number, inFlight: number, runOne: (i: number) => Promise<unknown>, serverPid?: number): Promise<{ perSecond: number; cpuPerRun: number; threads: Map<string, number> }> {
  const cpuBefore = processUsage(pid).cpuMs;
  const threadsBefore = threadUsage(pid);
  const others = { server: serverPid ? processUsage(serverPid).cpuMs : 0, client: process.cpuUsage() };
  const started = performance.now();
  await runMany(total, inFlight, runOne);
  const seconds = (performance.now() - started) / 1000;
  const threads = new Map([...threadGroupsSince(pid, threadsBefore)].map(([name, ms]) => [name, ms / total]));
  const client = process.cpuUsage(others.client);
  threads.set('(client process)', (client.user + client.system) / 1000 / total);
  if (serverPid) threads.set('(server process)', (processUsage(serverPid).cpuMs - others.server) / total);
  return { perSecond: total / seconds, cpuPerRun: (processUsage(pid).cpuMs - cpuBefore) / total, threads };
}

/** CPU ms per run by thread group (BENCH_THREADS=1): where a side's worker CPU goes. */
function threadLine(side: string, threads: Map<string, number>): string {
  return `  ${side}: ${[...threads].filter(([, ms]) => ms >= 0.05).sort((a, b) => b[1] - a[1]).map(([name, ms]) => `${name} ${ms.toFixed(2)}`).join(', ')} ms per run`;
}

async function main(): Promise<void> {
  const server = process.env.TEMPORAL_ADDRESS ? undefined : await startEphemeralServer();
  const address = process.env.TEMPORAL_ADDRESS ?? (server as { address: string }).address;
  const client = new Client({ connection: await Connection.connect({ address }) });
  const tag = `${process.pid}-${Date.now()}`;
  const batonQueue = `tp-baton-${tag}`;
  const bareQueue = `tp-bare-${tag}`;
  const baton = new BatonClient(client, throughputConfig(batonQueue), { namespace: 'default' });
  const batonWorker = await startWorkerProcess('baton', address, batonQueue);
  const bareWorker = await startWorkerProcess('bare', address, bareQueue);
  const batonPid = batonWorker.pid as number;
  const barePid = bareWorker.pid as number;
  try {
    const runBaton = (key: string) => async (i: number) => (await baton.startAgent('runner', 'go', { workflowId: `${key}-${i}` })).result();
    const runBare = (key: string) => (i: number) => client.workflow.execute('bareAgentWorkflow', { taskQueue: bareQueue, workflowId: `${key}-${i}`, args: [{ runKey: `${key}-${i}`, turns: 1 }] });
    await throughput(barePid, 50, 10, runBare(`warm-bare-${tag}`));
    await throughput(batonPid, 50, 10, runBaton(`warm-baton-${tag}`));
    if (RUNS > 0) {
      console.log(`\nThroughput: ${RUNS} runs per row (model call, tool call, model call), one worker process per side\n`);
      console.log('| runs in flight | bare Temporal runs/s | Baton runs/s | ratio | worker CPU per run, bare / Baton |');
      console.log('|---|---|---|---|---|');
    }
    for (const [row, inFlight] of (RUNS > 0 ? [1, 50, 500] : []).entries()) {
      const total = inFlight === 1 ? Math.min(RUNS, 200) : RUNS;
      const measure = async (side: 'bare' | 'baton') => {
        await settleTimers();
        return side === 'bare'
          ? throughput(barePid, total, inFlight, runBare(`bare-${inFlight}-${tag}`), server?.pid)
          : throughput(batonPid, total, inFlight, runBaton(`baton-${inFlight}-${tag}`), server?.pid);
      };
      // The server's CPU per run drifts up as its database grows, so the side that goes first alternates by row.
      const [bare, ours] = await inTurn(row, () => measure('bare'), () => measure('baton'));
      console.log(`| ${inFlight} | ${bare.perSecond.toFixed(1)} | ${ours.perSecond.toFixed(1)} | ${(ours.perSecond / bare.perSecond).toFixed(2)} | ${bare.cpuPerRun.toFixed(1)} ms / ${ours.cpuPerRun.toFixed(1)} ms |`);
      if (process.env.BENCH_THREADS === '1') console.log(`${threadLine('bare', bare.threads)}\n${threadLine('Baton', ours.threads)}`);
    }

    const parkedBefore = { bare: processUsage(barePid).rss, baton: processUsage(batonPid).rss };
    const bareParked = await Promise.all(Array.from({ length: PARKED }, (_, i) => client.workflow.start('bareParkedWorkflow', { taskQueue: bareQueue, workflowId: `parked-bare-${tag}-${i}`, args: [{ runKey: `p${i}` }] })));
    const batonParked = await Promise.all(Array.from({ length: PARKED }, (_, i) => baton.startAgent('parked', 'go', { workflowId: `parked-baton-${tag}-${i}` })));
    await waitForParked(client, bareQueue, PARKED);
    await waitForParked(client, batonQueue, PARKED);
    const parked = { bare: processUsage(barePid).rss, baton: processUsage(batonPid).rss };
    const perRun = (side: 'bare' | 'baton') => (parked[side] - parkedBefore[side]) / PARKED / 1024;
    console.log(`\nParked runs: ${PARKED} per side, waiting for a person\n`);
    console.log('| measure | bare Temporal | Baton | ratio |');
    console.log('|---|---|---|---|');
    console.log(`| worker RSS per parked run | ${perRun('bare').toFixed(0)} KB | ${perRun('baton').toFixed(0)} KB | ${(perRun('baton') / perRun('bare')).toFixed(2)} |`);
    // Released 50 at a time: 500 Updates at once can pass the server's deadline on a busy machine.
    for (let i = 0; i < PARKED; i += 50) {
      await Promise.all(bareParked.slice(i, i + 50).map((h) => h.signal(bareReleaseSignal)));
      await Promise.all(batonParked.slice(i, i + 50).map((h) => client.workflow.getHandle(h.workflowId).executeUpdate(decideApprovalUpdate, { args: [{ approvalId: 'approval-1', approve: true }] })));
    }
    await Promise.all([...bareParked.map((h) => h.result()), ...batonParked.map((h) => h.result())]);
    const after = { bare: processUsage(barePid).rss, baton: processUsage(batonPid).rss };
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
    console.log(`| worker RSS before / parked / after release | ${mb(parkedBefore.bare)} / ${mb(parked.bare)} / ${mb(after.bare)} | ${mb(parkedBefore.baton)} / ${mb(parked.baton)} / ${mb(after.baton)} | |`);
  } finally {
    await Promise.all([stopWorkerProcess(batonWorker), stopWorkerProcess(bareWorker)]);
    await client.connection.close();
    await server?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
