/**
 * What Baton's search attributes mean, from inside a run. Runs in the workflow sandbox.
 *
 * - `BatonAgent` and `BatonPattern` name top-level runs (what a person started), so
 *   `baton list` and visibility queries find them. Child runs of a pattern get none:
 *   each custom attribute costs the server visibility work per child, which a fan-out of
 *   200 pays 200 times. Children are found through their parent (`baton inspect`, or the
 *   built-in `ParentWorkflowId` / `RootWorkflowId` attributes) and carry a summary in the Web UI.
 * - `BatonStatus` is `waiting_approval` only while a run waits for a person, on any run,
 *   child or not, so `baton pending` finds every waiting call. The lifecycle (running,
 *   completed, failed…) is Temporal's own `ExecutionStatus`.
 *
 * Runs started before this scheme carry `BatonStatus` from their start, and their
 * histories hold an update of it at every status change and at the end. Such runs keep
 * doing exactly that, so a worker with this code replays them without a nondeterminism error.
 */
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { RunStatus } from '../core';
import { BatonAgent, BatonPattern, BatonStatus } from '../core/search-attributes';

export class RunAttributes {
  /** True for runs started under the earlier scheme (status set at start, updated at the end). */
  private readonly legacy = workflowInfo().typedSearchAttributes.get(BatonStatus) !== undefined;

  /** Names a top-level run started without Baton's attributes (e.g. by a bare Temporal client). */
  nameTopLevel(pattern: string, agent?: string): void {
    const info = workflowInfo();
    const attrs = info.typedSearchAttributes;
    if (this.legacy) {
      // The earlier scheme set only the one attribute each workflow type owns.
      if (agent !== undefined && attrs.get(BatonAgent) !== agent) upsertSearchAttributes([{ key: BatonAgent, value: agent }]);
      if (agent === undefined && attrs.get(BatonPattern) !== pattern) upsertSearchAttributes([{ key: BatonPattern, value: pattern }]);
      return;
    }
    if (info.parent) return;
    const missing = [
      ...(attrs.get(BatonPattern) === undefined ? [{ key: BatonPattern, value: pattern }] : []),
      ...(agent !== undefined && attrs.get(BatonAgent) === undefined ? [{ key: BatonAgent, value: agent }] : []),
    ];
    if (missing.length) upsertSearchAttributes(missing);
  }

  /** Sets `BatonStatus="waiting_approval"` while `waiting`, and removes it otherwise. */
  waiting(waiting: boolean): void {
    if (this.legacy) {
      upsertSearchAttributes([{ key: BatonStatus, value: waiting ? 'waiting_approval' : 'running' }]);
      return;
    }
    const isSet = workflowInfo().typedSearchAttributes.get(BatonStatus) !== undefined;
    if (waiting && !isSet) upsertSearchAttributes([{ key: BatonStatus, value: 'waiting_approval' }]);
    // A null value removes the attribute.
    else if (!waiting && isSet) upsertSearchAttributes([{ key: BatonStatus, value: null }]);
  }

  /** The run ended: nothing waits any more (earlier-scheme runs record their final status). */
  finished(status: RunStatus): void {
    if (this.legacy) upsertSearchAttributes([{ key: BatonStatus, value: status }]);
    else this.waiting(false);
  }
}
