/**
 * Follows one run's history with a long poll (GetWorkflowExecutionHistory, waitNewEvent) and
 * turns its events into watch events: turns, tool calls and results (local ones from their
 * markers, ./local-tool-calls.ts), hand-offs, child runs, approvals, and the end. History events arrive once each, so nothing is told twice.
 */
import type { temporal } from '@temporalio/proto';
import type { ModelRequest, ModelResponse, ToolRequest, ToolResult } from '../../core';
import { BatonStatus } from '../../core/search-attributes';
import { transferPrefix } from '../../workflows/handoffs';
import { CallTracker } from './call-tracker';
import { LocalToolCalls, readLocalToolEnd } from './local-tool-calls';
import type { RunRef } from './events';
import type { WatchSession } from './watch-session';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Scheduled = { kind: 'model'; key: string; agent: string } | { kind: 'tool'; agent: string; tool: string; callId: string };
/** What following one run has learnt from its history so far: its workflow type (event 1) and its scheduled calls. */
interface Following {
  workflowType: string;
  scheduled: Map<string, Scheduled>;
  local: LocalToolCalls;
}

/** Reads `run`'s history until it closes; returns the next run when it continued as new. */
export async function followHistory(session: WatchSession, run: RunRef, isTop: boolean): Promise<RunRef | undefined> {
  const following: Following = { workflowType: '', scheduled: new Map(), local: new LocalToolCalls(run) };
  let nextPageToken: Uint8Array | undefined;
  for (;;) {
    const response = await session.call(() =>
      session.client.workflowService.getWorkflowExecutionHistory({ namespace: session.namespace, execution: run, nextPageToken, waitNewEvent: true }),
    );
    for (const event of response.history?.events ?? []) {
      const next = await onEvent(session, run, isTop, event, following);
      if (next) return next;
    }
    if (!response.nextPageToken?.length) return undefined;
    nextPageToken = response.nextPageToken;
  }
}

async function onEvent(session: WatchSession, run: RunRef, isTop: boolean, event: HistoryEvent, following: Following): Promise<RunRef | undefined> {
  const { emit } = session;
  const { scheduled } = following;
  const startedRun = event.workflowExecutionStartedEventAttributes;
  if (startedRun) {
    following.workflowType = startedRun.workflowType?.name ?? '';
    return undefined;
  }
  const scheduledAttrs = event.activityTaskScheduledEventAttributes;
  if (scheduledAttrs) {
    const type = scheduledAttrs.activityType?.name;
    if (type === 'callModel') {
      const request = await session.decode<ModelRequest>(scheduledAttrs.input?.payloads);
      const key = CallTracker.key(run, scheduledAttrs.activityId ?? '');
      scheduled.set(String(event.eventId), { kind: 'model', key, agent: request.agent.name });
      session.calls.scheduled(key, run, request.agent.name, request.turn);
      following.local.turnStarted().forEach(emit);
      emit({ type: 'agent-turn', run, agent: request.agent.name, turn: request.turn });
    } else if (type === 'runTool') {
      const request = await session.decode<ToolRequest>(scheduledAttrs.input?.payloads);
      scheduled.set(String(event.eventId), { kind: 'tool', agent: request.agent, tool: request.tool, callId: request.callId });
      following.local.scheduledRemotely(request.callId);
      emit({ type: 'tool-call', run, agent: request.agent, tool: request.tool, callId: request.callId, arguments: request.arguments });
    }
    return undefined;
  }
  const started = event.activityTaskStartedEventAttributes;
  if (started) {
    const call = scheduled.get(String(started.scheduledEventId));
    if (call?.kind === 'model' && started.attempt) session.calls.attempt(call.key, started.attempt);
    return undefined;
  }
  const completed = event.activityTaskCompletedEventAttributes;
  if (completed) {
    const call = scheduled.get(String(completed.scheduledEventId));
    if (call?.kind === 'model') {
      const response = await session.decode<ModelResponse>(completed.result?.payloads);
      session.calls.completed(call.key, response.message.content);
      following.local.modelAnswered(call.agent, response);
      for (const toolCall of response.message.toolCalls) {
        if (toolCall.name.startsWith(transferPrefix)) emit({ type: 'handoff', run, from: call.agent, to: toolCall.name.slice(transferPrefix.length) });
      }
    } else if (call?.kind === 'tool') {
      const result = await session.decode<ToolResult>(completed.result?.payloads);
      emit({ type: 'tool-result', run, agent: call.agent, tool: call.tool, callId: call.callId, content: result.content, isError: result.isError });
    }
    return undefined;
  }
  const ended = event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes ?? event.activityTaskCanceledEventAttributes;
  if (ended) {
    const call = scheduled.get(String(ended.scheduledEventId));
    if (call?.kind === 'model') session.calls.closed(call.key);
    return undefined;
  }
  if (event.markerRecordedEventAttributes) {
    const end = await readLocalToolEnd(session, event);
    if (end) following.local.finished(end).forEach(emit);
    return undefined;
  }
  const child = event.childWorkflowExecutionStartedEventAttributes;
  if (child?.workflowExecution?.workflowId && child.workflowExecution.runId) {
    const ref = { workflowId: child.workflowExecution.workflowId, runId: child.workflowExecution.runId };
    emit({ type: 'child-run', run, child: ref, workflowType: child.workflowType?.name ?? '' });
    session.follow(ref);
    return undefined;
  }
  if (event.upsertWorkflowSearchAttributesEventAttributes) {
    const status = session.searchAttribute(event.upsertWorkflowSearchAttributesEventAttributes.searchAttributes, BatonStatus.name);
    if (status === 'waiting_approval') await session.approvals(run, following.workflowType);
    return undefined;
  }
  if (isRunEnd(event)) following.local.flush().forEach(emit);
  return isTop ? onRunEnd(session, run, event) : undefined;
}

const isRunEnd = (event: HistoryEvent) => Boolean(event.workflowExecutionCompletedEventAttributes ?? event.workflowExecutionFailedEventAttributes ?? event.workflowExecutionCanceledEventAttributes
  ?? event.workflowExecutionTerminatedEventAttributes ?? event.workflowExecutionTimedOutEventAttributes ?? event.workflowExecutionContinuedAsNewEventAttributes);

/** The watched run's own end: finished, failed, or continued as a new run (a session). */
async function onRunEnd(session: WatchSession, run: RunRef, event: HistoryEvent): Promise<RunRef | undefined> {
  const { emit } = session;
  if (event.workflowExecutionCompletedEventAttributes) {
    emit({ type: 'finished', run, result: await session.decode(event.workflowExecutionCompletedEventAttributes.result?.payloads) });
  } else if (event.workflowExecutionFailedEventAttributes) {
    emit({ type: 'failed', run, status: 'failed', error: await session.failureMessage(event.workflowExecutionFailedEventAttributes.failure) });
  } else if (event.workflowExecutionCanceledEventAttributes) {
    emit({ type: 'failed', run, status: 'cancelled', error: 'the run was cancelled' });
  } else if (event.workflowExecutionTerminatedEventAttributes) {
    emit({ type: 'failed', run, status: 'terminated', error: `the run was terminated${event.workflowExecutionTerminatedEventAttributes.reason ? `: ${event.workflowExecutionTerminatedEventAttributes.reason}` : ''}` });
  } else if (event.workflowExecutionTimedOutEventAttributes) {
    emit({ type: 'failed', run, status: 'timed out', error: 'the run timed out' });
  } else if (event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId) {
    return { workflowId: run.workflowId, runId: event.workflowExecutionContinuedAsNewEventAttributes.newExecutionRunId };
  }
  return undefined;
}
