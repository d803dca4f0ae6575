/**
 * Audit records of one run, read from its decoded history alone: run start and end, model
 * calls, tool calls, approvals, hand-offs, spec changes (`replaceStep`) and failures, in the
 * order they happened. Pure: the caller fetches and decodes (see audit-export.ts).
 */
import type { temporal } from '@temporalio/proto';
import { failureMessage, firstPayload, millis } from '../inspect';

type History = temporal.api.history.v1.IHistory;
type Event = temporal.api.history.v1.IHistoryEvent;

/** One audit record before redaction and chaining. */
export interface AuditRecord {
  type: 'run.started' | 'run.ended' | 'model.call' | 'tool.call' | 'approval.requested' | 'approval.decided' | 'handoff' | 'spec.changed' | 'failure';
  at?: string;
  workflowId: string;
  runId: string;
  [field: string]: unknown;
}

/** A child run a history started, to export after it. */
export interface ChildRun { workflowId: string; runId: string }

interface Scheduled { type: string; input: Record<string, unknown>; at?: string; attempts: number }

const iso = (event: Event) => {
  const ms = millis(event.eventTime);
  return ms === undefined ? undefined : new Date(ms).toISOString();
};

/** The run's records, and the child runs it started (for the caller to export too). */
export function auditRecordsOf(workflowId: string, runId: string, history: History, parent?: ChildRun): { records: AuditRecord[]; children: ChildRun[] } {
  const records: AuditRecord[] = [];
  const children: ChildRun[] = [];
  const scheduled = new Map<string, Scheduled>();
  const updates = new Map<string, { name: string; args: unknown }>();
  let lastAgent: string | undefined;
  let lastTurn: unknown;
  /** Each agent's approval policy, from the run input (the agent and its hand-off team). */
  const onTimeout = new Map<string, string>();
  const timers = new Map<string, number | undefined>();
  /** Timed-out rejections, named by the next model call's input; and the calls the last model reply asked for. */
  let unresolved: AuditRecord[] = [];
  let lastCallIds = new Set<string>();
  const push = (event: Event, type: AuditRecord['type'], fields: Record<string, unknown>) => records.push({ type, at: iso(event), workflowId, runId, ...fields });

  for (const event of history.events ?? []) {
    const id = String(event.eventId ?? '');
    if (event.workflowExecutionStartedEventAttributes) {
      const a = event.workflowExecutionStartedEventAttributes;
      const input = (firstPayload(a.input) ?? {}) as Record<string, unknown>;
      const agent = (input.agent as { name?: string } | undefined)?.name;
      for (const spec of [input.agent, ...((input.team as unknown[] | undefined) ?? [])] as Array<{ name?: string; approval?: { onTimeout?: string } } | undefined>) {
        // A spec run's child starts with its agents' default fields left out: no policy is the default, reject.
        if (spec?.name) onTimeout.set(spec.name, spec.approval?.onTimeout ?? 'reject');
      }
      const spec = (input.spec as { name?: string } | undefined)?.name;
      push(event, 'run.started', {
        workflowType: a.workflowType?.name,
        ...(parent ? { parentWorkflowId: parent.workflowId, parentRunId: parent.runId } : {}),
        ...(a.continuedExecutionRunId ? { continuedFrom: a.continuedExecutionRunId } : {}),
        ...(agent ? { agent } : {}),
        ...(spec ? { spec } : {}),
        input: input.input ?? input.text,
        ...(input.specHash ? { specHash: input.specHash } : {}),
      });
    } else if (event.activityTaskScheduledEventAttributes) {
      const a = event.activityTaskScheduledEventAttributes;
      scheduled.set(id, { type: a.activityType?.name ?? '?', input: (firstPayload(a.input) ?? {}) as Record<string, unknown>, at: iso(event), attempts: 1 });
    } else if (event.activityTaskStartedEventAttributes) {
      const entry = scheduled.get(String(event.activityTaskStartedEventAttributes.scheduledEventId ?? ''));
      if (entry) entry.attempts = event.activityTaskStartedEventAttributes.attempt ?? 1;
    } else if (event.activityTaskCompletedEventAttributes || event.activityTaskFailedEventAttributes || event.activityTaskTimedOutEventAttributes) {
      const a = event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes;
      const entry = scheduled.get(String(a?.scheduledEventId ?? ''));
      if (!entry) continue;
      const result = firstPayload(event.activityTaskCompletedEventAttributes?.result) as Record<string, unknown> | undefined;
      const failure = event.activityTaskFailedEventAttributes?.failure ?? event.activityTaskTimedOutEventAttributes?.failure;
      const error = failure ? failureMessage(failure) : undefined;
      if (entry.type === 'callModel') {
        const agent = entry.input.agent as { name?: string; provider?: string; model?: string } | undefined;
        if (agent?.name && lastAgent && agent.name !== lastAgent) push(event, 'handoff', { from: lastAgent, to: agent.name, at: entry.at });
        if (agent?.name) lastAgent = agent.name;
        lastTurn = entry.input.turn;
        unresolved = resolveTimeouts(unresolved, entry.input.messages, lastCallIds);
        lastCallIds = new Set(((result?.message as { toolCalls?: Array<{ id?: string }> } | undefined)?.toolCalls ?? []).flatMap((c) => (c.id ? [c.id] : [])));
        push(event, 'model.call', {
          agent: agent?.name, provider: agent?.provider, model: agent?.model, turn: entry.input.turn,
          input: entry.input.messages,
          ...(entry.input.conversation ? { conversation: entry.input.conversation } : {}),
          ...(result ? { output: result.message, usage: result.usage, stopReason: result.stopReason } : { error }),
          attempts: entry.attempts,
        });
      } else if (entry.type === 'runTool') {
        push(event, 'tool.call', {
          agent: entry.input.agent, tool: entry.input.tool, callId: entry.input.callId, arguments: entry.input.arguments,
          ...(result
            ? { outcome: result.isError ? 'error' : 'ok', [result.isError ? 'error' : 'result']: result.content, ...(result.errorKind ? { errorKind: result.errorKind } : {}), ...(result.contentRef ? { contentRef: result.contentRef } : {}) }
            : { outcome: 'failed', error }),
          attempts: entry.attempts,
          cached: result?.cached === true,
        });
      } else if (failure) push(event, 'failure', { scope: 'activity', activity: entry.type, error, attempts: entry.attempts });
    } else if (event.workflowExecutionUpdateAcceptedEventAttributes) {
      const request = event.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input;
      updates.set(id, { name: request?.name ?? '?', args: firstPayload(request?.args) });
    } else if (event.workflowExecutionUpdateCompletedEventAttributes) {
      const a = event.workflowExecutionUpdateCompletedEventAttributes;
      const update = updates.get(String(a.acceptedEventId ?? ''));
      if (!update) continue;
      const outcome = a.outcome?.failure ? { error: failureMessage(a.outcome.failure) } : {};
      if (update.name === 'decideApproval') {
        const args = (update.args ?? {}) as { approvalId?: string; approve?: boolean; reason?: string; by?: string };
        const record = (firstPayload(a.outcome?.success) ?? {}) as Record<string, unknown>;
        const { decision, reason, by, decidedBy, decidedAt, id: _id, ...pending } = record;
        push(event, 'approval.requested', { approvalId: args.approvalId, ...pending });
        push(event, 'approval.decided', {
          approvalId: args.approvalId,
          decision: decision ?? (args.approve ? 'approved' : 'rejected'),
          by: by ?? 'person',
          decidedBy: decidedBy ?? args.by,
          ...(decidedAt ? { decidedAt } : {}),
          reason: reason ?? args.reason,
          ...outcome,
        });
      } else if (update.name === 'replaceStep') {
        push(event, 'spec.changed', { change: update.args, ...(a.outcome?.success ? { result: firstPayload(a.outcome.success) } : {}), ...outcome });
      }
    } else if (event.timerStartedEventAttributes) {
      timers.set(id, millis(event.timerStartedEventAttributes.startToFireTimeout));
    } else if (event.timerFiredEventAttributes) {
      // Baton's only workflow timers are approval timeouts: a fired one is a decision by the timeout.
      const policy = lastAgent ? onTimeout.get(lastAgent) : undefined;
      push(event, 'approval.decided', {
        by: 'timeout', agent: lastAgent, turn: lastTurn, timeoutMs: timers.get(String(event.timerFiredEventAttributes.startedEventId ?? '')),
        ...(policy ? { decision: policy === 'approve' ? 'approved' : 'rejected' } : {}),
        reason: 'no decision before the approval timeout',
      });
      if (policy !== 'approve') unresolved.push(records[records.length - 1] as AuditRecord);
    } else if (event.childWorkflowExecutionStartedEventAttributes) {
      const run = event.childWorkflowExecutionStartedEventAttributes.workflowExecution;
      if (run?.workflowId && run.runId) children.push({ workflowId: run.workflowId, runId: run.runId });
    } else {
      const ended = endOf(event);
      if (!ended) continue;
      if (ended.error) push(event, 'failure', { scope: 'run', error: ended.error });
      push(event, 'run.ended', ended);
    }
  }
  return { records, children };
}

