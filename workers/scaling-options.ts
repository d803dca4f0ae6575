/**
 * Maps the config's `worker` scaling and versioning settings to the SDK's Worker options:
 * fixed slot counts or the resource-based tuner, poller behaviour, and Worker Deployment options.
 */
import type { WorkerOptions } from '@temporalio/worker';
import { ConfigError, type BatonConfig } from '../config/define-config';

/** The Worker options that decide how many tasks a worker takes, how it polls, and its deployment version. */
export type ScalingOptions = Pick<
  WorkerOptions,
  | 'tuner'
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'workflowTaskPollerBehavior'
  | 'activityTaskPollerBehavior'
  | 'workerDeploymentOptions'
  | 'stickyQueueScheduleToStartTimeout'
>;

type Slots = NonNullable<NonNullable<BatonConfig['worker']['tuner']>['activityTaskSlots']>;

function slotOptions(slots: Slots | undefined) {
  return slots && { minimumSlots: slots.minimum, maximumSlots: slots.maximum, rampThrottle: slots.rampThrottle };
}

/** Fixed slot counts, or the resource-based tuner (never both: the SDK refuses that, and so does the config). */
export function tunerOptionsOf(worker: BatonConfig['worker']): Pick<ScalingOptions, 'tuner' | 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions'> {
  const { tuner } = worker;
  if (!tuner) {
    return { maxConcurrentActivityTaskExecutions: worker.maxConcurrentActivityTaskExecutions, maxConcurrentWorkflowTaskExecutions: worker.maxConcurrentWorkflowTaskExecutions };
  }
  return {
    tuner: {
      tunerOptions: { targetCpuUsage: tuner.targetCpuUsage, targetMemoryUsage: tuner.targetMemoryUsage },
      workflowTaskSlotOptions: slotOptions(tuner.workflowTaskSlots),
      activityTaskSlotOptions: slotOptions(tuner.activityTaskSlots),
      localActivityTaskSlotOptions: slotOptions(tuner.localActivityTaskSlots),
    },
  };
}

/**
 * The SDK's `workerDeploymentOptions` for `worker.deployment`: the build id from the config or,
 * when left out, from the environment (BATON_BUILD_ID in CI); undefined when versioning is off.
 */
export function deploymentOptionsOf(worker: BatonConfig['worker'], env: NodeJS.ProcessEnv = process.env): WorkerOptions['workerDeploymentOptions'] {
  const deployment = worker.deployment;
  if (!deployment) return undefined;
  const buildId = deployment.buildId ?? env[deployment.buildIdEnv];
  if (!buildId) {
    throw new ConfigError('environment', [{ path: deployment.buildIdEnv, message: `not set: worker.deployment needs a build id (set worker.deployment.buildId or ${deployment.buildIdEnv})` }]);
  }
  return {
    useWorkerVersioning: true,
    version: { deploymentName: deployment.name, buildId },
    defaultVersioningBehavior: deployment.defaultVersioningBehavior,
  };
}

/** Every scaling and versioning Worker option for a config's `worker` settings. */
export function scalingOptionsOf(worker: BatonConfig['worker'], env: NodeJS.ProcessEnv = process.env): ScalingOptions {
  return {
    ...tunerOptionsOf(worker),
    workflowTaskPollerBehavior: worker.workflowTaskPollerBehavior,
    activityTaskPollerBehavior: worker.activityTaskPollerBehavior,
    workerDeploymentOptions: deploymentOptionsOf(worker, env),
    // Only when set: the SDK reads an explicit undefined as a value and refuses it.
    ...(worker.stickyQueueScheduleToStartTimeout === undefined ? {} : { stickyQueueScheduleToStartTimeout: worker.stickyQueueScheduleToStartTimeout }),
  };
}
