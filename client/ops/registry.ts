/**
 * The live registry behind `baton agents` and `baton pools`: the configured agents and pools,
 * joined with what Temporal knows (visibility for runs, DescribeTaskQueue for workers and backlog).
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { BatonAgent, emptyUsage, addUsage, type AgentRunResult, type AgentSpec, type Usage } from '../../core';
import { specHash } from '../../core/hash';
import { agentSpec, runInputFor, type BatonConfig } from '../../config/define-config';
import { allPools, poolOfAgent } from '../../config/pools';
import { stateQuery } from '../../workflows';

/** One configured agent as `baton agents list` shows it. */
export interface RegisteredAgent {
  name: string;
  pool: string;
  taskQueue: string;
  provider: string;
  model: string;
  tools: string[];
  /** The fingerprint a run of this agent records (`specHash` of agent, tools and team), as `baton run` computes it. */
  specHash: string;
}

/** Every configured agent with its pool and the spec hash its runs record. */
export function registeredAgents(config: BatonConfig): RegisteredAgent[] {
  return Object.keys(config.agents).map((name) => {
    const { agent, tools, team } = runInputFor(config, name, '');
    return { name, pool: poolOfAgent(config, name), taskQueue: agent.taskQueue ?? config.temporal.taskQueue, provider: agent.provider, model: agent.model, tools: agent.tools, specHash: specHash({ agent, tools, team }) };
  });
}

/** An agent's spec and what its runs of the last hour did. */
export interface AgentReport extends RegisteredAgent {
  spec: AgentSpec;
  /** Open runs by the spec hash they run with (`unknown` when no worker answered the state query). */
  openSpecHashes: Record<string, number>;
  openRuns: number;
  /** Runs that closed in the last hour, by Temporal status (COMPLETED, FAILED…). */
  closedLastHour: Record<string, number>;
  /** Tokens and cost so far of the open runs and of the runs completed in the last hour. */
  usage: Usage;
  /** True when more runs matched than were read (`limit`). */
  truncated: boolean;
}

const isoQuote = (date: Date) => `"${date.toISOString()}"`;

/** Runs `fn` over `items`, at most `width` at a time. */
async function eachLimited<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}

/** An agent's registry entry and its runs open now or closed in the last hour (at most `limit` runs read). */
export async function agentReport(client: Client, config: BatonConfig, name: string, options: { limit?: number; now?: Date } = {}): Promise<AgentReport> {
  const spec = agentSpec(config, name);
  const entry = registeredAgents(config).find((a) => a.name === name) as RegisteredAgent;
  const limit = options.limit ?? 200;
  const since = new Date((options.now ?? new Date()).getTime() - 3_600_000);
  const query = `${BatonAgent.name} = "${name}" AND (ExecutionStatus = "Running" OR CloseTime >= ${isoQuote(since)})`;
  const runs: Array<{ workflowId: string; runId: string; status: string }> = [];
  let truncated = false;
  for await (const run of client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
    if (runs.length === limit) {
      truncated = true;
      break;
    }
    runs.push({ workflowId: run.workflowId, runId: run.runId, status: run.status.name });
  }
  const report: AgentReport = { ...entry, spec, openSpecHashes: {}, openRuns: 0, closedLastHour: {}, usage: emptyUsage(), truncated };
  const count = (counts: Record<string, number>, key: string) => (counts[key] = (Object.hasOwn(counts, key) ? (counts[key] as number) : 0) + 1);
  await eachLimited(runs, 10, async (run) => {
    const handle = client.workflow.getHandle(run.workflowId, run.runId);
    if (run.status === 'RUNNING') {
      report.openRuns++;
      // A run whose workers are all down cannot answer: count it under `unknown` instead of waiting.
      const state = await client.workflow.withDeadline(Date.now() + 3000, () => handle.query(stateQuery)).catch(() => undefined);
      count(report.openSpecHashes, state?.specHash ?? 'unknown');
      if (state) report.usage = addUsage(report.usage, state.usage);
      return;
    }
    count(report.closedLastHour, run.status);
    if (run.status !== 'COMPLETED') return;
    const result = (await handle.result().catch(() => undefined)) as AgentRunResult | undefined;
    if (result?.usage) report.usage = addUsage(report.usage, result.usage);
  });
  return report;
}

