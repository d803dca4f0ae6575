/** `baton list`: recent top-level Baton runs, filterable by agent and status. */
import { BatonAgent, BatonPattern, BatonStatus } from '../../../core';
import { connect, UsageError, type GlobalFlags } from '../context';
import { formatDate, table } from '../format';

export interface ListFlags {
  agent?: string;
  status?: string;
  limit?: string;
}

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
  const execution = executionStatuses[status];
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
  for await (const run of client.workflow.list({ query, pageSize: limit })) {
    const attrs = run.typedSearchAttributes;
    rows.push([run.workflowId, attrs.get(BatonAgent) ?? '-', attrs.get(BatonPattern) ?? '-', displayStatus(run.status.name, attrs.get(BatonStatus)), formatDate(run.startTime)]);
    if (rows.length > limit) break;
  }
  console.log(rows.length === 1 ? 'no Baton runs found' : table(rows));
  return 0;
}
