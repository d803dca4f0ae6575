/** Pattern benchmarks: each Baton pattern against a bare workflow doing the same activities. */
import type { Client, WorkflowStartOptions } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { BatonClient } from '../client/baton-client';
import { resolveWorkflowSpec } from '../config/load-spec';
import { bareMessageUpdate, type bareHandoffPayloadWorkflow } from './bare-workflow';
import { percentile } from './step-clock';
import { benchAgentHistory } from './agent-history';
import { inRotation, inTurn, settleTimers } from './fair';
import { firstPayload } from '../client/inspect';
import { BatonAgent, BatonPattern } from '../core/search-attributes';
import { collectPhases, printPhases, wallClock, type Phases } from './history-phases';
import { intervalAgainst, pairedSets, ratioInterval } from './interval';

export interface PatternRow {
  name: string;
  bare: number[];
  baton: number[];
  /** What one sample measures: a whole run, or one turn. */
  unit: 'run' | 'turn';
  /** History bytes per sample (sessions: over every run of the continue-as-new chain). */
  history?: { bare: number; baton: number; batonRuns: number };
  /** Samples of bare Temporal doing the same steps with Baton's payloads and start options, in sets with the others. */
  payload?: number[];
  /** Issue #10's goal for the row's ratio to bare, checked against the ratio's interval. */
  goal?: number;
}

/** Bytes and runs of a workflow's history, following continue-as-new from its first run. */
export async function chainHistory(client: Client, workflowId: string, firstRunId?: string): Promise<{ bytes: number; runs: number }> {
  let runId = firstRunId;
  let bytes = 0;
  let runs = 0;
  while (runId !== undefined || runs === 0) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    bytes += temporal.api.history.v1.History.encode(history).finish().length;
    runs++;
    const last = history.events?.[history.events.length - 1];
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return { bytes, runs };
}

/**
 * How the hand-off's payload baseline is started: as Baton's run `batonRunId` was, with its input
 * (read from the run's history; its text replaced by the baseline's workflow id), its search
 * attributes and its summary.
 */
