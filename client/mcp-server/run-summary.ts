/** Where a run is, as `get_run`, `wait_for_run` and the `baton://runs/{id}` resource report it. */
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { z } from 'zod';
import { BatonAgent, BatonStatus, UsageSchema, type AgentRunResult, type PendingApproval, type SpecRunResult } from '../../core';
import type { SessionState } from '../../workflows';
import { livePendingApprovals, liveState, pendingApprovalsOf, type LiveState } from '../live-state';
import { describeStuckTask, stuckTask } from '../run-health';
import { describeRunFailure } from '../cli/commands/result';
import { displayStatus } from '../cli/commands/list';

/** A tool call waiting for a person. */
export const PendingApprovalSchema = z.object({
  id: z.string(),
  agent: z.string(),
  tool: z.string(),
  arguments: z.unknown(),
  risk: z.string(),
  turn: z.number(),
  runId: z.string().optional().describe('the child run that holds it, when not the run itself: the id to pass to decide_approval'),
});

/** The structured content of `get_run`. */
export const RunSummarySchema = z.object({
  id: z.string(),
  runId: z.string(),
  type: z.string().describe('agentWorkflow, specWorkflow or sessionWorkflow'),
  status: z.string().describe('running, calling_model, running_tools, waiting_approval (sessions: idle, answering), completed, failed, cancelled, terminated, timed_out'),
  agent: z.string().optional(),
  turn: z.number().optional(),
  maxTurns: z.number().optional(),
  lastStep: z.string().optional().describe('e.g. "tool pay" or "model scripted/s"'),
  usage: UsageSchema.optional(),
  pendingApprovals: z.array(PendingApprovalSchema),
  output: z.string().optional(),
  error: z.string().optional(),
  problem: z.string().optional().describe('why a running run does not move (a failing workflow task), or that no worker answered'),
  webUrl: z.string(),
});
/** A run's summary, as get_run returns it. */
export type RunSummary = z.infer<typeof RunSummarySchema>;

/** One line for a live state: what changed last, for progress notifications. */
export function progressLine(summary: RunSummary): string {
  const turn = summary.turn !== undefined ? ` · turn ${summary.turn}${summary.maxTurns ? `/${summary.maxTurns}` : ''}` : '';
  const waiting = summary.pendingApprovals.length ? ` · waiting for approval of ${summary.pendingApprovals.map((p) => `${p.tool} (${p.id})`).join(', ')}` : '';
  return `${summary.agent ?? summary.type}${turn} · ${summary.status.replace('_', ' ')}${summary.lastStep ? ` · last: ${summary.lastStep}` : ''}${waiting}`;
}

function fromState(summary: RunSummary, live: LiveState): void {
  const { state } = live;
  summary.pendingApprovals = pendingApprovalsOf(live).map((p) => ({ ...p, arguments: p.arguments ?? {} }));
  summary.usage = state.usage;
  summary.status = state.status;
  if (live.kind === 'session') {
    Object.assign(summary, { agent: live.state.agent, turn: live.state.turns });
    return;
  }
  if (live.kind === 'agent') Object.assign(summary, { agent: live.state.agent, turn: live.state.turn, maxTurns: live.state.maxTurns });
  const last = live.state.lastStep;
  if (last) summary.lastStep = `${last.kind} ${last.name}${last.isError ? ' (error)' : ''}`;
  else if (live.kind === 'spec') {
    const step = live.state.steps[live.state.steps.length - 1];
    if (step) summary.lastStep = `${step.path} ${step.kind}${step.agent ? ` ${step.agent}` : ''} ${step.status}`;
  }
}

/** Approvals waiting in the run's child runs at any depth (a spec's agent steps, agents called as tools), each with its run's id. */
export async function descendantApprovals(client: Client, rootId: string): Promise<Array<PendingApproval & { runId: string }>> {
  const id = rootId.replace(/["\\]/g, '');
  const query = `RootWorkflowId = "${id}" AND WorkflowId != "${id}" AND ${BatonStatus.name} = "waiting_approval" AND ExecutionStatus = "Running"`;
  const found: Array<PendingApproval & { runId: string }> = [];
  for await (const child of client.workflow.list({ query })) {
    const pending = await livePendingApprovals(client, child.workflowId, child.type);
    found.push(...pending.map((p) => ({ ...p, arguments: p.arguments ?? {}, runId: child.workflowId })));
  }
  return found;
}

/** Summarises a run from its description, its live state while running, and its result or failure once closed. */
export async function summarizeRun(client: Client, id: string, ui: (id: string, runId?: string) => string, known?: WorkflowExecutionDescription): Promise<RunSummary> {
  const handle = client.workflow.getHandle(id);
  const d = known ?? (await handle.describe());
  const summary: RunSummary = {
    id: d.workflowId,
    runId: d.runId,
    type: d.type,
    status: displayStatus(d.status.name, d.typedSearchAttributes.get(BatonStatus)),
    agent: d.typedSearchAttributes.get(BatonAgent),
    pendingApprovals: [],
    webUrl: ui(d.workflowId, d.runId),
  };
  if (summary.agent === undefined) delete summary.agent;
  if (d.status.name === 'RUNNING') {
    const stuck = await stuckTask(client, d);
    if (stuck) summary.problem = describeStuckTask(stuck);
    const state = stuck ? undefined : await liveState(client, id, d.type);
    if (state) fromState(summary, state);
    // A decision waits deeper down only under an open child of this run.
    const nested = d.raw.pendingChildren?.length ? await descendantApprovals(client, d.workflowId) : [];
    if (nested.length) Object.assign(summary, { status: 'waiting_approval', pendingApprovals: [...summary.pendingApprovals, ...nested] });
    if (!state && !stuck) summary.problem = `no worker answered the state query (is a worker polling ${d.taskQueue}?)`;
  } else if (d.status.name === 'COMPLETED') {
    const result = (await handle.result()) as AgentRunResult | SpecRunResult | SessionState;
    if ('output' in result) summary.output = result.output;
    if ('usage' in result) summary.usage = result.usage;
    if ('turns' in result) summary.turn = result.turns;
    if ('agent' in result) summary.agent = result.agent;
  } else if (d.status.name !== 'CONTINUED_AS_NEW') {
    summary.error = await handle.result().then(() => undefined, (err: unknown) => describeRunFailure(err));
    if (summary.error === undefined) delete summary.error;
  }
  return summary;
}
