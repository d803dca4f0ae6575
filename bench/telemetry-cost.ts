/**
 * What metrics and tracing cost in work, not wall time (`npm run bench:telemetry`): worker CPU
 * per agent run (model call, tool call, model call) of one worker process per setting — Baton
 * off, with metrics, with tracing (the client drops every trace, keeps 10% or keeps every one;
 * the `calls` or the `all` span mode), with both; bare Temporal plain, and with the SDK's own metrics and OpenTelemetry interceptors —
 * and the spans each exported per run. The client decides each trace, as `baton run` does. Spans
 * leave in the span processor's default batches (OTEL_BSP_*: 512 spans or 5 s; one row with 200 ms). CPU
 * from /proc counts every thread of the worker, so it holds on a loaded machine where wall-clock
 * ratios swing. The settings take turns, round after round. BENCH_TELEMETRY_RUNS (runs per
 * setting and round, 100), BENCH_TELEMETRY_ROUNDS (3), BENCH_TELEMETRY_IN_FLIGHT (runs at once, 10),
 * BENCH_TELEMETRY_ONLY (only the settings whose label contains it, or one of its |-separated parts, besides bare and Baton off;
 * a part that starts with `=` matches a whole label only),
 * BENCH_TELEMETRY_COMPARE=<checkout> (each Baton setting twice: this checkout's worker and that one's),
 * BENCH_CPU_PROF=<dir> (a V8 CPU profile of each worker process, every thread, in <dir>/<service>; <dir>/window.json
 * holds the measured rounds' start and end on the profiles' clock and the settings' services).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { AlwaysOffSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { BatonClient } from '../client/baton-client';
import { startEphemeralServer } from '../devtools/ephemeral-server';
import { processUsage, threadUsage } from './process-usage';
import { throughputConfig } from './throughput-worker';
import { runMany, stopWorkerProcess } from './worker-process';

const RUNS = Number(process.env.BENCH_TELEMETRY_RUNS ?? 100);
const ROUNDS = Number(process.env.BENCH_TELEMETRY_ROUNDS ?? 3);
const IN_FLIGHT = Number(process.env.BENCH_TELEMETRY_IN_FLIGHT ?? 10);

interface Setting { label: string; kind: 'baton' | 'bare'; mode: string; keep?: number; spans?: 'calls' | 'all'; checkout?: string; bspDelay?: string }
const allSettings: Setting[] = [
  { label: 'bare Temporal', kind: 'bare', mode: 'off' },
  { label: 'bare Temporal, the SDK\'s metrics', kind: 'bare', mode: 'metrics' },
  { label: 'bare Temporal, the SDK\'s metrics and OpenTelemetry interceptors, every trace', kind: 'bare', mode: 'both', keep: 1 },
  { label: 'Baton off', kind: 'baton', mode: 'off' },
  { label: 'Baton, metrics', kind: 'baton', mode: 'metrics' },
  { label: 'Baton, tracing, every trace dropped', kind: 'baton', mode: 'tracing', keep: 0 },
  { label: 'Baton, tracing, every trace, spans: calls', kind: 'baton', mode: 'tracing', keep: 1, spans: 'calls' },
  { label: 'Baton, tracing, every trace, spans: all', kind: 'baton', mode: 'tracing', keep: 1, spans: 'all' },
  { label: 'Baton, tracing, every trace, spans: calls, OTEL_BSP_SCHEDULE_DELAY=200', kind: 'baton', mode: 'tracing', keep: 1, spans: 'calls', bspDelay: '200' },
  { label: 'Baton, metrics and tracing, 10% of traces, spans: calls', kind: 'baton', mode: 'both', keep: 0.1, spans: 'calls' },
  { label: 'Baton, metrics and tracing, every trace, spans: calls', kind: 'baton', mode: 'both', keep: 1, spans: 'calls' },
  { label: 'Baton, metrics and tracing, every trace, spans: all', kind: 'baton', mode: 'both', keep: 1, spans: 'all' },
];
const only = process.env.BENCH_TELEMETRY_ONLY;
const matches = (label: string, part: string) => (part.startsWith('=') ? label === part.slice(1) : label.includes(part));
const chosen = allSettings.filter((s) => !only || only.split('|').some((part) => matches(s.label, part)) || s.label === 'bare Temporal' || s.label === 'Baton off');
/** BENCH_TELEMETRY_COMPARE=<dir>: each Baton setting also runs a worker from that checkout (before and after a change, in one session). */
const compare = process.env.BENCH_TELEMETRY_COMPARE;
const settings = compare ? chosen.flatMap((s) => (s.kind === 'baton' ? [s, { ...s, label: `${s.label} [${path.basename(compare)}]`, checkout: compare }] : [s])) : chosen;

