/**
 * Fleet rows (`npm run bench:fleet`): the same agent runs (model call, tool call, model call on
 * a zero-latency scripted model) served by one `baton` worker process, then by two on one task
 * queue: runs completed per second, worker RSS, where the CPU went (the workers, the dev server,
 * this client) and worker RSS per run parked waiting for approval; with ratios two / one.
 * BENCH_FLEET_RUNS (runs per row, 1000), BENCH_FLEET_IN_FLIGHT (200), BENCH_FLEET_PARKED (300),
 * BENCH_FLEET_WORKERS (the rows' worker counts in order, "1,2"; "1,2,1" shows drift over the run).
 */
import os from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { BatonClient } from '../client/baton-client';
import { decideApprovalUpdate } from '../workflows';
import { startEphemeralServer } from '../devtools/ephemeral-server';
import { throughputConfig } from './throughput-worker';
import { hostCpu, processUsage } from './process-usage';
import { runMany, startWorkerProcess, stopWorkerProcess, waitForParked } from './worker-process';

const RUNS = Number(process.env.BENCH_FLEET_RUNS ?? 1000);
const IN_FLIGHT = Number(process.env.BENCH_FLEET_IN_FLIGHT ?? 200);
const PARKED = Number(process.env.BENCH_FLEET_PARKED ?? 300);
const WORKER_COUNTS = (process.env.BENCH_FLEET_WORKERS ?? '1,2').split(',').map(Number);

interface Row { workers: number; perSecond: number; rss: number[]; cpuPerRun: { workers: number; server?: number; client: number }; hostBusy: number; parkedPerRun: number; parkedRss: number[] }

/** One row: `count` worker processes on a fresh queue: parked runs first, then throughput. */
async function measure(client: Client, address: string, serverPid: number | undefined, count: number, tag: string): Promise<Row> {
  const queue = `fleet-${count}-${tag}`;
  const baton = new BatonClient(client, throughputConfig(queue), { namespace: 'default' });
  const workers = await Promise.all(Array.from({ length: count }, () => startWorkerProcess('baton', address, queue)));
  const pids = workers.map((w) => w.pid as number);
  const workersCpu = () => pids.reduce((sum, pid) => sum + processUsage(pid).cpuMs, 0);
  const clientCpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  const runAgent = (key: string) => async (i: number) => (await baton.startAgent('runner', 'go', { workflowId: `${key}-${i}` })).result();
  try {
    await runMany(50, 10, runAgent(`warm-${queue}`));
    // Parked runs first, on workers that have only warmed up: the throughput row's garbage would blur their memory.
    const parkedBefore = pids.map((pid) => processUsage(pid).rss);
    const parked = await Promise.all(Array.from({ length: PARKED }, (_, i) => baton.startAgent('parked', 'go', { workflowId: `parked-${queue}-${i}` })));
    await waitForParked(client, queue, PARKED);
    const parkedRss = pids.map((pid) => processUsage(pid).rss);
    await Promise.all(parked.map((h) => client.workflow.getHandle(h.workflowId).executeUpdate(decideApprovalUpdate, { args: [{ approvalId: 'approval-1', approve: true }] })));
    await Promise.all(parked.map((h) => h.result()));
    const grown = parkedRss.reduce((sum, r, i) => sum + r - (parkedBefore[i] as number), 0);

    const before = { workers: workersCpu(), server: serverPid && processUsage(serverPid).cpuMs, client: clientCpu(), host: hostCpu(), at: performance.now() };
    await runMany(RUNS, IN_FLIGHT, runAgent(`run-${queue}`));
    const seconds = (performance.now() - before.at) / 1000;
    const host = hostCpu();
    const cpuPerRun = {
      workers: (workersCpu() - before.workers) / RUNS,
      server: serverPid && before.server !== undefined ? (processUsage(serverPid).cpuMs - before.server) / RUNS : undefined,
      client: (clientCpu() - before.client) / RUNS,
    };
    const rss = pids.map((pid) => processUsage(pid).rss);
    return {
      workers: count, perSecond: RUNS / seconds, rss, cpuPerRun, parkedRss,
      hostBusy: (host.busyMs - before.host.busyMs) / (host.totalMs - before.host.totalMs),
      parkedPerRun: grown / PARKED,
    };
  } finally {
    await Promise.all(workers.map(stopWorkerProcess));
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

function print(rows: Row[]): void {
  console.log(`\nFleet: ${RUNS} agent runs per row, ${IN_FLIGHT} in flight, one task queue; ${os.cpus().length} cores\n`);
  console.log('| worker processes | runs/s | worker RSS (each) | CPU per run: workers / dev server / bench client | host CPU busy |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    const cpu = `${r.cpuPerRun.workers.toFixed(1)} / ${r.cpuPerRun.server?.toFixed(1) ?? '-'} / ${r.cpuPerRun.client.toFixed(1)} ms`;
    console.log(`| ${r.workers} | ${r.perSecond.toFixed(1)} | ${mb(sum(r.rss))} (${r.rss.map(mb).join(', ')}) | ${cpu} | ${(r.hostBusy * 100).toFixed(0)}% |`);
  }
  const one = rows.find((r) => r.workers === 1);
  const two = rows.find((r) => r.workers === 2);
  if (one && two) console.log(`| two / one | ${(two.perSecond / one.perSecond).toFixed(2)} | ${(sum(two.rss) / sum(one.rss)).toFixed(2)} | ${(two.cpuPerRun.workers / one.cpuPerRun.workers).toFixed(2)} (workers) | |`);
  console.log(`\nParked: ${PARKED} runs per row waiting for approval (a high-risk tool call)\n`);
  console.log('| worker processes | worker RSS per parked run | worker RSS while parked (each) |');
  console.log('|---|---|---|');
  for (const r of rows) console.log(`| ${r.workers} | ${(r.parkedPerRun / 1024).toFixed(0)} KB | ${r.parkedRss.map(mb).join(', ')} |`);
}

async function main(): Promise<void> {
  const server = process.env.TEMPORAL_ADDRESS ? undefined : await startEphemeralServer();
  const address = process.env.TEMPORAL_ADDRESS ?? (server as { address: string }).address;
  const client = new Client({ connection: await Connection.connect({ address }) });
  const tag = `${process.pid}-${Date.now()}`;
  try {
    const rows: Row[] = [];
    for (const count of WORKER_COUNTS) rows.push(await measure(client, address, server?.pid, count, `${tag}-${rows.length}`));
    print(rows);
  } finally {
    await client.connection.close();
    await server?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
