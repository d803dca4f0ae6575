/**
 * Reads the streamed text of running model calls: DescribeWorkflowExecution of every open run,
 * every `pollMs`, gives each pending `callModel` activity's attempt and heartbeat details (the
 * latest snapshot its worker published). Nothing here touches history.
 */
import { isStreamSnapshot } from '../../core';
import { CallTracker } from './call-tracker';
import type { RunRef } from './events';
import type { WatchSession } from './watch-session';
import { sleepUnlessAborted } from '../sleep';

async function readRun(session: WatchSession, run: RunRef): Promise<void> {
  const description = await session.call(() =>
    session.client.workflowService.describeWorkflowExecution({ namespace: session.namespace, execution: run }),
  );
  for (const pending of description.pendingActivities ?? []) {
    if (pending.activityType?.name !== 'callModel' || !pending.activityId) continue;
    const key = CallTracker.key(run, pending.activityId);
    // Known once history told the turn; until then (a few ms) the text waits.
    if (!session.calls.isOpen(key)) continue;
    if (pending.attempt) session.calls.attempt(key, pending.attempt);
    if (!pending.heartbeatDetails?.payloads?.length) continue;
    const details = await session.decode<unknown>(pending.heartbeatDetails.payloads).catch(() => undefined);
    // Details from the attempt before a retry stay until the new attempt publishes: the tracker drops them.
    if (isStreamSnapshot(details)) session.calls.snapshot(key, details);
  }
}

/** Polls until the watch stops; a run that cannot be described this time is tried again next time. */
export async function pollStreamedText(session: WatchSession, pollMs: number): Promise<void> {
  while (!session.signal.aborted) {
    // readRun reads only calls history already showed open; runs with none are not described.
    const reading = [...session.openRuns.values()].filter((run) => session.calls.hasOpenCall(run.runId));
    await Promise.all(reading.map((run) => readRun(session, run).catch(() => undefined)));
    await sleepUnlessAborted(pollMs, session.signal);
  }
}
