/**
 * `BatonClient.watch(id)`: a run's events as an async iterator. Streamed text is read from the
 * running model calls' heartbeat details (./text-poller.ts); everything else comes from history,
 * long-polled (./history-follower.ts). Needs nothing but the Temporal server between the
 * worker and the watcher, and adds nothing to history.
 */
import type { Client } from '@temporalio/client';
import { EventQueue } from './event-queue';
import type { RunRef, WatchEvent, WatchOptions } from './events';
import { followHistory } from './history-follower';
import { pollStreamedText } from './text-poller';
import { WatchSession } from './watch-session';

/** Thrown by `watch` for an id with no run. */
export class RunNotFoundError extends Error {
  override readonly name = 'RunNotFoundError';
  constructor(readonly workflowId: string) {
    super(`no run with id ${workflowId}`);
  }
}

async function followChild(session: WatchSession, run: RunRef): Promise<void> {
  await followHistory(session, run, false);
}

/** Watches the latest run of `workflowId` (following continue-as-new) until it ends or `options.signal` aborts. */
export async function* watchRun(client: Client, namespace: string, workflowId: string, options: WatchOptions = {}): AsyncGenerator<WatchEvent> {
  const description = await client.workflow.getHandle(workflowId).describe().catch((err: unknown) => {
    throw (err as { name?: string }).name === 'WorkflowNotFoundError' ? new RunNotFoundError(workflowId) : err;
  });
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const queue = new EventQueue<WatchEvent>();
  const session = new WatchSession(client, namespace, signal, (event) => queue.push(event), followChild);
  const followTop = async () => {
    let run: RunRef | undefined = { workflowId, runId: description.runId };
    while (run) {
      session.openRuns.set(run.runId, run);
      const current: RunRef = run;
      run = await followHistory(session, current, true).finally(() => session.openRuns.delete(current.runId));
    }
  };
  const onAbort = () => queue.end();
  signal.addEventListener('abort', onAbort, { once: true });
  void followTop().then(() => queue.end(), (err: unknown) => queue.end(signal.aborted ? undefined : err));
  void pollStreamedText(session, options.pollMs ?? 100);
  try {
    yield* queue.drain();
  } finally {
    signal.removeEventListener('abort', onAbort);
    stop.abort();
  }
}
