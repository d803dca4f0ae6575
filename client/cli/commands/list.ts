/** `baton list`: recent Baton runs, filterable by agent and status. */
import { BatonAgent, BatonPattern, BatonStatus } from '../../../core';
import { connect, UsageError, type GlobalFlags } from '../context';
import { formatDate, table } from '../format';

export interface ListFlags {
  agent?: string;
  status?: string;
  limit?: string;
}

const quote = (value: string) => `"${value.replace(/["\\]/g, '')}"`;

/** The visibility query for Baton runs with the given filters. */
export function listQuery(flags: ListFlags): string {
  const clauses = ['BatonPattern IS NOT NULL'];
  if (flags.agent) clauses.push(`BatonAgent = ${quote(flags.agent)}`);
  if (flags.status) clauses.push(`BatonStatus = ${quote(flags.status)}`);
  return clauses.join(' AND ');
}

export async function listCommand(flags: ListFlags, globals: GlobalFlags): Promise<number> {
  const limit = Number(flags.limit ?? 20);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit takes a whole number above 0');
  const { client } = await connect(globals);
  const rows = [['WORKFLOW ID', 'AGENT', 'PATTERN', 'STATUS', 'STARTED']];
  for await (const run of client.workflow.list({ query: listQuery(flags), pageSize: limit })) {
    const attrs = run.typedSearchAttributes;
    rows.push([run.workflowId, attrs.get(BatonAgent) ?? '-', attrs.get(BatonPattern) ?? '-', attrs.get(BatonStatus) ?? run.status.name.toLowerCase(), formatDate(run.startTime)]);
    if (rows.length > limit) break;
  }
  console.log(rows.length === 1 ? 'no Baton runs found' : table(rows));
  return 0;
}
