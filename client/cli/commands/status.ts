/** `baton status <id>`: where a run is, from the server and the run's state query (agent, spec or session). */
import { BatonAgent, BatonStatus, servedByNote, type AgentRunResult } from '../../../core';
import { liveState } from '../../live-state';
import { connect, type GlobalFlags } from '../context';
import { formatDate, formatUsage } from '../format';
import { forTerminal } from '../terminal-text';
import { describeStuckTask, stuckTask, stuckTaskAdvice } from '../../run-health';
import { displayStatus } from './list';
import { describeRunFailure } from './result';

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
    const live = await liveState(client, id, d.type);
    if (!live) lines.push(['state', `no worker answered the state query (is a worker polling ${d.taskQueue}?)`]);
    else if (live.kind === 'agent') {
      const { state } = live;
      lines.push(['turn', `${state.turn}/${state.maxTurns} (${state.status.replace('_', ' ')})`]);
      lines.push(['last step', state.lastStep ? `${state.lastStep.kind} ${state.lastStep.name}${servedByNote(state.lastStep)}` : '-']);
      lines.push(['usage', formatUsage(state.usage)], ['spec', state.specHash]);
    } else if (live.kind === 'spec') {
      const { state } = live;
      const done = state.steps.filter((step) => step.status === 'completed').length;
      lines.push(['steps', `${done}/${state.steps.length} completed (${state.status.replace('_', ' ')})`], ['usage', formatUsage(state.usage)]);
    } else lines.push(['turns', `${live.state.turns} (${live.state.status})`], ['usage', formatUsage(live.state.usage)]);
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
