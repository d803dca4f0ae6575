/**
 * `npm run bench`: Baton's overhead against bare Temporal, in one run on one dev server.
 * An agent turn = one model call (zero-latency scripted model) + one tool call; the
 * baseline does the same activities as no-ops. Prints a Markdown table of ratios.
 * BENCH_TELEMETRY=1 turns Baton's metrics and tracing on (bench/telemetry.ts).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';
import { defineTool, type McpPool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import { BatonClient } from '../client/baton-client';
import { dataConverterFor } from '../codec/settings';
import { validateConfig } from '../config/define-config';
import { createBatonWorker, openMcpPool } from '../workers/create-worker';
import { startEphemeralServer } from '../devtools/ephemeral-server';
import { measureStepLatency } from '../devtools/step-latency';
import * as bareActivities from './bare-activities';
import { benchPatterns, printPatternTable, type PatternRow } from './patterns';
import { growingPage, historyReaderReply, historyTurns } from './agent-history';
import { percentile, recordStep, turnDurations } from './step-clock';
import { intervalAgainst, ratioInterval } from './interval';
import { inRotation, settleTimers } from './fair';
import { collectPhases, printPhases, type Phases } from './history-phases';
import { benchRuntimeTelemetry, benchTracing } from './telemetry';
import { activeTracing, tracingClientInterceptors } from '../client/tracing';

const TURNS = bareActivities.benchTurns;
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const WARMUP = 2;
/** Threads for workflow code in both workers (the SDK's default is 1). */
const WORKFLOW_THREADS = process.env.BENCH_WORKFLOW_THREADS ? Number(process.env.BENCH_WORKFLOW_THREADS) : undefined;
/** BENCH_ENCRYPTION=1: Baton's client and worker encrypt every payload (a throwaway key unless BATON_ENCRYPTION_KEYS is set); bare Temporal stays plain. */
const ENCRYPTION = process.env.BENCH_ENCRYPTION === '1';
if (ENCRYPTION) process.env.BATON_ENCRYPTION_KEYS ??= `bench:${randomBytes(32).toString('base64')}`;

interface Sample { turns: number[]; events: number; bytes: number }

async function historyStats(client: Client, workflowId: string): Promise<{ events: number; bytes: number }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return { events: history.events?.length ?? 0, bytes: temporal.api.history.v1.History.encode(history).finish().length };
}

function memorySampler() {
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  return { reset: () => (peak = process.memoryUsage().rss), peak: () => peak, stop: () => clearInterval(timer) };
}

/** The one tool call of each `tool-*` bench agent. */
function toolCallOf(agent: string): { name: string; arguments: Record<string, unknown> } {
  if (agent === 'tool-mcp') return { name: 'bench-mcp__echo', arguments: { message: 'ping' } };
  if (agent === 'tool-local') return { name: 'local_noop', arguments: { turn: 1 } };
  return { name: agent === 'tool-cached' ? 'cached_noop' : 'noop', arguments: { turn: 1 } };
}

