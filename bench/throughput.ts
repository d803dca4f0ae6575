/**
 * Throughput and memory rows (`npm run bench:throughput`): each side's worker runs in its own
 * process, so its RSS and CPU are its own. Runs completed per second by one worker process at
 * 1, 50 and 500 runs in flight (an agent run = model call, tool call, model call; the bare
 * workflow does the same activities as no-ops), and worker RSS per run parked on a person
 * (Baton: a tool call waiting for approval; bare: a workflow waiting on a signal).
 *
 * Each measurement starts from the same state: a fresh dev server (a new SQLite database) and
 * a fresh worker process for its side, 50 warm-up runs at 10 in flight, then the measured runs;
 * then the worker and the server stop. A server that has served a session does more CPU work
 * per run as its database grows (17 -> 26 ms per run at 50 in flight over one session, for both
 * sides), which made a row's ratio depend on when it ran. Each row is measured
 * BENCH_THROUGHPUT_ROUNDS times per side (default 2), the side that goes first alternating by
 * round; the table gives the median per side and each round's ratio. With TEMPORAL_ADDRESS all
 * measurements share that server (and wait for earlier runs' timers first: bench/fair.ts).
 * The parked rows run both workers on one more fresh server (or the shared one).
 *
 * BENCH_THROUGHPUT_RUNS (runs per measurement, 600, and at most 150 at 1 in flight; 0 skips to
 * the parked rows), BENCH_THROUGHPUT_ROUNDS (2), BENCH_PARKED (500), BENCH_CPU_PROF=<dir> (a V8
 * CPU profile of each worker process, per thread, for finding where the CPU goes),
 * BENCH_THREADS=1 (each worker's CPU per run by thread: main, the workflow threads, the SDK
 * core's threads; and the dev server's and this client process's CPU per run, each round).
 */
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { BatonClient } from '../client/baton-client';
import { decideApprovalUpdate } from '../workflows';
import { startEphemeralServer } from '../devtools/ephemeral-server';
import { throughputConfig } from './throughput-worker';
import { bareReleaseSignal } from './bare-workflow';
import { processUsage, threadGroupsSince, threadUsage } from './process-usage';
import { inTurn, settleTimers } from './fair';
import { roundsHeader, roundsRow, type ThroughputRound, type ThroughputSample } from './throughput-rounds';
import { runMany, startWorkerProcess, stopWorkerProcess, waitForParked } from './worker-process';

const RUNS = Number(process.env.BENCH_THROUGHPUT_RUNS ?? 600);
const ROUNDS = Number(process.env.BENCH_THROUGHPUT_ROUNDS ?? 2);
const PARKED = Number(process.env.BENCH_PARKED ?? 500);
const SHARED_ADDRESS = process.env.TEMPORAL_ADDRESS;
const tag = `${process.pid}-${Date.now()}`;

type Side = 'bare' | 'baton';

