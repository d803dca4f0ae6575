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
  /**
   * The caller vouches that nothing else in the workflow runs while this fan-out does (no other
   * branch, loop or handler issues commands meanwhile). A fan-out of one then awaits its task
   * directly, without a cancellation scope and a lane, and one with a lane per task settles each
   * task with a `then` instead of a lane's loop: fewer promises, each of which the SDK gives a
   * stack trace. Only alone, because the fan-out then returns to its caller after fewer promise
   * steps, which could reorder the caller's next commands against concurrent work.
   */
  alone?: boolean;
}

/** What fail-fast throws: a typed, non-retryable failure naming the first branch that failed. */
function branchFailure(index: number, cause: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.StepFailed, nonRetryable: true, message: `branch ${index} failed: ${rootMessage(cause)}`, details: [{ branch: index }] });
}

/** A fan-out of one task with the outcomes, failures and cancellation of `fanOut`'s lanes. */
async function fanOutOne<T>(task: (index: number) => Promise<T>, options: FanOutOptions): Promise<Array<BranchOutcome<T>>> {
  try {
    return [{ ok: true, value: await task(0) }];
  } catch (err) {
    // As a lane's cancellation ends a fan-out, with the same patch call (a recorded run may hold its marker).
    if (isCancellation(err)) {
      patched('baton-fan-out-cancel-settles');
      throw err;
    }
    if (options.onFailure === 'fail-fast') throw branchFailure(0, err);
    return [{ ok: false, error: rootMessage(err) }];
  }
}

/** Runs `count` tasks, at most `concurrency` at once; outcomes in input order (see the module comment). */
export function fanOut<T>(count: number, task: (index: number) => Promise<T>, options: FanOutOptions): Promise<Array<BranchOutcome<T>>> {
  return count === 1 && options.alone ? fanOutOne(task, options) : fanOutLanes(count, task, options);
}

async function fanOutLanes<T>(count: number, task: (index: number) => Promise<T>, options: FanOutOptions): Promise<Array<BranchOutcome<T>>> {
  const outcomes: Array<BranchOutcome<T>> = new Array(count);
  let next = 0;
  let firstFailure: ApplicationFailure | undefined;
  const scope = new CancellationScope();
  /** Records a task's failure; false when it was a cancellation that ends the fan-out instead. */
  const failed = (index: number, err: unknown): boolean => {
    if (isCancellation(err)) return false;
    outcomes[index] = { ok: false, error: rootMessage(err) };
    if (options.onFailure === 'fail-fast') {
      firstFailure = branchFailure(index, err);
      scope.cancel();
    }
    return true;
  };
  const lane = async () => {
    while (next < count && !firstFailure) {
      const index = next++;
      try {
        outcomes[index] = { ok: true, value: await task(index) };
      } catch (err) {
        if (firstFailure && isCancellation(err)) break;
        if (!failed(index, err)) throw err;
      }
    }
  };
  /**
   * Alone with a lane per task, a task settles through one `then` instead of a lane's async loop
   * (a promise fewer per task); tasks start, succeed and fail in the same order as in lanes.
   */
  const settle = (index: number): Promise<void> | undefined => {
    if (firstFailure) return undefined;
    let started: Promise<T>;
    try {
      started = task(index);
    } catch (err) {
      return failed(index, err) ? undefined : Promise.reject(err);
    }
    return started.then(
      (value) => void (outcomes[index] = { ok: true, value }),
      (err: unknown) => {
        if (firstFailure && isCancellation(err)) return;
        if (!failed(index, err)) throw err;
      },
    );
  };
  const lanes = Math.max(1, Math.min(options.concurrency ?? count, count));
  const start = options.alone && lanes === count ? () => Array.from({ length: count }, (_, i) => settle(i)).filter((p) => p !== undefined) : () => Array.from({ length: lanes }, lane);
  let running: Array<Promise<void>> = [];
  try {
    await scope.run(() => Promise.all((running = start())));
  } catch (err) {
    // A cancelled run ends once every branch has ended (each records it was cancelled), not at the first one.
    if (!firstFailure && isCancellation(err) && patched('baton-fan-out-cancel-settles')) await Promise.allSettled(running);
    if (!firstFailure) throw err;
  }
  if (firstFailure) throw firstFailure;
  return outcomes;
}