const quiet = { trace: () => undefined, debug: () => undefined, info: () => undefined, log: () => undefined, warn: console.warn, error: console.error };

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: benchRuntimeTelemetry() });
  const tracing = await benchTracing();
  const server = process.env.TEMPORAL_ADDRESS ? undefined : await startEphemeralServer();
  const address = process.env.TEMPORAL_ADDRESS ?? (server as { address: string }).address;
  const nativeConnection = await NativeConnection.connect({ address });
  const client = new Client({ connection: await Connection.connect({ address }) });
  // The server's own floor first: a regression of devtools/dev-server.conf shows here.
  const floor = await measureStepLatency(address);
  console.log(`Server floor: a no-op activity step ${floor.activityMs.toFixed(1)} ms, a local-activity step ${floor.localActivityMs.toFixed(1)} ms (bare Temporal, 20 sequential steps, median of 5 runs)`);
  const memory = memorySampler();
  let mcp: McpPool | undefined;
  try {
    const noop = defineTool({ name: 'noop', description: 'Does nothing', input: z.object({ turn: z.number() }), execute: ({ turn }) => ({ ok: true, turn }) });
    const localNoop = defineTool({ name: 'local_noop', description: 'Does nothing, as a local activity', local: true, startToCloseTimeout: '5s', input: z.object({ turn: z.number() }), execute: ({ turn }) => ({ ok: true, turn }) });
    const cachedNoop = defineTool({ name: 'cached_noop', description: 'Does nothing, cached', cache: { ttl: '1h' }, input: z.object({ turn: z.number() }), execute: ({ turn }) => ({ ok: true, turn }) });
    const model = ScriptedModel.respondWith(({ agent, messages }) => {
      if (agent.name.startsWith('tool-')) return messages.some((m) => m.role === 'tool') ? { text: 'ok' } : { toolCalls: [toolCallOf(agent.name)] };
      if (agent.name === 'handoff-a') return { toolCalls: [{ name: 'transfer_to_handoff-b', arguments: {} }] };
      if (agent.name === 'history-reader') return historyReaderReply(messages);
      if (agent.name !== 'bench') return { text: 'ok' };
      recordStep((messages[0] as { content: string }).content);
      const done = messages.filter((m) => m.role === 'tool').length;
      return done < TURNS ? { toolCalls: [{ name: 'noop', arguments: { turn: done + 1 } }] } : { text: 'done' };
    });
    const config = validateConfig({
      temporal: { taskQueue: `bench-baton-${process.pid}` },
      worker: { workflowThreadPoolSize: WORKFLOW_THREADS },
      encryption: ENCRYPTION,
      ...(tracing.telemetry ? { telemetry: tracing.telemetry } : {}),
      providers: { scripted: { type: 'scripted', model } },
      agents: {
        bench: { provider: 'scripted', model: 'zero-latency', tools: ['noop'], limits: { maxTurns: TURNS + 1 } },
        'handoff-a': { provider: 'scripted', model: 'zero-latency', handoffs: ['handoff-b'] },
        'handoff-b': { provider: 'scripted', model: 'zero-latency' },
        worker: { provider: 'scripted', model: 'zero-latency' },
        chat: { provider: 'scripted', model: 'zero-latency' },
        'history-reader': { provider: 'scripted', model: 'zero-latency', tools: ['growing_page'], limits: { maxTurns: historyTurns + 1 } },
        'tool-uncached': { provider: 'scripted', model: 'zero-latency', tools: ['noop'] },
        'tool-cached': { provider: 'scripted', model: 'zero-latency', tools: ['cached_noop'] },
        'tool-mcp': { provider: 'scripted', model: 'zero-latency', tools: ['bench-mcp__echo'] },
        'tool-local': { provider: 'scripted', model: 'zero-latency', tools: ['local_noop'] },
      },
      tools: [noop, cachedNoop, localNoop, growingPage],
      // A real MCP server from npm over stdio, started once and reused by every call.
      mcpServers: { 'bench-mcp': { command: process.execPath, args: [require.resolve('@modelcontextprotocol/server-everything/dist/index.js'), 'stdio'] } },
    });
    mcp = await openMcpPool(config);
    const batonWorker = await createBatonWorker({ config, connection: nativeConnection, mcp });
    const bareQueue = `bench-bare-${process.pid}`;
    const bareWorker = await Worker.create({ connection: nativeConnection, taskQueue: bareQueue, workflowBundle: await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'bare-workflow.ts'), logger: quiet }), activities: bareActivities, workflowThreadPoolSize: WORKFLOW_THREADS });
    // createBatonWorker started tracing when BENCH_TELEMETRY=1; then the client traces too.
    const interceptors = tracingClientInterceptors();
    const baton = new BatonClient(ENCRYPTION || interceptors ? new Client({ connection: client.connection, dataConverter: dataConverterFor(ENCRYPTION), ...(interceptors ? { interceptors } : {}) }) : client, config, { namespace: 'default' });

    const runBaton = async (key: string): Promise<Sample> => {
      const handle = await baton.startAgent('bench', key, { workflowId: key });
      await handle.result();
      return { turns: turnDurations(key), ...(await historyStats(client, key)) };
    };
    const runBare = async (key: string): Promise<Sample> => {
      await client.workflow.execute('bareAgentWorkflow', { taskQueue: bareQueue, workflowId: key, args: [{ runKey: key, turns: TURNS }] });
      return { turns: turnDurations(key), ...(await historyStats(client, key)) };
    };

    const runPayload = async (key: string): Promise<Sample> => {
      await client.workflow.execute('bareAgentPayloadWorkflow', { taskQueue: bareQueue, workflowId: key, args: [{ runKey: key }] });
      return { turns: turnDurations(key), ...(await historyStats(client, key)) };
    };

    const results = { baton: [] as Sample[], bare: [] as Sample[], payload: [] as Sample[] };
    /** BENCH_PHASES=1: where each turn's time goes, from the histories' server timestamps. */
    const phases = process.env.BENCH_PHASES === '1' ? { bare: new Map() as Phases, baton: new Map() as Phases } : undefined;
    const peaks = { baton: 0, bare: 0, patterns: 0 };
    let patternRows: PatternRow[] = [];
    await Promise.all([batonWorker.run(), bareWorker.run(), (async () => {
      try {
        for (let i = 0; i < WARMUP; i++) { await runBare(`warm-bare-${i}-${Date.now()}`); await runPayload(`warm-payload-${i}-${Date.now()}`); await runBaton(`warm-baton-${i}-${Date.now()}`); }
        if (!process.env.BENCH_ONLY) await settleTimers();
        // BENCH_ONLY picks pattern rows; the agent-turn table is skipped then.
        const runs = { bare: runBare, payload: runPayload, baton: runBaton };
        const sample = (side: 'bare' | 'payload' | 'baton', i: number) => async () => {
          memory.reset();
          const key = `${side}-${i}-${Date.now()}`;
          results[side].push(await runs[side](key));
          if (phases && side !== 'payload') await collectPhases(client, key, phases[side]);
          if (side !== 'payload') peaks[side] = Math.max(peaks[side], memory.peak());
        };
        // Sets of one run per side, the side that goes first rotating (the per-run ratios pair them by index).
        for (let i = 0; i < (process.env.BENCH_ONLY ? 0 : RUNS); i++) await inRotation(i, [sample('bare', i), sample('payload', i), sample('baton', i)]);
        memory.reset();
        if (!process.env.BENCH_SKIP_PATTERNS) patternRows = await benchPatterns(client, baton, bareQueue);
        peaks.patterns = memory.peak();
      } finally {
        batonWorker.shutdown();
        bareWorker.shutdown();
      }
    })()]);
    if (results.baton.length) printReport(results, peaks);
    if (phases && results.baton.length) printPhases(phases.bare, phases.baton, { bareModel: 'model call', callModel: 'model call', bareTool: 'tool call', runTool: 'tool call' });
    if (patternRows.length) {
      printPatternTable(patternRows);
      console.log(`\nPeak RSS of the process running both workers during the pattern rows: ${(peaks.patterns / 1024 / 1024).toFixed(0)} MB`);
    }
  } finally {
    memory.stop();
    await mcp?.close();
    await nativeConnection.close();
    await client.connection.close();
    await server?.stop();
    await activeTracing()?.shutdown();
    tracing.close();
  }
}

