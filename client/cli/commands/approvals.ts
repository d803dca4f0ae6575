/** `baton pending` and `baton approve <id> [approval] [--reject --reason <text>] [--as <name>]`. */
import os from 'node:os';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { BatonStatus, type PendingApproval } from '../../../core';
import { decideApprovalUpdate, specStateQuery, stateQuery } from '../../../workflows';
import { connect, UsageError, type GlobalFlags } from '../context';
import { table } from '../format';
import { forTerminal } from '../terminal-text';

/** The pending approvals of an agent run (`state`) or a spec run (`specState`), by its workflow type. */
async function stateOf(client: Client, id: string, workflowType: string): Promise<{ pendingApprovals: PendingApproval[] } | undefined> {
  const handle = client.workflow.getHandle(id);
  try {
    const query = (): Promise<{ pendingApprovals: PendingApproval[] }> => (workflowType === 'specWorkflow' ? handle.query(specStateQuery) : handle.query(stateQuery));
    return await client.connection.withDeadline(Date.now() + 3000, query);
  } catch {
    return undefined;
  }
}

export async function pendingCommand(globals: GlobalFlags): Promise<number> {
  const { client } = await connect(globals);
  const rows = [['RUN', 'APPROVAL', 'AGENT', 'TOOL', 'RISK', 'ARGUMENTS']];
  for await (const run of client.workflow.list({ query: `${BatonStatus.name} = "waiting_approval" AND ExecutionStatus = "Running"` })) {
    const state = await stateOf(client, run.workflowId, run.type);
    if (!state) {
      rows.push([run.workflowId, '?', '-', '(no worker answered)', '-', '-']);
      continue;
    }
    for (const p of state.pendingApprovals) rows.push([run.workflowId, p.id, p.agent, p.tool, p.risk, JSON.stringify(p.arguments)]);
  }
  console.log(rows.length === 1 ? 'no tool calls are waiting for approval' : table(rows.map((row) => row.map((cell) => forTerminal(cell)))));
  return 0;
}

export interface ApproveFlags {
  reject?: boolean;
  reason?: string;
  /** Who decides; recorded with the decision and named to anyone who decides after. */
  as?: string;
}

/** The decider's name: `--as`, else the OS user; none when the OS cannot tell. */
function deciderOf(flags: ApproveFlags): string | undefined {
  if (flags.as !== undefined) return flags.as;
  try {
    return os.userInfo().username || undefined;
  } catch {
    return undefined;
  }
}

export async function approveCommand(id: string, approvalId: string | undefined, flags: ApproveFlags, globals: GlobalFlags): Promise<number> {
  const { client } = await connect(globals);
  const { status, type } = await client.workflow.getHandle(id).describe();
  if (status.name !== 'RUNNING') throw new UsageError(`${id} is ${status.name.toLowerCase()}; it has nothing left to approve`);
  let chosen = approvalId;
  if (!chosen) {
    const state = await stateOf(client, id, type);
    const pending = state?.pendingApprovals ?? [];
    if (pending.length !== 1) {
      throw new UsageError(pending.length ? `${id} has ${pending.length} pending approvals (${pending.map((p) => p.id).join(', ')}); name one` : `${id} has no pending approval`);
    }
    chosen = pending[0]?.id as string;
  }
  try {
    const record = await client.workflow.getHandle(id).executeUpdate(decideApprovalUpdate, { args: [{ approvalId: chosen, approve: !flags.reject, reason: flags.reason, by: deciderOf(flags) }] });
    console.log(`${record.decision} ${record.id}: ${record.tool}(${JSON.stringify(record.arguments)}) in ${id}${record.decidedBy ? ` by ${record.decidedBy}` : ''}`);
    return 0;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new UsageError(`cannot decide ${chosen}: ${err.cause?.message ?? err.message}`);
    throw err;
  }
}
