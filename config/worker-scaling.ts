/**
 * Config for how one worker process scales (`worker.tuner`, `worker.*PollerBehavior`) and which
 * Worker Deployment version it belongs to (`worker.deployment`); mapped to the SDK's Worker
 * options by workers/scaling-options.ts.
 */
import { z } from 'zod';
import { DurationSchema } from '../core';

/** Slot bounds for one kind of task under the resource-based tuner. */
const ResourceSlotsSchema = z
  .object({
    /** Slots always handed out, whatever the load (SDK default: 2 workflow, 1 activity). */
    minimum: z.number().int().nonnegative().optional(),
    /** Slots never exceeded (SDK default: 1000 workflow, 2000 activity). */
    maximum: z.number().int().positive().optional(),
    /** Wait at least this long between handing out slots above the minimum (SDK default: 0 workflow, 50ms activity). */
    rampThrottle: DurationSchema.optional(),
  })
  .strict()
  .refine((slots) => slots.minimum === undefined || slots.maximum === undefined || slots.minimum <= slots.maximum, { message: 'minimum must not exceed maximum' });

/** The SDK's resource-based tuner: hands out task slots while the host stays under these CPU and memory targets. */
export const TunerSettingsSchema = z
  .object({
    /** Fraction of the host's CPU (0 < x ≤ 1) above which no new slots are handed out, e.g. 0.8. */
    targetCpuUsage: z.number().gt(0).lte(1),
    /** Fraction of the host's memory (0 < x ≤ 1) above which no new slots are handed out, e.g. 0.8. */
    targetMemoryUsage: z.number().gt(0).lte(1),
    workflowTaskSlots: ResourceSlotsSchema.optional(),
    activityTaskSlots: ResourceSlotsSchema.optional(),
    localActivityTaskSlots: ResourceSlotsSchema.optional(),
  })
  .strict();

/** How a worker polls one kind of task: a fixed maximum of long polls, or autoscaled on the server's feedback. */
export const PollerBehaviorSchema = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('simple-maximum'), maximum: z.number().int().positive().optional() })
    .strict(),
  z
    .object({
      type: z.literal('autoscaling'),
      /** Polls always open (SDK default 1). */
      minimum: z.number().int().positive().optional(),
      /** Polls open at start (SDK default 5). */
      initial: z.number().int().positive().optional(),
      /** Polls never exceeded (SDK default 100). */
      maximum: z.number().int().positive().optional(),
    })
    .strict()
    .refine((p) => (p.minimum ?? 1) <= (p.initial ?? 5) && (p.initial ?? 5) <= (p.maximum ?? 100), {
      message: 'expected minimum ≤ initial ≤ maximum (SDK defaults 1, 5, 100)',
    }),
]);

/** Worker Deployment versioning: the deployment this worker belongs to and its build id. */
export const DeploymentSettingsSchema = z
  .object({
    /** The Worker Deployment's name, e.g. `baton`: one for all the app's pools (a version spans their task queues). */
    name: z.string().min(1),
    /** This build's id; when left out, read at worker start from the variable `buildIdEnv` names. */
    buildId: z.string().min(1).optional(),
    /** The environment variable holding the build id when `buildId` is not set (default BATON_BUILD_ID). */
    buildIdEnv: z.string().min(1).default('BATON_BUILD_ID'),
    /** PINNED: a run finishes on the build it started on; AUTO_UPGRADE: runs move to the current build (needs replay-safe changes). */
    defaultVersioningBehavior: z.enum(['PINNED', 'AUTO_UPGRADE']).default('PINNED'),
  })
  .strict();

/** The `worker` fields this module checks together. */
interface ScalingFields {
  tuner?: unknown;
  maxConcurrentActivityTaskExecutions?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
}

/** The SDK refuses a tuner beside fixed slot counts; say so at config load, with the field's path. */
export function refineWorkerScaling(worker: ScalingFields, ctx: z.RefinementCtx): void {
  if (worker.tuner === undefined) return;
  const replacement = { maxConcurrentActivityTaskExecutions: 'activityTaskSlots', maxConcurrentWorkflowTaskExecutions: 'workflowTaskSlots' } as const;
  for (const [field, slots] of Object.entries(replacement)) {
    if (worker[field as keyof typeof replacement] !== undefined) {
      ctx.addIssue({ code: 'custom', path: [field], message: `cannot be combined with worker.tuner (the tuner hands out the slots); remove it, or bound the tuner with worker.tuner.${slots}.maximum` });
    }
  }
}