function summarize(samples: Sample[]) {
  const turns = samples.flatMap((s) => s.turns);
  return {
    median: percentile(turns, 50),
    p99: percentile(turns, 99),
    events: samples.reduce((a, s) => a + s.events, 0) / samples.length / TURNS,
    bytes: samples.reduce((a, s) => a + s.bytes, 0) / samples.length / TURNS,
  };
}

function printReport(results: { baton: Sample[]; bare: Sample[]; payload: Sample[] }, peaks: { baton: number; bare: number }): void {
  const b = summarize(results.baton);
  const t = summarize(results.bare);
  const p = summarize(results.payload);
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
  const spread = (over: Sample[]) => {
    // Each set ran one run of every side: the ratio of their medians per set shows the noise around the median ratio.
    const ratios = results.baton.slice(0, over.length).map((s, i) => percentile(s.turns, 50) / percentile((over[i] as Sample).turns, 50)).sort((x, y) => x - y);
    return ratios.length ? `${(ratios[0] as number).toFixed(2)}–${(ratios.at(-1) as number).toFixed(2)}` : '';
  };
  console.log(`\nAgent turn (1 model call + 1 tool call), ${RUNS} runs × ${TURNS} turns, zero-latency scripted model\n`);
  console.log("The middle column is bare Temporal doing the same no-op steps with Baton's payloads (the conversation inline, the model's usage, the tool calls' keys, Baton's retry policies and summaries): bare → it is what the bytes cost, it → Baton what Baton's code costs.\n");
  console.log("| measure | bare Temporal | bare, Baton's payloads | Baton | ratio to bare | ratio to bare with Baton's payloads |");
  console.log('|---|---|---|---|---|---|');
  console.log(`| median per turn | ${t.median.toFixed(2)} ms | ${p.median.toFixed(2)} ms | ${b.median.toFixed(2)} ms | ${(b.median / t.median).toFixed(2)} | ${(b.median / p.median).toFixed(2)} |`);
  // Each set's runs stay together in the bootstrap (a run's turns share its luck); issue #10's goal for a turn is 1.05.
  const interval = (over: Sample[], goal?: number) =>
    intervalAgainst(ratioInterval(results.baton.slice(0, over.length).map((s, i) => ({ bare: (over[i] as Sample).turns, baton: s.turns }))), goal);
  console.log(`| 95% interval of the ratio (bootstrap over the sets) · issue #10 goal | | | | ${interval(results.bare, 1.05)} | ${interval(results.payload, 1.05)} |`);
  console.log(`| spread: per-run median ratios of ${results.baton.length} sets | | | | ${spread(results.bare)} | ${spread(results.payload)} |`);
  console.log(`| p99 per turn | ${t.p99.toFixed(2)} ms | ${p.p99.toFixed(2)} ms | ${b.p99.toFixed(2)} ms | ${(b.p99 / t.p99).toFixed(2)} | ${(b.p99 / p.p99).toFixed(2)} |`);
  console.log(`| history events per turn | ${t.events.toFixed(2)} | ${p.events.toFixed(2)} | ${b.events.toFixed(2)} | +${(b.events - t.events).toFixed(2)} | +${(b.events - p.events).toFixed(2)} |`);
  console.log(`| history bytes per turn | ${t.bytes.toFixed(0)} | ${p.bytes.toFixed(0)} | ${b.bytes.toFixed(0)} | ${(b.bytes / t.bytes).toFixed(2)} | ${(b.bytes / p.bytes).toFixed(2)} |`);
  console.log(`| worker peak RSS | ${mb(peaks.bare)} | | ${mb(peaks.baton)} | ${(peaks.baton / peaks.bare).toFixed(2)} | |`);
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