export async function handoffBaselineStart(client: Client, batonRunId: string): Promise<(workflowId: string, taskQueue: string) => WorkflowStartOptions<typeof bareHandoffPayloadWorkflow>> {
  const started = (await client.workflow.getHandle(batonRunId).fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes;
  const input = firstPayload(started?.input) as Parameters<typeof bareHandoffPayloadWorkflow>[0];
  return (workflowId, taskQueue) => ({
    taskQueue,
    workflowId,
    args: [{ ...input, input: workflowId }],
    staticSummary: `agent ${input.agent.name}: ${workflowId}`,
    typedSearchAttributes: [{ key: BatonAgent, value: input.agent.name }, { key: BatonPattern, value: 'agent' }],
  });
}

/** Pause after a run of `n` children: `BENCH_SETTLE_MS` per 100 children (default 1000). */
const settle = (n: number) => new Promise((r) => setTimeout(r, (Number(process.env.BENCH_SETTLE_MS ?? 1000) * n) / 100));

const time = async (work: () => Promise<unknown>) => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

/**
 * Samples per side of a row: `BENCH_PATTERN_RUNS` for every row when set; by default 41 for the
 * rows of one short run (a hand-off, an agent run, a fan-out of 1: a sample costs tens of ms, and
 * paired samples range from 0.4x to 2x, so 15 pairs moved a median ratio by ±0.05 between runs,
 * as much as the 1.05 goal's margin; 41 held the hand-off at 1.07–1.09 in three runs), 15 for a
 * fan-out of 10, 5 for the larger ones (a sample there is one to several seconds).
 */
export function samplesFor(row: 'short' | number, env: NodeJS.ProcessEnv = process.env): number {
  if (env.BENCH_PATTERN_RUNS) return Number(env.BENCH_PATTERN_RUNS);
  if (row === 'short' || row <= 1) return 41;
  return row <= 10 ? 15 : 5;
}

/** One sample of each side into `row`, in turn. */
async function pair(i: number, row: PatternRow, bare: () => Promise<number>, batonRun: () => Promise<number>): Promise<void> {
  const [bareMs, batonMs] = await inTurn(i, bare, batonRun);
  row.bare.push(bareMs);
  row.baton.push(batonMs);
}

export async function benchPatterns(client: Client, baton: BatonClient, bareQueue: string): Promise<PatternRow[]> {
  const rows: PatternRow[] = [];
  const key = (name: string, i: number) => `${name}-${i}-${Date.now()}`;
  /** `BENCH_ONLY=fan-out` (any part of a row's name) runs just the matching rows. */
  const wanted = (name: string) => !process.env.BENCH_ONLY || name.includes(process.env.BENCH_ONLY);

  const handoff: PatternRow = { name: 'hand-off (2 agents)', bare: [], baton: [], unit: 'run', payload: [], goal: 1.05 };
  const handoffPhases = process.env.BENCH_PHASES === '1' ? { bare: new Map() as Phases, payload: new Map() as Phases, baton: new Map() as Phases } : undefined;
  if (wanted(handoff.name)) {
    const warm = key('handoff-warm', 0);
    await (await baton.startAgent('handoff-a', warm, { workflowId: warm })).result();
    const baselineStart = await handoffBaselineStart(client, warm);
    await settleTimers();
    /** One run of a side: its time on the client and, with BENCH_PHASES=1, its phases. */
    const measured = async (id: string, samples: number[], phases: Phases | undefined, run: () => Promise<unknown>) => {
      const calledAt = wallClock();
      samples.push(await time(run));
      const resultAt = wallClock();
      if (phases) await collectPhases(client, id, phases, '', { calledAt, resultAt });
    };
    const bareRun = (i: number) => {
      const id = key('bare-handoff', i);
      return measured(id, handoff.bare, handoffPhases?.bare, () => client.workflow.execute('bareHandoffWorkflow', { taskQueue: bareQueue, workflowId: id, args: [{ runKey: key('h', i) }] }));
    };
    const payloadRun = (i: number) => {
      const id = key('payload-handoff', i);
      return measured(id, handoff.payload as number[], handoffPhases?.payload, () => client.workflow.execute<typeof bareHandoffPayloadWorkflow>('bareHandoffPayloadWorkflow', baselineStart(id, bareQueue)));
    };
    const batonRun = (i: number) => {
      const id = key('handoff', i);
      return measured(id, handoff.baton, handoffPhases?.baton, async () => (await baton.startAgent('handoff-a', id, { workflowId: id })).result());
    };
    for (let i = 0; i < samplesFor('short'); i++) await inRotation(i, [() => bareRun(i), () => payloadRun(i), () => batonRun(i)]);
  }
  if (handoffPhases && handoff.bare.length) {
    console.log(`\n${handoff.name}: where the time goes`);
    printPhases(handoffPhases.bare, handoffPhases.baton, { bareModel: 'model call', payloadModel: 'model call', callModel: 'model call' }, handoffPhases.payload);
  }
  if (handoff.bare.length) rows.push(handoff);

  for (const n of [1, 10, 50, 200]) {
    const row: PatternRow = { name: `fan-out N=${n}`, bare: [], baton: [], unit: 'run', goal: 1.1 };
    if (!wanted(row.name)) continue;
    // All N at once, as the bare fan-out starts them (a spec's default is 50 at a time).
    const spec = resolveWorkflowSpec({ name: `fan-out-${n}`, steps: { kind: 'parallel', concurrency: n, branches: Array.from({ length: n }, () => ({ kind: 'agent', agent: 'worker' })) } }, baton.config);
    /** With BENCH_PHASES=1, the parent's phases and its first child's. */
    const phasesOf = async (id: string, into: Phases | undefined) => {
      const children = into ? await collectPhases(client, id, into, 'parent: ') : [];
      if (into && children[0]) await collectPhases(client, children[0], into, 'child: ');
    };
    const bare = async (i: number) => {
      const id = key(`bare-fan-${n}`, i);
      const ms = await time(() => client.workflow.execute('bareFanOutWorkflow', { taskQueue: bareQueue, workflowId: id, args: [{ runKey: key('f', i), n }] }));
      await phasesOf(id, phases?.bare);
      return ms;
    };
    const batonRun = async (i: number) => {
      const id = key(`fan-${n}`, i);
      const ms = await time(async () => (await baton.startSpec(spec, id, { workflowId: id })).result());
      await phasesOf(id, phases?.baton);
      return ms;
    };
    const phases = process.env.BENCH_PHASES === '1' ? { bare: new Map() as Phases, baton: new Map() as Phases } : undefined;
    await settleTimers();
    for (let i = 0; i < samplesFor(n); i++) {
      // A closed fan-out leaves the server work (visibility, cleanup of N runs); let it
      // settle so each sample starts from the same state.
      const settled = (run: (i: number) => Promise<number>) => async () => (await settle(n), await run(i));
      await pair(i, row, settled(bare), settled(batonRun));
    }
    if (phases) {
      console.log(`\n${row.name}: where the time goes`);
      printPhases(phases.bare, phases.baton, { bareModel: 'model call', callModel: 'model call' });
    }
    if (process.env.BENCH_VERBOSE) console.log(`${row.name} bare ${row.bare.map(Math.round).join(' ')} · baton ${row.baton.map(Math.round).join(' ')}`);
    rows.push(row);
  }

  const toolRows = { 'tool-uncached': 'agent run, 1 uncached tool call', 'tool-cached': 'agent run, 1 cached tool call', 'tool-mcp': 'agent run, 1 MCP tool call (stdio)', 'tool-local': 'agent run, 1 local tool call (bare: a normal activity)' };
  for (const [agent, name] of Object.entries(toolRows)) {
    const row: PatternRow = { name, bare: [], baton: [], unit: 'run' };
    if (!wanted(name)) continue;
    await settleTimers();
    for (let i = 0; i < samplesFor('short'); i++) {
      await pair(
        i,
        row,
        () => time(() => client.workflow.execute('bareAgentWorkflow', { taskQueue: bareQueue, workflowId: key(`bare-${agent}`, i), args: [{ runKey: key('t', i), turns: 1 }] })),
        () => time(async () => (await baton.startAgent(agent, key(agent, i))).result()),
      );
    }
    rows.push(row);
  }

  if (wanted('agent run history bytes per turn')) await benchAgentHistory(client, baton);

  const session: PatternRow = { name: 'session turn (200 turns)', bare: [], baton: [], unit: 'turn', goal: 1.1 };
  if (!wanted(session.name)) return rows;
  await settleTimers();
  const bareHandle = await client.workflow.start('bareSessionWorkflow', { taskQueue: bareQueue, workflowId: key('bare-session', 0), args: [{ runKey: 's', turns: 200 }] });
  const batonHandle = await baton.startSession('chat');
  // Messages unique to this run: the content store is content-addressed, so a rerun's identical conversation
  // would find every segment stored already and take the slower replace path (a real session's are new).
  const tag = key('session', 0);
  for (let turn = 0; turn < 200; turn++) {
    session.bare.push(await time(() => bareHandle.executeUpdate(bareMessageUpdate, { args: [`message ${turn} of ${tag}`] })));
    session.baton.push(await time(() => baton.sendMessage(batonHandle.workflowId, `message ${turn} of ${tag}`)));
  }
  await bareHandle.result();
  const bareHistory = await chainHistory(client, bareHandle.workflowId, bareHandle.firstExecutionRunId);
  const batonHistory = await chainHistory(client, batonHandle.workflowId, batonHandle.firstExecutionRunId);
  session.history = { bare: bareHistory.bytes / 200, baton: batonHistory.bytes / 200, batonRuns: batonHistory.runs };
  if (process.env.BENCH_PHASES === '1') {
    // Where a session turn's time goes, from the server's timestamps.
    const phases = { bare: new Map() as Phases, baton: new Map() as Phases };
    await collectPhases(client, bareHandle.workflowId, phases.bare);
    // collectPhases reads a workflow's latest run; Baton's chain has continued past the turns, so read its first run.
    const firstRun = { workflow: { getHandle: (id: string) => client.workflow.getHandle(id, batonHandle.firstExecutionRunId) } } as Client;
    await collectPhases(firstRun, batonHandle.workflowId, phases.baton);
    console.log('\nSession turn, phases (bare: its one run; Baton: the first run of its chain):');
    printPhases(phases.bare, phases.baton, { bareModel: 'model call', callModel: 'model call' });
  }
  rows.push(session);
  return rows;
}

/** Min–max of Baton's sample over the bare sample taken beside it (n pairs), so a median's noise shows. */
function spreadOf(row: PatternRow): string {
  const ratios = row.baton.slice(0, row.bare.length).map((ms, i) => ms / (row.bare[i] as number)).sort((a, b) => a - b);
  if (!ratios.length) return '';
  return `${(ratios[0] as number).toFixed(2)}–${(ratios.at(-1) as number).toFixed(2)} (${ratios.length} pairs)`;
}

/** The 95% interval of paired samples' ratio and, for a row with a goal, how it stands. */
function intervalNote(bare: readonly number[], baton: readonly number[], goal?: number): string {
  return intervalAgainst(ratioInterval(pairedSets(bare, baton)), goal);
}

export function printPatternTable(rows: PatternRow[]): void {
  console.log('\n| pattern | bare Temporal (median) | Baton (median) | ratio | 95% interval · issue #10 goal | spread: ratios of paired samples |');
  console.log('|---|---|---|---|---|---|');
  for (const row of rows) {
    const bare = percentile(row.bare, 50);
    const baton = percentile(row.baton, 50);
    console.log(`| ${row.name}, per ${row.unit} | ${bare.toFixed(1)} ms | ${baton.toFixed(1)} ms | ${(baton / bare).toFixed(2)} | ${intervalNote(row.bare, row.baton, row.goal)} | ${spreadOf(row)} |`);
  }
  for (const row of rows.filter((r) => r.history)) {
    const { bare, baton, batonRuns } = row.history as NonNullable<PatternRow['history']>;
    console.log(`| ${row.name}, history bytes per ${row.unit} | ${bare.toFixed(0)} | ${baton.toFixed(0)} (${batonRuns} runs, continue-as-new) | ${(baton / bare).toFixed(2)} |`);
  }
  const split = rows.filter((r) => r.payload?.length);
  if (split.length) {
    console.log("\nSplit by bare Temporal doing the same steps with Baton's payloads and start options (its input, search attributes and summary), in sets of three with the row's samples: bare → it is what those cost, it → Baton what Baton's code costs.\n");
    console.log("| pattern | bare Temporal (median) | bare with Baton's payloads (median) | Baton (median) | payloads: ratio to bare (95% interval) | Baton's code: ratio to bare with Baton's payloads (95% interval · goal) |");
    console.log('|---|---|---|---|---|---|');
    for (const row of split) {
      const payloadSamples = row.payload as number[];
      const [bare, payload, baton] = [row.bare, payloadSamples, row.baton].map((s) => percentile(s, 50)) as [number, number, number];
      console.log(`| ${row.name}, per ${row.unit} | ${bare.toFixed(1)} ms | ${payload.toFixed(1)} ms | ${baton.toFixed(1)} ms | ${(payload / bare).toFixed(2)} (${intervalNote(row.bare, payloadSamples)}) | ${(baton / payload).toFixed(2)} (${intervalNote(payloadSamples, row.baton, row.goal)}) |`);
    }
  }
}
