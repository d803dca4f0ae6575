/** `baton status <id>`: where a run is, from the server and the run's `state` query. */
import type { Client } from '@temporalio/client';
import { BatonAgent, BatonStatus, servedByNote, type AgentRunResult, type AgentRunState } from '../../../core';
import { stateQuery } from '../../../workflows';
import { connect, type GlobalFlags } from '../context';
import { formatDate, formatUsage } from '../format';
import { forTerminal } from '../terminal-text';
import { describeStuckTask, stuckTask, stuckTaskAdvice } from '../../run-health';
import { displayStatus } from './list';
import { describeRunFailure } from './result';

/** The live state of a running run; undefined when no worker answers within 3 s. */
async function liveState(client: Client, id: string): Promise<AgentRunState | undefined> {
  try {
    return await client.connection.withDeadline(Date.now() + 3000, () => client.workflow.getHandle(id).query(stateQuery));
  } catch {
    return undefined;
  }
}

export async function statusCommand(id: string, globals: GlobalFlags): Promise<number> {
  const { client, ui } = await connect(globals);
  const handle = client.workflow.getHandle(id);
  const d = await handle.describe();
  const status = d.status.name.toLowerCase();
  const lines: Array<[string, string]> = [
    ['run', `${d.workflowId} (${d.runId})`],
    ['type', d.type],
    ['status', displayStatus(d.status.name, d.typedSearchAttributes.get(BatonStatus))],
    ['agent', d.typedSearchAttributes.get(BatonAgent) ?? '-'],
    ['started', formatDate(d.startTime)],
    ['closed', formatDate(d.closeTime)],
    ['queue', d.taskQueue],
  ];
  const stuck = await stuckTask(client, d);
  if (stuck) {
    // The state query cannot answer while the workflow task fails: say why the run does not move.
    lines[2] = ['status', `running · ${forTerminal(describeStuckTask(stuck))}`];
    lines.push(['problem', stuckTaskAdvice]);
  } else if (status === 'running') {
    const state = await liveState(client, id);
    if (state) {
      lines.push(['turn', `${state.turn}/${state.maxTurns} (${state.status.replace('_', ' ')})`]);
      lines.push(['last step', state.lastStep ? `${state.lastStep.kind} ${state.lastStep.name}${servedByNote(state.lastStep)}` : '-']);
      lines.push(['usage', formatUsage(state.usage)], ['spec', state.specHash]);
    } else lines.push(['state', `no worker answered the state query (is a worker polling ${d.taskQueue}?)`]);
  } else if (status === 'completed') {
    const result = (await handle.result()) as AgentRunResult;
    lines.push(['turns', String(result.turns)], ['usage', formatUsage(result.usage)], ['spec', result.specHash]);
  } else if (['failed', 'terminated', 'timed_out'].includes(status)) {
    const error = await handle.result().then(() => undefined, (err: unknown) => describeRunFailure(err));
    if (error) lines.push(['error', forTerminal(error)]);
  }
  lines.push(['web ui', ui(d.workflowId, d.runId)]);
  for (const [label, value] of lines) console.log(`${label.padEnd(10)}${value}`);
  return 0;
}
