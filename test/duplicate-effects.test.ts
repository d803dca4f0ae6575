/**
 * Exactly-once tool effects under kill -9: two worker processes run payment runs while the
 * test kills one of them at random moments, many times, and starts a new one after each kill.
 * Every effect is a line in the tools' own log, so duplicated effects are counted directly.
 * The tool that checks its log when `previousAttemptMayHaveRun` must have none; the naive
 * tool's count is the window the ledger cannot close (effect done, result not yet recorded).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../config/load-config';
import { BatonClient } from '../client/baton-client';
import { callsPerRun } from './fixtures/recovery/effects-config';
import { getWorkflowBundle } from '../workers/workflow-bundle';
import { closeTestEnv, getTestEnv, uniqueTaskQueue } from './helpers/temporal';

const root = path.join(__dirname, '..');
const configPath = path.join(__dirname, 'fixtures/recovery/effects-config.ts');
const workerPath = path.join(__dirname, 'fixtures/recovery/effects-worker.ts');
const targetKills = 100;
const killPhaseMs = 90_000;
/** Kills the test needs to mean something: the kill phase goes on past killPhaseMs until it has them (a loaded machine starts workers slowly). */
const minKills = 15;
const concurrentRuns = 24;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface WorkerProcess { child: ChildProcess; startedAt: number; readyAt?: number; exited: boolean }
const all: WorkerProcess[] = [];

afterEach(() => all.splice(0).forEach((w) => w.exited || w.child.kill('SIGKILL')));
afterAll(closeTestEnv);

function startWorker(taskQueue: string, env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', workerPath, inject('temporalAddress'), taskQueue], {
    cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const worker: WorkerProcess = { child, startedAt: Date.now(), exited: false };
  child.stdout?.on('data', (chunk: Buffer) => { if (!worker.readyAt && chunk.toString().includes('baton worker ready')) worker.readyAt = Date.now(); });
  child.stderr?.resume();
  child.once('exit', () => (worker.exited = true));
  all.push(worker);
  return worker;
}

/** Effects per idempotency key, for one tool, from the tools' log. */
function effectsPerCall(lines: string[], tool: 'checked' | 'naive'): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) if (line.startsWith(`effect ${tool} `)) counts.set(line.slice(8 + tool.length), (counts.get(line.slice(8 + tool.length)) ?? 0) + 1);
  return counts;
}
const duplicates = (counts: Map<string, number>) => [...counts.values()].reduce((n, c) => n + c - 1, 0);

describe('tool effects under repeated kill -9', () => {
  it('runs every effect of a tool that checks previousAttemptMayHaveRun exactly once, across many kills', async () => {
    const env = await getTestEnv();
    const baton = new BatonClient(env.client, await loadConfig(configPath), { namespace: env.namespace ?? 'default' });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-effects-'));
    const log = path.join(dir, 'effects.log');
    const bundle = path.join(dir, 'workflows.js');
    writeFileSync(bundle, (await getWorkflowBundle()).code);
    const workerEnv = { EFFECTS_LOG: log, EFFECTS_BUNDLE: bundle, EFFECTS_CACHE_DIR: path.join(dir, 'cache'), EFFECTS_CONTENT_DIR: path.join(dir, 'content') };
    const queue = uniqueTaskQueue('effects');
    const slots = [startWorker(queue, workerEnv), startWorker(queue, workerEnv)];

    const runs: Array<Promise<string>> = [];
    let active = 0;
    let killing = true;
    const startRun = async (): Promise<void> => {
      active++;
      const handle = await baton.startAgent('payer', 'pay', { taskQueue: queue });
      runs.push(handle.result().then((r) => r.output));
      await runs[runs.length - 1];
      active--;
      if (killing) void startRun();
    };
    for (let i = 0; i < concurrentRuns; i++) void startRun();

    const started = Date.now();
    let kills = 0;
    const startupMs: number[] = [];
    while (kills < targetKills && (Date.now() - started < killPhaseMs || kills < minKills)) {
      const ready = slots.filter((w) => w.readyAt && !w.exited);
      if (!ready.length) { await sleep(50); continue; }
      await sleep(200 + Math.random() * 1000);
      const victim = ready[Math.floor(Math.random() * ready.length)] as WorkerProcess;
      startupMs.push((victim.readyAt as number) - victim.startedAt);
      victim.child.kill('SIGKILL');
      kills++;
      slots[slots.indexOf(victim)] = startWorker(queue, workerEnv);
    }
    killing = false;
    const killPhase = Date.now() - started;
    while (active > 0 || runs.length === 0) await sleep(200);
    const outputs = await Promise.all(runs);

    const lines = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
    const checked = effectsPerCall(lines, 'checked');
    const naive = effectsPerCall(lines, 'naive');
    const skipped = lines.filter((l) => l.startsWith('skip ')).length;
    const calls = outputs.length * callsPerRun;
    const median = [...startupMs].sort((a, b) => a - b)[Math.floor(startupMs.length / 2)];
    console.log(
      `${kills} kills in ${(killPhase / 1000).toFixed(0)} s (worker start median ${median} ms), ${outputs.length} runs, ${calls} tool calls: ` +
        `checked tool ${checked.size} calls, ${duplicates(checked)} duplicated effects (${skipped} repeats caught through previousAttemptMayHaveRun); ` +
        `naive tool ${naive.size} calls, ${duplicates(naive)} duplicated effects`,
    );

    expect(outputs.every((o) => o === `sent ${callsPerRun}`)).toBe(true);
    expect(checked.size + naive.size).toBe(calls);
    expect(duplicates(checked)).toBe(0);
    expect(kills).toBeGreaterThanOrEqual(minKills);
    rmSync(dir, { recursive: true, force: true }); // kept for a look when an assertion fails
  }, 300_000);
});
