/**
 * The worker's side of the runs' metrics (workflows/telemetry.ts): the `batonMetrics` sink, which
 * sums a run's counts per label set and adds them to the runtime's meter once a second, as the
 * activities' counts are (activities/call-metrics.ts). Labelled as the SDK's workflow meter
 * labelled them (namespace, task queue, workflow type) plus Baton's. Not called while a history
 * replays. Every Baton worker registers it, with metrics on or off (off, it does nothing).
 */
import type { InjectedSinks } from '@temporalio/worker';
import { countForRun, recordForRun } from '../activities/call-metrics';
import type { BatonMetricSinks } from '../workflows/telemetry';

export function runMetricSinks(): InjectedSinks<BatonMetricSinks> {
  return {
    batonMetrics: {
      count: { fn: countForRun, callDuringReplay: false },
      record: { fn: recordForRun, callDuringReplay: false },
    },
  };
}