/** Runs `total` runs keeping `inFlight` started at once; runs per second, worker CPU ms per run, and CPU ms per run by thread. */
async function throughput(pid: number, total: number, inFlight: number, runOne: (i: number) => Promise<unknown>, serverPid?: number): Promise<ThroughputSample & { threads: Map<string, number> }> {
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

/** The server a measurement runs on: a fresh dev server, or the shared one at TEMPORAL_ADDRESS (`reused`, never stopped). */
async function openServer(): Promise<{ address: string; pid?: number; reused: boolean; stop(): Promise<void> }> {
  if (SHARED_ADDRESS) return { address: SHARED_ADDRESS, reused: true, stop: async () => undefined };
  const server = await startEphemeralServer();
  return { address: server.address, pid: server.pid, reused: false, stop: () => server.stop() };
}

/** A side's worker process on `address`, a client for it, and one run of that side by key. */
async function startSide(side: Side, address: string, queue: string) {
  const client = new Client({ connection: await Connection.connect({ address }) });
  const baton = new BatonClient(client, throughputConfig(queue), { namespace: 'default' });
  let worker: ChildProcess;
  try {
    worker = await startWorkerProcess(side, address, queue);
  } catch (err) {
    await client.connection.close();
    throw err;
  }
  const run = (key: string) => side === 'baton'
    ? async (i: number) => (await baton.startAgent('runner', 'go', { workflowId: `${key}-${i}` })).result()
    : (i: number) => client.workflow.execute('bareAgentWorkflow', { taskQueue: queue, workflowId: `${key}-${i}`, args: [{ runKey: `${key}-${i}`, turns: 1 }] });
  return {
    pid: worker.pid as number, client, baton, queue, run,
    async stop() {
      await stopWorkerProcess(worker);
      await client.connection.close();
    },
  };
}

/** One measurement of one side: its own server (unless shared) and worker process, a warm-up, then `total` runs at `inFlight`. */
async function measure(side: Side, inFlight: number, total: number, round: number): Promise<ThroughputSample & { threads: Map<string, number> }> {
  const server = await openServer();
  try {
    const key = `${side}-${inFlight}-${round}-${tag}`;
    const worker = await startSide(side, server.address, `tp-${key}`);
    try {
      await throughput(worker.pid, 50, 10, worker.run(`warm-${key}`));
      // Only a reused server still holds the activity-timeout timers of earlier measurements'
      // runs; a fresh one holds the warm-up's alone, the same for both sides.
      if (server.reused) await settleTimers();
      return await throughput(worker.pid, total, inFlight, worker.run(`run-${key}`), server.pid);
    } finally {
      await worker.stop();
    }
  } finally {
    await server.stop();
  }
}

/** The throughput table: each row ROUNDS rounds, a measurement of each side per round, the side that goes first alternating by round. */
async function throughputRows(): Promise<void> {
  const where = SHARED_ADDRESS ? `all on the shared server at ${SHARED_ADDRESS} (TEMPORAL_ADDRESS)` : 'each on a fresh dev server';
  console.log(`\nThroughput: ${RUNS} runs per measurement (${Math.min(RUNS, 150)} at 1 in flight; model call, tool call, model call), ${ROUNDS} round(s) per side, ${where}, one worker process per side\n`);
  console.log(roundsHeader.join('\n'));
  for (const inFlight of [1, 50, 500]) {
    const total = inFlight === 1 ? Math.min(RUNS, 150) : RUNS;
    const rounds: ThroughputRound[] = [];
    const threads: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [bare, baton] = await inTurn(round, () => measure('bare', inFlight, total, round), () => measure('baton', inFlight, total, round));
      rounds.push({ bare, baton });
      threads.push(threadLine(`bare, round ${round + 1}`, bare.threads), threadLine(`Baton, round ${round + 1}`, baton.threads));
    }
    console.log(roundsRow(inFlight, rounds));
    if (process.env.BENCH_THREADS === '1') console.log(threads.join('\n'));
  }
}

/** Worker RSS per run parked on a person: both sides' workers on one server, its own fresh one unless shared. */
async function parkedRows(): Promise<void> {
  const server = await openServer();
  const sides: Awaited<ReturnType<typeof startSide>>[] = [];
  try {
    const bareSide = await startSide('bare', server.address, `tp-parked-bare-${tag}`);
    sides.push(bareSide);
    const batonSide = await startSide('baton', server.address, `tp-parked-baton-${tag}`);
    sides.push(batonSide);
    const { client } = bareSide;
    // The same warm-up as before a throughput measurement, so "before" is a worker that has served runs.
    for (const side of sides) await runMany(50, 10, side.run(`warm-${side.queue}`));
    const parkedBefore = { bare: processUsage(bareSide.pid).rss, baton: processUsage(batonSide.pid).rss };
    const bareParked = await Promise.all(Array.from({ length: PARKED }, (_, i) => client.workflow.start('bareParkedWorkflow', { taskQueue: bareSide.queue, workflowId: `parked-bare-${tag}-${i}`, args: [{ runKey: `p${i}` }] })));
    const batonParked = await Promise.all(Array.from({ length: PARKED }, (_, i) => batonSide.baton.startAgent('parked', 'go', { workflowId: `parked-baton-${tag}-${i}` })));
    await waitForParked(client, bareSide.queue, PARKED);
    await waitForParked(client, batonSide.queue, PARKED);
    const parked = { bare: processUsage(bareSide.pid).rss, baton: processUsage(batonSide.pid).rss };
    const perRun = (side: Side) => (parked[side] - parkedBefore[side]) / PARKED / 1024;
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
    const after = { bare: processUsage(bareSide.pid).rss, baton: processUsage(batonSide.pid).rss };
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
    console.log(`| worker RSS before / parked / after release | ${mb(parkedBefore.bare)} / ${mb(parked.bare)} / ${mb(after.bare)} | ${mb(parkedBefore.baton)} / ${mb(parked.baton)} / ${mb(after.baton)} | |`);
  } finally {
    await Promise.all(sides.map((side) => side.stop()));
    await server.stop();
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  if (RUNS > 0) await throughputRows();
  await parkedRows();
  console.log(`\n(wall time ${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
