/**
 * `fanOut`: runs `count` tasks with at most `concurrency` at once and returns their
 * outcomes in input order. Fail-fast cancels the others on the first failure (their
 * child runs and activities are cancelled too); continue records the error and goes on.
 * Runs in the workflow sandbox.
 */
import { ApplicationFailure, CancellationScope, isCancellation, patched } from '@temporalio/workflow';
import { FailureType } from '../../core/failures';
import { rootMessage } from '../failures';

export type BranchOutcome<T> = { ok: true; value: T } | { ok: false; error: string };

export interface FanOutOptions {
  concurrency?: number;
  onFailure: 'fail-fast' | 'continue';
}

/** What fail-fast throws: a typed, non-retryable failure naming the first branch that failed. */
function branchFailure(index: number, cause: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.StepFailed, nonRetryable: true, message: `branch ${index} failed: ${rootMessage(cause)}`, details: [{ branch: index }] });
}

export async function fanOut<T>(count: number, task: (index: number) => Promise<T>, options: FanOutOptions): Promise<Array<BranchOutcome<T>>> {
  const outcomes: Array<BranchOutcome<T>> = new Array(count);
  let next = 0;
  let firstFailure: ApplicationFailure | undefined;
  const scope = new CancellationScope();
  const lane = async () => {
    while (next < count && !firstFailure) {
      const index = next++;
      try {
        outcomes[index] = { ok: true, value: await task(index) };
      } catch (err) {
        if (firstFailure && isCancellation(err)) break;
        if (isCancellation(err)) throw err;
        outcomes[index] = { ok: false, error: rootMessage(err) };
        if (options.onFailure === 'fail-fast') {
          firstFailure = branchFailure(index, err);
          scope.cancel();
        }
      }
    }
  };
  const lanes = Math.max(1, Math.min(options.concurrency ?? count, count));
  let running: Array<Promise<void>> = [];
  try {
    await scope.run(() => Promise.all((running = Array.from({ length: lanes }, lane))));
  } catch (err) {
    // A cancelled run ends once every branch has ended (each records it was cancelled), not at the first one.
    if (!firstFailure && isCancellation(err) && patched('baton-fan-out-cancel-settles')) await Promise.allSettled(running);
    if (!firstFailure) throw err;
  }
  if (firstFailure) throw firstFailure;
  return outcomes;
}