/** A client that traces each run start with its own sampler (the bench's global provider carries the context). */
function tracingClient(connection: Connection, keep: number | undefined): Client {
  if (keep === undefined) return new Client({ connection });
  const tracer = new NodeTracerProvider({ sampler: new TraceIdRatioBasedSampler(keep) }).getTracer('bench');
  return new Client({ connection, interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer })] } });
}

/** A span sink that counts the spans each service sent (OTLP/HTTP JSON). */
async function startSpanCounter(): Promise<{ endpoint: string; spans: Map<string, number>; close(): void }> {
  const spans = new Map<string, number>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body || '{}') as { resourceSpans?: Array<{ resource?: { attributes?: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans?: Array<{ spans?: unknown[] }> }> };
      for (const rs of parsed.resourceSpans ?? []) {
        const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
        const n = (rs.scopeSpans ?? []).reduce((sum, s) => sum + (s.spans?.length ?? 0), 0);
        spans.set(service, (spans.get(service) ?? 0) + n);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { endpoint: `http://127.0.0.1:${port}`, spans, close: () => void server.close() };
}

function startWorker(address: string, taskQueue: string, setting: Setting, endpoint: string, service: string): Promise<ChildProcess> {
  // The span processor's own batching (OTEL_BSP_*: 512 spans or 5 s) unless the setting or the environment sets a delay.
  const bsp = setting.bspDelay ? { OTEL_BSP_SCHEDULE_DELAY: setting.bspDelay } : {};
  const env = { ...process.env, OTEL_SERVICE_NAME: service, ...bsp, ...(setting.spans ? { BATON_TRACING_SPANS: setting.spans } : {}) };
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}/${service}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(setting.checkout ? path.join(setting.checkout, 'bench') : __dirname, 'telemetry-worker.ts'), setting.kind, address, taskQueue, setting.mode, endpoint], { stdio: ['ignore', 'pipe', 'inherit'], env });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${setting.label} worker exited (${code})`)));
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve(child));
  });
}

/**
 * CPU time (ms) of a process's threads by name: `main`, the core's tokio threads, and each `node` thread apart (`node:<tid>`):
 * Node names every thread it starts `node` (the workflow thread, V8's garbage-collection helpers, libuv's pool), so they are told apart by tid.
 */
function threadCpu(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const [tid, { name, cpuMs }] of threadUsage(pid)) {
    const key = name === 'node' ? `node:${tid}` : name;
    byName.set(key, (byName.get(key) ?? 0) + cpuMs);
  }
  return byName;
}

async function cpuPerRun(pid: number, total: number, runOne: (i: number) => Promise<unknown>, threads?: Map<string, number>): Promise<number> {
  const before = processUsage(pid).cpuMs;
  const threadsBefore = threadCpu(pid);
  await runMany(total, IN_FLIGHT, runOne);
  for (const [name, ms] of threadCpu(pid)) threads?.set(name, (threads.get(name) ?? 0) + (ms - (threadsBefore.get(name) ?? 0)) / total);
  return (processUsage(pid).cpuMs - before) / total;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  // Carries each client's span context into the start's headers (its own spans go nowhere).
  new NodeTracerProvider({ sampler: new AlwaysOffSampler() }).register();
  const server = process.env.TEMPORAL_ADDRESS ? undefined : await startEphemeralServer();
  const address = process.env.TEMPORAL_ADDRESS ?? (server as { address: string }).address;
  const connection = await Connection.connect({ address });
  const counter = await startSpanCounter();
  const tag = `${process.pid}-${Date.now()}`;
  const workers = await Promise.all(settings.map(async (setting, i) => {
    const taskQueue = `tc-${i}-${tag}`;
    const child = await startWorker(address, taskQueue, setting, counter.endpoint, `setting-${i}`);
    const client = tracingClient(connection, setting.keep);
    const baton = new BatonClient(client, throughputConfig(taskQueue), { namespace: 'default' });
    const runOne = (key: string) => async (n: number): Promise<unknown> => setting.kind === 'baton'
      ? (await baton.startAgent('runner', 'go', { workflowId: `${key}-${n}` })).result()
      : client.workflow.execute('bareAgentWorkflow', { taskQueue, workflowId: `${key}-${n}`, args: [{ runKey: `${key}-${n}`, turns: 1 }] });
    return { setting, service: `setting-${i}`, child, runOne, cpu: [] as number[], threads: new Map<string, number>() };
  }));
  try {
    for (const w of workers) await cpuPerRun(w.child.pid as number, 30, w.runOne(`warm-${w.service}-${tag}`));
    // The spans of the warm-up runs out before counting (a worker on the default 5 s batch delay needs longer).
    const exportDelay = Math.max(...settings.map((s) => Number(s.bspDelay ?? process.env.OTEL_BSP_SCHEDULE_DELAY ?? 5000))) + 800;
    await new Promise((r) => setTimeout(r, exportDelay));
    const warmSpans = new Map(counter.spans);
    const measuredFrom = process.hrtime.bigint() / 1000n;
    for (let round = 0; round < ROUNDS; round++) {
      for (const w of workers) w.cpu.push(await cpuPerRun(w.child.pid as number, RUNS, w.runOne(`${w.service}-${round}-${tag}`), w.threads));
    }
    await new Promise((r) => setTimeout(r, 500));
    // The measured rounds on the profiles' clock (µs, monotonic), so a profile can be read without start-up and warm-up.
    const profiles = process.env.BENCH_CPU_PROF;
    if (profiles) {
      mkdirSync(profiles, { recursive: true });
      const settingsRun = workers.map((w) => ({ service: w.service, label: w.setting.label }));
      writeFileSync(path.join(profiles, 'window.json'), JSON.stringify({ from: Number(measuredFrom), to: Number(process.hrtime.bigint() / 1000n), runs: RUNS * ROUNDS, settings: settingsRun }));
    }
    await new Promise((r) => setTimeout(r, exportDelay + 500));
    console.log(`\nWorker CPU per agent run (model call, tool call, model call), ${ROUNDS} rounds × ${RUNS} runs per setting, ${IN_FLIGHT} in flight; median of the rounds (min–max); ratios: median of each round's ratio\n`);
    console.log('| worker | CPU per run | over bare | over Baton off | over Baton off, mean ± s.e. | spans exported per run |');
    console.log('|---|---|---|---|---|---|');
    const cpuOf = (label: string) => workers.find((w) => w.setting.label === label)?.cpu ?? [];
    const bare = cpuOf('bare Temporal');
    // A worker from the compared checkout is read against that checkout's Baton off.
    const offOf = (w: { setting: Setting }) => cpuOf(w.setting.checkout ? `Baton off [${path.basename(w.setting.checkout)}]` : 'Baton off');
    const range = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
    const ratios = (xs: number[], base: number[]) => xs.map((x, i) => x / (base[i] as number));
    const ratio = (xs: number[], base: number[]) => median(ratios(xs, base)).toFixed(2);
    // The rounds' ratios' mean and its standard error: how far a loaded machine leaves the mean uncertain.
    const meanRatio = (xs: number[], base: number[]) => {
      const rs = ratios(xs, base);
      const mean = rs.reduce((a, b) => a + b, 0) / rs.length;
      const se = Math.sqrt(rs.reduce((a, r) => a + (r - mean) ** 2, 0) / Math.max(1, rs.length - 1) / rs.length);
      return `${mean.toFixed(3)} ± ${se.toFixed(3)}`;
    };
    for (const w of workers) {
      const spans = ((counter.spans.get(w.service) ?? 0) - (warmSpans.get(w.service) ?? 0)) / (RUNS * ROUNDS);
      console.log(`| ${w.setting.label} | ${median(w.cpu).toFixed(2)} ms (${range(w.cpu)}) | ${ratio(w.cpu, bare)} | ${w.setting.kind === 'baton' ? ratio(w.cpu, offOf(w)) : ''} | ${w.setting.kind === 'baton' ? meanRatio(w.cpu, offOf(w)) : ''} | ${spans.toFixed(1)} |`);
    }
    // The workflow thread is the busiest `node` thread (a Baton worker runs one); the others are V8's GC helpers and libuv's pool.
    for (const w of workers) {
      const nodeThreads = [...w.threads].filter(([name]) => name.startsWith('node:')).sort((a, b) => b[1] - a[1]);
      for (const [name] of nodeThreads) w.threads.delete(name);
      w.threads.set('workflow thread', nodeThreads[0]?.[1] ?? 0);
      w.threads.set('other node threads (GC helpers, libuv)', nodeThreads.slice(1).reduce((sum, [, ms]) => sum + ms, 0));
    }
    const names = [...new Set(workers.flatMap((w) => [...w.threads.keys()]))].filter((name) => workers.some((w) => (w.threads.get(name) ?? 0) / ROUNDS >= 0.05));
    console.log(`\nThe same CPU per run by thread name, mean of the rounds (ms; threads under 0.05 ms left out)\n\n| worker | ${names.join(' | ')} |\n|---|${names.map(() => '---|').join('')}`);
    for (const w of workers) console.log(`| ${w.setting.label} | ${names.map((name) => ((w.threads.get(name) ?? 0) / ROUNDS).toFixed(2)).join(' | ')} |`);
  } finally {
    await Promise.all(workers.map((w) => stopWorkerProcess(w.child)));
    counter.close();
    await connection.close();
    await server?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
