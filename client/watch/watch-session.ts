/**
 * What one `watch` shares between its history followers and its text poller: the client, the
 * event queue, the model calls' text, and the set of open runs (the watched run and its children).
 */
import type { Client } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, TemporalFailure, type Payload } from '@temporalio/common';
import { decodeFromPayloadsAtIndex, decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';
import { livePendingApprovals } from '../live-state';
import { CallTracker } from './call-tracker';
import type { RunRef, WatchEvent } from './events';

/** The shared state of one watch. */
export class WatchSession {
  readonly calls: CallTracker;
  /** Runs whose history is being followed (their running model calls are polled for text). */
  readonly openRuns = new Map<string, RunRef>();
  private readonly seenApprovals = new Set<string>();

  constructor(
    readonly client: Client,
    readonly namespace: string,
    readonly signal: AbortSignal,
    readonly emit: (event: WatchEvent) => void,
    private readonly followRun: (session: WatchSession, run: RunRef) => Promise<void>,
  ) {
    this.calls = new CallTracker(emit);
  }

  /**
   * A service call that the watch's stop cancels. Each call gets its own signal: the SDK never
   * removes the listener it adds, so sharing the watch's signal would grow it with every poll.
   */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    const own = new AbortController();
    const abort = () => own.abort();
    this.signal.addEventListener('abort', abort, { once: true });
    try {
      return await this.client.withAbortSignal(own.signal, fn);
    } finally {
      this.signal.removeEventListener('abort', abort);
    }
  }

  /** Starts following a child run (its history and its streamed text). */
  follow(run: RunRef): void {
    if (this.openRuns.has(run.runId)) return;
    this.openRuns.set(run.runId, run);
    // A child's history that cannot be read (deleted, no permission) ends only that child's events.
    void this.followRun(this, run).catch(() => undefined).finally(() => this.openRuns.delete(run.runId));
  }

  /** Payloads through the client's data converter (codecs included, so encrypted runs work). */
  async decode<T>(payloads: Payload[] | null | undefined): Promise<T> {
    return decodeFromPayloadsAtIndex<T>(this.client.options.loadedDataConverter, 0, payloads);
  }

  /** `<type>: <message>` of the failure that ended a run, as `baton result` shows it. */
  async failureMessage(failure: temporal.api.failure.v1.IFailure | null | undefined): Promise<string> {
    let cause: unknown = await decodeOptionalFailureToOptionalError(this.client.options.loadedDataConverter, failure ?? undefined);
    while (cause instanceof TemporalFailure && !(cause instanceof ApplicationFailure) && cause.cause) cause = cause.cause;
    if (cause instanceof ApplicationFailure) return `${cause.type ?? 'Error'}: ${cause.message}`;
    return cause instanceof Error ? cause.message : 'the run failed';
  }

  /** One search attribute of an upsert event (search attributes are never codec-encoded). */
  searchAttribute(attributes: temporal.api.common.v1.ISearchAttributes | null | undefined, name: string): unknown {
    const fields = attributes?.indexedFields;
    const payload = fields && Object.hasOwn(fields, name) ? fields[name] : undefined;
    return payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
  }

  /** A run waits for approval: asks it which calls wait, through its workflow type's state query (bounded by the live-state deadline). */
  async approvals(run: RunRef, workflowType: string): Promise<void> {
    const pending = await this.call(() => livePendingApprovals(this.client, run, workflowType));
    for (const approval of pending) {
      const key = `${run.runId}/${approval.id}`;
      if (this.seenApprovals.has(key)) continue;
      this.seenApprovals.add(key);
      this.emit({ type: 'approval-waiting', run, approval });
    }
  }
}
