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

/** Starts `baton worker` for `config` on `queue` against the test server; resolves once it is ready. */
export async function startCliWorker(config: string, queue: string): Promise<ChildProcess> {
  const worker = spawn(process.execPath, ['--import', 'tsx', 'client/cli/main.ts', '--config', config, '--address', inject('temporalAddress'), 'worker', '-q', queue], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    worker.stdout?.on('data', (chunk: Buffer) => ((out += chunk.toString()), out.includes('worker ready') && resolve()));
    worker.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${out}`)));
  });
  return worker;
}
