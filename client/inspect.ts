/**
 * `baton inspect`: a run as a tree, read from workflow histories alone (no query, so it
 * works on finished runs and without a worker). Model calls, tool calls, hand-offs,
 * approvals and child runs, with durations and token usage.
 */
import { isGrpcServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { describeStuckTask, failingTaskAttempt, lastWorkflowTaskError } from './run-health';
import { decodeHistory } from '../codec/decode-history';

type History = temporal.api.history.v1.IHistory;
type Payload = temporal.api.common.v1.IPayload;
/** gRPC status NOT_FOUND. */
const grpcNotFound = 5;

export interface ToolNode {
  kind: 'tool';
  tool: string;
  arguments: string;
  status: 'ok' | 'error' | 'cached' | 'refused' | 'failed' | 'running';
  detail?: string;
  attempts: number;
  durationMs?: number;
}

export interface ModelNode {
  kind: 'model';
  label: string;
  agent?: string;
  turn?: number;
  status: 'ok' | 'failed' | 'running';
  detail?: string;
  attempts: number;
  durationMs?: number;
  inputTokens: number;
  outputTokens: number;
  /** The `provider/model` that answered, from the step's result (a fallback when the label names another). */
  servedBy?: string;
  /** What the model's tool calls led to: tool activities, approvals, child runs (agents as tools). */
  calls: Array<ToolNode | ApprovalNode | ChildNode | TimerNode>;
}

export interface HandoffNode { kind: 'handoff'; from: string; to: string }
export interface ApprovalNode {
  kind: 'approval';
  id: string;
  decision: 'approved' | 'rejected';
  reason?: string;
  /** From the Update's result (the approval record), once the Update completed. */
  tool?: string;
  by?: 'person' | 'timeout';
  /** The Update failed after it was accepted. */
  error?: string;
}
/** A workflow timer that fired or is still waiting (e.g. an approval timeout); cancelled timers are left out. */
export interface TimerNode { kind: 'timer'; timeoutMs?: number; status: 'fired' | 'waiting' }
export interface ActivityNode { kind: 'activity'; label: string; status: 'ok' | 'failed' | 'running'; durationMs?: number }
export interface ChildNode { kind: 'child'; workflowId: string; runId?: string; type: string; summary?: string; status: string; run?: RunNode }

export type StepNode = ModelNode | HandoffNode | ApprovalNode | ActivityNode | ChildNode | TimerNode;

export interface RunNode {
  workflowId: string;
  runId?: string;
  type: string;
  status: string;
  summary?: string;
  durationMs?: number;
  continuedFrom?: string;
  turns: number;
  usage: { inputTokens: number; outputTokens: number; modelCalls: number; toolCalls: number };
  /** The agents that held the conversation, in order. */
  agents: string[];
  output?: string;
  error?: string;
  /** A running run whose workflow task keeps failing: `workflow task failing: <error> (attempt N)`. */
  problem?: string;
  steps: StepNode[];
}

/** A payload's JSON value (or its text when it is not JSON); undefined when empty. */
export function decode(payload: Payload | null | undefined): unknown {
  if (!payload?.data || payload.data.length === 0) return undefined;
  const text = Buffer.from(payload.data).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The value of the first payload of a list. */
export const firstPayload = (payloads: { payloads?: Payload[] | null } | null | undefined) => decode(payloads?.payloads?.[0]);
/** A protobuf timestamp or duration in milliseconds. */
export const millis = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => (t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : undefined);
export const clip = (text: string, max = 80) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The innermost message of a failure's cause chain. */
export function failureMessage(failure: temporal.api.failure.v1.IFailure | null | undefined): string {
  let f = failure;
  while (f?.cause) f = f.cause;
  return f?.message ?? failure?.message ?? 'failed';
}

/** Builds one run's node from its history; children are left for `inspectRun` to fill in. */
export function buildRunNode(workflowId: string, history: History): RunNode {
  const events = history.events ?? [];
  const node: RunNode = { workflowId, type: '?', status: 'running', turns: 0, usage: { inputTokens: 0, outputTokens: 0, modelCalls: 0, toolCalls: 0 }, agents: [], steps: [] };
  const scheduled = new Map<string, { step: ModelNode | ToolNode | ActivityNode; at?: number }>();
  const children = new Map<string, ChildNode>();
  const approvals = new Map<string, ApprovalNode>();
  const timers = new Map<string, { timer: TimerNode; parent: Array<StepNode | ToolNode> }>();
  let started: number | undefined;
  let currentModel: ModelNode | undefined;

  for (const event of events) {
    const at = millis(event.eventTime);
    const id = String(event.eventId ?? '');
    const summary = decode(event.userMetadata?.summary);
    if (event.workflowExecutionStartedEventAttributes) {
      const a = event.workflowExecutionStartedEventAttributes;
      node.type = a.workflowType?.name ?? '?';
      node.continuedFrom = a.continuedExecutionRunId || undefined;
      node.runId = a.originalExecutionRunId ?? undefined;
      if (typeof summary === 'string') node.summary = summary;
      started = at;
    } else if (event.activityTaskScheduledEventAttributes) {
      const a = event.activityTaskScheduledEventAttributes;
      const type = a.activityType?.name ?? '?';
      const input = firstPayload(a.input) as Record<string, unknown> | undefined;
      const label = typeof summary === 'string' ? summary : type;
      if (type === 'callModel') {
        const request = input as { agent?: { name?: string }; turn?: number } | undefined;
        const agent = request?.agent?.name;
        const previous = node.agents[node.agents.length - 1];
        if (agent && previous && agent !== previous) node.steps.push({ kind: 'handoff', from: previous, to: agent });
        if (agent && agent !== previous) node.agents.push(agent);
        currentModel = { kind: 'model', label, agent, turn: request?.turn, status: 'running', attempts: 1, inputTokens: 0, outputTokens: 0, calls: [] };
        node.steps.push(currentModel);
        node.usage.modelCalls++;
        scheduled.set(id, { step: currentModel, at });
      } else if (type === 'runTool') {
        const request = input as { tool?: string; arguments?: unknown } | undefined;
        const tool: ToolNode = { kind: 'tool', tool: request?.tool ?? '?', arguments: clip(JSON.stringify(request?.arguments ?? {})), status: 'running', attempts: 1 };
        // A tool-plan step runs outside any model turn: shown as an activity, finished by its own events.
        const step: ToolNode | ActivityNode = currentModel ? tool : { kind: 'activity', label, status: 'running' };
        if (currentModel) currentModel.calls.push(tool);
        else node.steps.push(step as ActivityNode);
        node.usage.toolCalls++;
        scheduled.set(id, { step, at });
      } else {
        const step: ActivityNode = { kind: 'activity', label, status: 'running' };
        node.steps.push(step);
        scheduled.set(id, { step, at });
      }
    } else if (event.activityTaskStartedEventAttributes) {
      const entry = scheduled.get(String(event.activityTaskStartedEventAttributes.scheduledEventId ?? ''));
      if (entry && 'attempts' in entry.step) entry.step.attempts = event.activityTaskStartedEventAttributes.attempt ?? 1;
    } else if (event.activityTaskCompletedEventAttributes) {
      const a = event.activityTaskCompletedEventAttributes;
      const entry = scheduled.get(String(a.scheduledEventId ?? ''));
      if (!entry) continue;
      const result = firstPayload(a.result) as Record<string, unknown> | undefined;
      const step = entry.step;
      step.durationMs = at !== undefined && entry.at !== undefined ? at - entry.at : undefined;
      if (step.kind === 'model') {
        const usage = (result?.usage ?? {}) as { inputTokens?: number; outputTokens?: number };
        step.status = 'ok';
        step.inputTokens = usage.inputTokens ?? 0;
        step.outputTokens = usage.outputTokens ?? 0;
        const servedBy = result?.servedBy as { provider?: string; model?: string } | undefined;
        if (servedBy?.provider) step.servedBy = `${servedBy.provider}/${servedBy.model ?? '?'}`;
        node.usage.inputTokens += step.inputTokens;
        node.usage.outputTokens += step.outputTokens;
      } else if (step.kind === 'tool') {
        const r = result as { isError?: boolean; cached?: boolean; errorKind?: string; content?: string } | undefined;
        step.status = r?.cached ? 'cached' : r?.errorKind === 'refused' ? 'refused' : r?.isError ? 'error' : 'ok';
        if (r?.isError) step.detail = clip(r.content ?? '');
      } else step.status = (result as { isError?: boolean } | undefined)?.isError ? 'failed' : 'ok';
    } else if (event.activityTaskFailedEventAttributes || event.activityTaskTimedOutEventAttributes || event.activityTaskCanceledEventAttributes) {
      const a = event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes ?? event.activityTaskCanceledEventAttributes;
      const entry = scheduled.get(String(a?.scheduledEventId ?? ''));
      if (!entry) continue;
      entry.step.status = 'failed';
      entry.step.durationMs = at !== undefined && entry.at !== undefined ? at - entry.at : undefined;
      const failure = event.activityTaskFailedEventAttributes?.failure ?? event.activityTaskTimedOutEventAttributes?.failure;
      if (entry.step.kind !== 'activity') entry.step.detail = event.activityTaskCanceledEventAttributes ? 'cancelled' : clip(failureMessage(failure));
    } else if (event.markerRecordedEventAttributes) {
      const a = event.markerRecordedEventAttributes;
      if (a.markerName === 'core_local_activity') {
        const data = decode(a.details?.data?.payloads?.[0]) as { activityType?: string } | undefined;
        node.steps.push({ kind: 'activity', label: typeof summary === 'string' ? summary : `local ${data?.activityType ?? 'activity'}`, status: a.failure ? 'failed' : 'ok' });
      }
    } else if (event.startChildWorkflowExecutionInitiatedEventAttributes) {
      const a = event.startChildWorkflowExecutionInitiatedEventAttributes;
      const child: ChildNode = { kind: 'child', workflowId: a.workflowId ?? '?', type: a.workflowType?.name ?? '?', status: 'starting', ...(typeof summary === 'string' ? { summary } : {}) };
      children.set(id, child);
      (currentModel?.calls ?? node.steps).push(child);
    } else {
      const childEvent =
        (event.childWorkflowExecutionStartedEventAttributes && ['running', event.childWorkflowExecutionStartedEventAttributes] as const) ||
        (event.childWorkflowExecutionCompletedEventAttributes && ['completed', event.childWorkflowExecutionCompletedEventAttributes] as const) ||
        (event.childWorkflowExecutionFailedEventAttributes && ['failed', event.childWorkflowExecutionFailedEventAttributes] as const) ||
        (event.childWorkflowExecutionCanceledEventAttributes && ['cancelled', event.childWorkflowExecutionCanceledEventAttributes] as const) ||
        (event.childWorkflowExecutionTimedOutEventAttributes && ['timed out', event.childWorkflowExecutionTimedOutEventAttributes] as const) ||
        (event.childWorkflowExecutionTerminatedEventAttributes && ['terminated', event.childWorkflowExecutionTerminatedEventAttributes] as const) ||
        (event.startChildWorkflowExecutionFailedEventAttributes && ['failed to start', event.startChildWorkflowExecutionFailedEventAttributes] as const);
      if (childEvent) {
        const child = children.get(String(childEvent[1].initiatedEventId ?? ''));
        if (!child) continue;
        child.status = childEvent[0];
        const started = 'workflowExecution' in childEvent[1] ? childEvent[1].workflowExecution?.runId : undefined;
        if (started) child.runId = started;
        continue;
      }
      if (event.workflowExecutionUpdateAcceptedEventAttributes) {
        const request = event.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input;
        if (request?.name === 'decideApproval') {
          const decision = firstPayload(request.args) as { approvalId?: string; approve?: boolean; reason?: string } | undefined;
          const approval: ApprovalNode = { kind: 'approval', id: decision?.approvalId ?? '?', decision: decision?.approve ? 'approved' : 'rejected', ...(decision?.reason ? { reason: decision.reason } : {}) };
          approvals.set(id, approval);
          (currentModel?.calls ?? node.steps).push(approval);
        }
        continue;
      }
      if (event.workflowExecutionUpdateCompletedEventAttributes) {
        const a = event.workflowExecutionUpdateCompletedEventAttributes;
        const approval = approvals.get(String(a.acceptedEventId ?? ''));
        if (!approval) continue;
        if (a.outcome?.failure) approval.error = clip(failureMessage(a.outcome.failure));
        const record = firstPayload(a.outcome?.success) as { tool?: string; by?: 'person' | 'timeout'; decision?: 'approved' | 'rejected' } | undefined;
        if (record?.tool) approval.tool = record.tool;
        if (record?.by) approval.by = record.by;
        if (record?.decision) approval.decision = record.decision;
        continue;
      }
      if (event.timerStartedEventAttributes) {
        const a = event.timerStartedEventAttributes;
        const timeoutMs = a.startToFireTimeout ? millis(a.startToFireTimeout) : undefined;
        const parent: Array<StepNode | ToolNode> = currentModel?.calls ?? node.steps;
        const timer: TimerNode = { kind: 'timer', status: 'waiting', ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
        timers.set(id, { timer, parent });
        parent.push(timer);
        continue;
      }
      if (event.timerFiredEventAttributes || event.timerCanceledEventAttributes) {
        const a = event.timerFiredEventAttributes ?? event.timerCanceledEventAttributes;
        const entry = timers.get(String(a?.startedEventId ?? ''));
        if (!entry) continue;
        if (event.timerFiredEventAttributes) entry.timer.status = 'fired';
        else entry.parent.splice(entry.parent.indexOf(entry.timer), 1);
        continue;
      }
      const closed =
        (event.workflowExecutionCompletedEventAttributes && 'completed') ||
        (event.workflowExecutionFailedEventAttributes && 'failed') ||
        (event.workflowExecutionCanceledEventAttributes && 'cancelled') ||
        (event.workflowExecutionTerminatedEventAttributes && 'terminated') ||
        (event.workflowExecutionTimedOutEventAttributes && 'timed out') ||
        (event.workflowExecutionContinuedAsNewEventAttributes && 'continued as new');
      if (!closed) continue;
      node.status = closed;
      if (at !== undefined && started !== undefined) node.durationMs = at - started;
      if (event.workflowExecutionFailedEventAttributes) node.error = failureMessage(event.workflowExecutionFailedEventAttributes.failure);
      const result = firstPayload(event.workflowExecutionCompletedEventAttributes?.result) as { output?: unknown; turns?: number } | undefined;
      if (result && typeof result.output === 'string') node.output = result.output;
    }
  }
  node.turns = node.steps.filter((s) => s.kind === 'model').length;
  return node;
}

/** Fetches a run's history and its children's (to `maxDepth` levels) and builds the tree. */
export async function inspectRun(client: Client, workflowId: string, options: { runId?: string; maxDepth?: number } = {}): Promise<RunNode> {
  const history = await client.workflow.getHandle(workflowId, options.runId).fetchHistory().catch((err: unknown) => {
    // fetchHistory reports a missing run as a raw gRPC NOT_FOUND; say it the way `status` does.
    if (isGrpcServiceError(err) && err.code === grpcNotFound) throw new WorkflowNotFoundError(`no run with id ${workflowId}`, workflowId, options.runId);
    throw err;
  }).then((raw) => decodeHistory(client, raw));
  const node = buildRunNode(workflowId, history);
  if (node.status === 'running') {
    // History alone cannot tell a failing workflow task from a slow one: its retries are not recorded.
    const description = await client.workflow.getHandle(workflowId, options.runId).describe().catch(() => undefined);
    const attempt = description && failingTaskAttempt(description);
    if (attempt) node.problem = describeStuckTask({ attempt, error: lastWorkflowTaskError(history.events ?? []) });
  }
  const depth = options.maxDepth ?? 5;
  if (depth > 0) {
    const all = node.steps.flatMap((s): Array<StepNode | ToolNode> => (s.kind === 'model' ? s.calls : [s]));
    const children = all.filter((s): s is ChildNode => s.kind === 'child' && s.status !== 'starting' && s.status !== 'failed to start');
    await Promise.all(children.map(async (child) => {
      child.run = await inspectRun(client, child.workflowId, { runId: child.runId, maxDepth: depth - 1 }).catch(() => undefined);
    }));
  }
  return node;
}
