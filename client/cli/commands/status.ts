/** `baton status <id>`: where a run is, from the server and the run's `state` query. */
import type { AgentRunState } from '../../../core';
import { BatonAgent, BatonStatus } from '../../../core';
import { stateQuery } from '../../../workflows';
import { connect, type GlobalFlags } from '../context';
import { formatDate, formatUsage } from '../format';

export async function statusCommand(id: string, globals: GlobalFlags): Promise<number> {
  const { client, ui } = await connect(globals);
  const handle = client.workflow.getHandle(id);
  const d = await handle.describe();
  console.log(`run       ${d.workflowId} (${d.runId})`);
  console.log(`type      ${d.type}`);
  console.log(`status    ${d.status.name.toLowerCase()}`);
  console.log(`agent     ${d.typedSearchAttributes.get(BatonAgent) ?? '-'} (${d.typedSearchAttributes.get(BatonStatus) ?? '-'})`);
  console.log(`started   ${formatDate(d.startTime)}`);
  console.log(`closed    ${formatDate(d.closeTime)}`);
  console.log(`queue     ${d.taskQueue}`);
  try {
    const state = (await handle.query(stateQuery)) as AgentRunState;
    console.log(`turn      ${state.turn}/${state.maxTurns}`);
    console.log(`last step ${state.lastStep ? `${state.lastStep.kind} ${state.lastStep.name}` : '-'}`);
    console.log(`usage     ${formatUsage(state.usage)}`);
    console.log(`spec      ${state.specHash}`);
    if (state.error) console.log(`error     ${state.error}`);
  } catch {
    console.log('state     (no worker answered the state query)');
  }
  console.log(`web ui    ${ui(d.workflowId, d.runId)}`);
  return 0;
}
