import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config';
import { BatonClient } from '../client/baton-client';
import { startCliWorker } from './helpers/cli';
import { waitFor } from './helpers/wait-for';
import { closeTestEnv, getTestEnv, uniqueTaskQueue } from './helpers/temporal';

const configPath = path.join(__dirname, 'fixtures/health/config.ts');
const workers: ChildProcess[] = [];

afterEach(() => workers.splice(0).forEach((w) => w.exitCode === null && w.kill('SIGKILL')));
afterAll(closeTestEnv);

interface WorkerProcess { child: ChildProcess; port: number; output: () => string; exited: Promise<number | null> }

/** Starts `baton worker --health 127.0.0.1:0` and reads the port it bound from its log (no port race). */
async function startWorker(queue: string, env: Record<string, string>): Promise<WorkerProcess> {
  const healthLine = /health: http:\/\/127\.0\.0\.1:(\d+)\/healthz/;
  const child = await startCliWorker(configPath, queue, { args: ['--health', '127.0.0.1:0'], env, ready: healthLine });
  workers.push(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, port: Number(healthLine.exec(child.output())?.[1]), output: child.output, exited };
}

async function probe(port: number, what: 'healthz' | 'readyz'): Promise<{ status: number; body: Record<string, unknown> } | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/${what}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } catch {
    return undefined; // not listening yet
  }
}

function logFile() {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'baton-health-')), 'tools.log');
  return { file, lines: () => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []) };
}

describe('baton worker --health and SIGTERM drain', () => {
  it('answers /readyz 503 naming an MCP server that is down, while /healthz is 200', async () => {
    const log = logFile();
    const worker = await startWorker(uniqueTaskQueue('health'), { HEALTH_LOG: log.file, HEALTH_MCP: 'broken' });
    const live = await waitFor(() => probe(worker.port, 'healthz'), '/healthz');
    expect(live).toEqual({ status: 200, body: { status: 'ok', worker: 'RUNNING' } });
    const ready = await probe(worker.port, 'readyz');
    expect(ready?.status).toBe(503);
    expect(ready?.body).toMatchObject({ status: 'not ready', temporal: 'connected', providers: ['scripted'] });
    expect((ready?.body.problems as string[]).join('\n')).toMatch(/^MCP server "broken" is down: /m);
  }, 180_000);

  it('drains on SIGTERM: the in-flight tool call finishes on the same worker, the process exits 0, the run completes', async () => {
    const env = await getTestEnv();
    const baton = new BatonClient(env.client, await loadConfig(configPath), { namespace: env.namespace ?? 'default' });
    const log = logFile();
    const queue = uniqueTaskQueue('drain');
    // The call works 8 s: the window in which /readyz says draining, wide enough for a loaded machine to look.
    const first = await startWorker(queue, { HEALTH_LOG: log.file, HEALTH_SLOW_MS: '8000' });
    expect(await waitFor(() => probe(first.port, 'healthz'), '/healthz')).toEqual({ status: 200, body: { status: 'ok', worker: 'RUNNING' } });
    expect(await probe(first.port, 'readyz')).toEqual({ status: 200, body: { status: 'ready', worker: 'RUNNING', temporal: 'connected', mcpServers: { annotated: 'connected' }, providers: ['scripted'] } });

    const handle = await baton.startAgent('patient', 'go', { taskQueue: queue });
    await waitFor(() => log.lines().includes('slow start'), 'the slow tool to start');
    first.child.kill('SIGTERM');
    const draining = await waitFor(async () => {
      const answer = await probe(first.port, 'readyz');
      return answer?.status === 503 ? answer : undefined;
    }, '/readyz to say draining', 7000);
    expect((draining.body.problems as string[])[0]).toMatch(/^worker is draining/);
    expect((await probe(first.port, 'healthz'))?.body.status).toBe('draining');

    expect(await first.exited).toBe(0);
    expect(log.lines()).toEqual(['slow start', 'slow done']);
    expect(first.output()).toMatch(/SIGTERM, draining: no new tasks; 1 call\(s\) in flight get up to 20 s/);

    // The run's next workflow task needs a worker: a second one carries the run to its end.
    await startWorker(queue, { HEALTH_LOG: log.file, HEALTH_SLOW_MS: '8000' });
    const result = await handle.result();
    expect(result.output).toBe('done after slow_step');
    expect(log.lines()).toEqual(['slow start', 'slow done']);
    const events = (await handle.fetchHistory()).events ?? [];
    const toolScheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runTool');
    const toolId = String(toolScheduled?.eventId);
    const started = events.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === toolId);
    const completed = events.find((e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === toolId);
    expect(started?.activityTaskStartedEventAttributes?.identity).toMatch(new RegExp(`^${first.child.pid}@`));
    expect(completed?.activityTaskCompletedEventAttributes?.identity).toMatch(new RegExp(`^${first.child.pid}@`));
  }, 240_000); // two worker processes started one after the other

  it('stops harder on a second SIGTERM (exit 1, at once) and when calls outlast the grace time; another worker retries the call', async () => {
    const env = await getTestEnv();
    const baton = new BatonClient(env.client, await loadConfig(configPath), { namespace: env.namespace ?? 'default' });
    const log = logFile();
    const queue = uniqueTaskQueue('drain-hard');
    const slow = { HEALTH_LOG: log.file, HEALTH_SLOW_MS: '60000', HEALTH_GRACE: '1s' };
    const first = await startWorker(queue, slow);
    await waitFor(() => probe(first.port, 'healthz'), '/healthz');
    const handle = await baton.startAgent('patient', 'go', { taskQueue: queue });
    await waitFor(() => log.lines().includes('slow start'), 'the slow tool to start');
    first.child.kill('SIGTERM');
    await waitFor(() => first.output().includes('draining'), 'the drain line');
    const secondAt = Date.now();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(1);
    const firstStoppedAfter = Date.now() - secondAt;
    console.log(`second SIGTERM: the worker exited ${firstStoppedAfter} ms later`);
    // At once: it stopped on the second signal, not at the end of the grace time plus 5 s (which says "calls still running").
    expect(first.output()).toContain('second SIGTERM, stopping now');
    expect(first.output()).not.toContain('calls still running');
    expect(firstStoppedAfter).toBeLessThan(30_000);

    // The grace time's end (1 s): the call is cancelled, but this tool ignores cancellation, so 5 s later the process stops.
    const second = await startWorker(queue, slow);
    await waitFor(() => log.lines().filter((l) => l === 'slow start').length === 2, 'the retried tool call', 60_000);
    const termAt = Date.now();
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(1);
    const stoppedAfter = Date.now() - termAt;
    console.log(`calls outlasting the grace time: the worker exited ${stoppedAfter} ms after SIGTERM (grace 1 s + 5 s)`);
    // Not before the grace time and the 5 s after it; the upper bound only says it did not wait for the 60 s call.
    expect(stoppedAfter).toBeGreaterThanOrEqual(1000 + 5000 - 500);
    expect(stoppedAfter).toBeLessThan(40_000);
    expect(second.output()).toContain('calls still running 5 s after the grace time, stopping now');
    expect(log.lines()).not.toContain('slow done');

    await startWorker(queue, { HEALTH_LOG: log.file });
    expect((await handle.result()).output).toBe('done after slow_step');
  }, 300_000); // three worker processes started one after the other
});