/** A worker polling a pool's queue, from DescribeTaskQueue's pollers. */
export interface PoolWorker {
  identity: string;
  lastAccessTime?: Date;
  buildId?: string;
  /** Which task types it polls for: workflow, activity. */
  polls: string[];
}

/** One pool's workers and backlog as the server reports them. */
export interface PoolReport {
  name: string;
  taskQueue: string;
  agents: string[];
  workers: PoolWorker[];
  /** Tasks waiting (workflow and activity tasks) and the age of the oldest. */
  backlog: { workflow: number; activity: number; ageMs: number };
  /** Tasks dispatched to workers per second (both kinds), and added per second. */
  dispatchPerSecond: number;
  addPerSecond: number;
  /** Set when tasks wait and no worker polls for them. */
  warning?: string;
}

const { TaskQueueType, TaskQueueKind } = temporal.api.enums.v1;

const toMs = (d: { seconds?: { toString(): string } | number | null; nanos?: number | null } | null | undefined) => (d ? Number(d.seconds?.toString() ?? 0) * 1000 + Math.floor((d.nanos ?? 0) / 1e6) : 0);

/** Every pool (and every bare `taskQueue` an agent names), described by the server. */
export async function poolReports(client: Client, config: BatonConfig): Promise<PoolReport[]> {
  const pools = allPools(config).map((p) => ({ name: p.name, taskQueue: p.taskQueue }));
  for (const name of Object.keys(config.agents)) {
    const pool = poolOfAgent(config, name);
    if (!pools.some((p) => p.name === pool)) pools.push({ name: pool, taskQueue: pool });
  }
  return Promise.all(pools.map(async ({ name, taskQueue }) => {
    const report: PoolReport = { name, taskQueue, agents: Object.keys(config.agents).filter((a) => poolOfAgent(config, a) === name), workers: [], backlog: { workflow: 0, activity: 0, ageMs: 0 }, dispatchPerSecond: 0, addPerSecond: 0 };
    for (const [kind, type] of [['workflow', TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW], ['activity', TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY]] as const) {
      const described = await client.workflowService.describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL }, taskQueueType: type, reportStats: true });
      for (const poller of described.pollers ?? []) {
        const identity = poller.identity ?? '';
        let worker = report.workers.find((w) => w.identity === identity);
        if (!worker) report.workers.push((worker = { identity, polls: [] }));
        worker.polls.push(kind);
        const last = poller.lastAccessTime ? new Date(toMs(poller.lastAccessTime)) : undefined;
        if (last && (!worker.lastAccessTime || last > worker.lastAccessTime)) worker.lastAccessTime = last;
        const buildId = poller.deploymentOptions?.buildId || poller.workerVersionCapabilities?.buildId;
        if (buildId) worker.buildId = buildId;
      }
      const stats = described.stats;
      report.backlog[kind] = Number(stats?.approximateBacklogCount?.toString() ?? 0);
      report.backlog.ageMs = Math.max(report.backlog.ageMs, toMs(stats?.approximateBacklogAge));
      report.dispatchPerSecond += stats?.tasksDispatchRate ?? 0;
      report.addPerSecond += stats?.tasksAddRate ?? 0;
    }
    const waiting = report.backlog.workflow + report.backlog.activity;
    if (waiting > 0 && !report.workers.length) report.warning = `${waiting} task(s) waiting and no worker polls ${taskQueue}: start one with baton worker${name === 'default' ? '' : ` --pool ${name}`}`;
    return report;
  }));
}
