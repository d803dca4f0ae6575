/** A worker of bench/throughput-worker.ts in its own process, so its CPU and RSS are its own. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

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
