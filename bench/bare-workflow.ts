/**
 * The baseline: a bare Temporal workflow doing the same activities as a Baton agent run
 * (one model-call activity and one tool activity per turn, then a final model call), as
 * no-ops. Runs in the workflow sandbox.
 */
import { proxyActivities } from '@temporalio/workflow';
import type * as bareActivities from './bare-activities';

const { bareModel, bareTool } = proxyActivities<typeof bareActivities>({ startToCloseTimeout: '30s' });

export async function bareAgentWorkflow(input: { runKey: string; turns: number }): Promise<number> {
  for (let turn = 1; turn <= input.turns; turn++) {
    await bareModel(input.runKey, turn);
    await bareTool(input.runKey, turn);
  }
  await bareModel(input.runKey, input.turns + 1);
  return input.turns;
}
