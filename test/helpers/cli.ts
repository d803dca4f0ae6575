/** Driving the `baton` CLI from tests: in this process with its output captured, or a worker as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { inject, vi } from 'vitest';
import { main } from '../../client/cli/main';

const root = path.join(__dirname, '..', '..');

/** Runs the CLI's `main` in this process with `args`, capturing what it prints. */
export async function captureCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...line: unknown[]) => void out.push(line.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...line: unknown[]) => void err.push(line.join(' ')));
  try {
    const code = await main(args);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    vi.restoreAllMocks();
  }
}

/** What a test's `baton worker` needs beyond its config and task queue. */
export interface CliWorkerOptions {
  /** More `baton worker` flags, e.g. `--metrics <port>` or `--pool gpu`. */
  args?: string[];
  /** Variables added to this process's environment. */
  env?: Record<string, string>;
  /** The worker counts as ready once its output (stdout and stderr) matches this (default `baton worker ready`). */
  ready?: string | RegExp;
  /** How long it may take to get ready (default 90 s: several workers bundling at once on a loaded 2-core machine). */
  timeoutMs?: number;
}

/** A `baton worker` child process, with everything it has printed so far. */
export type CliWorker = ChildProcess & { output: () => string };

/**
 * Starts `baton worker` for `config` (on `queue` when given, else the config's) against the test
 * server; resolves once it printed its ready line, rejects with its output if it exits or takes too long.
 */
export async function startCliWorker(config: string, queue: string | undefined, options: CliWorkerOptions = {}): Promise<CliWorker> {
  const args = ['--import', 'tsx', 'client/cli/main.ts', '--config', config, '--address', inject('temporalAddress'), 'worker', ...(queue ? ['-q', queue] : []), ...(options.args ?? [])];
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const worker = Object.assign(child, { output: () => out });
  const ready = options.ready ?? 'baton worker ready';
  const isReady = () => (typeof ready === 'string' ? out.includes(ready) : ready.test(out));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`the worker was not ready within ${options.timeoutMs ?? 90_000} ms:\n${out}`))), options.timeoutMs ?? 90_000);
    const settle = (fn: () => void) => (clearTimeout(timer), fn());
    const onOutput = (chunk: Buffer) => ((out += chunk.toString()), isReady() && settle(resolve));
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.once('exit', (code) => settle(() => reject(new Error(`the worker exited with ${code} before it was ready:\n${out}`))));
  });
  return worker;
}
