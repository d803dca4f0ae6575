/** `baton list`: recent top-level Baton runs, filterable by agent and status. */
import { BatonAgent, BatonPattern, BatonStatus } from '../../../core';
import { connect, UsageError, type GlobalFlags } from '../context';
import { formatDate, table } from '../format';
import { forTerminal } from '../terminal-text';
import { describeStuckTask, stuckTask } from '../../run-health';

export interface ListFlags {
  agent?: string;
  status?: string;
  limit?: string;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const quote = (value: string) => `"${value.replace(/["\\]/g, '')}"`;

/** `--status` values: Temporal's execution statuses, plus Baton's `waiting_approval`. */
const executionStatuses: Record<string, string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Canceled',
  canceled: 'Canceled',
  terminated: 'Terminated',
  timed_out: 'TimedOut',
  continued_as_new: 'ContinuedAsNew',
};

function statusClause(status: string): string {
  if (status === 'waiting_approval') return `${BatonStatus.name} = "waiting_approval" AND ExecutionStatus = "Running"`;
  const execution = Object.hasOwn(executionStatuses, status) ? executionStatuses[status] : undefined;
  if (!execution) throw new UsageError(`--status must be one of waiting_approval, ${Object.keys(executionStatuses).join(', ')} (got "${status}")`);
  return `ExecutionStatus = "${execution}"`;
}

/** The visibility query for top-level Baton runs with the given filters. */
export function listQuery(flags: ListFlags): string {
  const clauses = [`${BatonPattern.name} IS NOT NULL`];
  if (flags.agent) clauses.push(`${BatonAgent.name} = ${quote(flags.agent)}`);
  if (flags.status) clauses.push(statusClause(flags.status));
  return clauses.join(' AND ');
}

/** Temporal's status, or `waiting_approval` while a running run waits for a person. */
export function displayStatus(execution: string, batonStatus: string | undefined): string {
  return execution === 'RUNNING' && batonStatus ? batonStatus : execution.toLowerCase();
}

export async function listCommand(flags: ListFlags, globals: GlobalFlags): Promise<number> {
  const limit = Number(flags.limit ?? 20);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit takes a whole number above 0');
  const query = listQuery(flags);
  const { client } = await connect(globals);
  const rows = [['WORKFLOW ID', 'AGENT', 'PATTERN', 'STATUS', 'STARTED']];
  const running: Array<{ row: string[]; workflowId: string; runId: string }> = [];
  for await (const run of client.workflow.list({ query, pageSize: limit })) {
    const attrs = run.typedSearchAttributes;
    const row = [run.workflowId, attrs.get(BatonAgent) ?? '-', attrs.get(BatonPattern) ?? '-', displayStatus(run.status.name, attrs.get(BatonStatus)), formatDate(run.startTime)];
    rows.push(row);
    if (run.status.name === 'RUNNING') running.push({ row, workflowId: run.workflowId, runId: run.runId });
    if (rows.length > limit) break;
  }
  // Visibility does not know about failing workflow tasks: ask each running run's description.
  await Promise.all(running.map(async ({ row, workflowId, runId }) => {
    const description = await client.workflow.getHandle(workflowId, runId).describe().catch(() => undefined);
    const stuck = description && (await stuckTask(client, description));
    if (stuck) row[3] = forTerminal(clip(describeStuckTask(stuck), 90));
  }));
  console.log(rows.length === 1 ? 'no Baton runs found' : table(rows.map((row) => row.map((cell) => forTerminal(cell)))));
  return 0;
}
