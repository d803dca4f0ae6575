/** The physical floor of a step on this server: N sequential no-op activities, normal or local. Sandbox-safe. */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type * as bareActivities from './bare-activities';

const normal = proxyActivities<typeof bareActivities>({ startToCloseTimeout: '30s' });
const local = proxyLocalActivities<typeof bareActivities>({ startToCloseTimeout: '30s' });

export async function sequentialSteps(input: { steps: number; local: boolean }): Promise<number> {
  const acts = input.local ? local : normal;
  for (let i = 0; i < input.steps; i++) await acts.bareTool('latency', i);
  return input.steps;
}
