/** Workers of bench/throughput-worker.ts in their own processes (so their CPU and RSS are their own), and the runs they serve. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';

/** Starts a `baton` or `bare` worker process on `taskQueue`; resolves once it is ready. BENCH_CPU_PROF=<dir> profiles it. */
export async function startWorkerProcess(kind: 'baton' | 'bare', address: string, taskQueue: string): Promise<ChildProcess> {
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}/${kind}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(__dirname, 'throughput-worker.ts'), kind, address, taskQueue], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${kind} worker exited (${code})`)));
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
  });
  return child;
}

/** Stops a worker process with SIGTERM (it drains) and waits for it to exit. */
export async function stopWorkerProcess(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Runs `total` runs keeping `inFlight` started at once. */
export async function runMany(total: number, inFlight: number, runOne: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, async () => {
    while (next < total) await runOne(next++);
  }));
}

/** Waits until `n` runs on `taskQueue` wait for approval (their BatonStatus), at most 5 minutes. */
export async function waitForParked(client: Client, taskQueue: string, n: number): Promise<void> {
  const deadline = Date.now() + 300_000;
  while ((await client.workflow.count(`TaskQueue = "${taskQueue}" AND BatonStatus = "waiting_approval"`)).count < n) {
    if (Date.now() > deadline) throw new Error(`${n} runs did not park within 5 minutes`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