const timeoutRejection = /^The call to (.+) was rejected by a reviewer: no decision before the approval timeout\.$/;

/** Names the calls of timed-out rejections from the tool messages the next model call received; returns those still unnamed. */
function resolveTimeouts(pending: AuditRecord[], messages: unknown, callIds: Set<string>): AuditRecord[] {
  if (!pending.length || !Array.isArray(messages)) return pending;
  const rejections = (messages as Array<{ role?: string; content?: string; toolCallId?: string }>).flatMap((m) => {
    const match = m.role === 'tool' && m.toolCallId && callIds.has(m.toolCallId) && typeof m.content === 'string' ? timeoutRejection.exec(m.content) : null;
    return match ? [{ tool: match[1], callId: m.toolCallId }] : [];
  });
  pending.forEach((record, i) => Object.assign(record, rejections[i] ?? {}));
  return [];
}

/** The fields of a run's closing event; undefined for any other event. */
function endOf(event: Event): Record<string, unknown> | undefined {
  if (event.workflowExecutionCompletedEventAttributes) {
    const result = (firstPayload(event.workflowExecutionCompletedEventAttributes.result) ?? {}) as Record<string, unknown>;
    return { status: 'completed', agent: result.agent, output: result.structuredOutput ?? result.output, usage: result.usage, turns: result.turns, ...(result.path ? { path: result.path } : {}) };
  }
  if (event.workflowExecutionFailedEventAttributes) return { status: 'failed', error: failureMessage(event.workflowExecutionFailedEventAttributes.failure) };
  if (event.workflowExecutionCanceledEventAttributes) return { status: 'cancelled' };
  if (event.workflowExecutionTerminatedEventAttributes) return { status: 'terminated', reason: event.workflowExecutionTerminatedEventAttributes.reason || undefined };
  if (event.workflowExecutionTimedOutEventAttributes) return { status: 'timed_out' };
  if (event.workflowExecutionContinuedAsNewEventAttributes) return { status: 'continued_as_new', newRunId: event.workflowExecutionContinuedAsNewEventAttributes.newExecutionRunId };
  return undefined;
}
