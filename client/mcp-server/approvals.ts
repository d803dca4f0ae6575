/** Approvals from the IDE: listing the calls that wait for a person, and deciding one (by name). */
import type { Client } from '@temporalio/client';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { BatonStatus, type ApprovalRecord, type PendingApproval } from '../../core';
import { decideApprovalUpdate } from '../../workflows';
import { defaultDecider, McpUsageError, type McpContext } from './context';
import { oneLineErrors } from './errors';
import { reply } from './reply';
import { livePendingApprovals } from '../live-state';
import { PendingApprovalSchema } from './run-summary';

/** What `decide_approval` (and an answered elicitation) returns: the approval record the run kept. */
export const DecisionSchema = z.object({
  id: z.string().describe('the run'),
  approvalId: z.string(),
  tool: z.string(),
  arguments: z.unknown(),
  decision: z.enum(['approved', 'rejected']),
  reason: z.string().optional(),
  decidedBy: z.string().optional(),
});
/** A decision as the run recorded it. */
export type Decision = z.infer<typeof DecisionSchema>;

/** The pending approvals of one running run; empty when it has none or no worker answers. */
export async function pendingOf(client: Client, id: string): Promise<PendingApproval[]> {
  const { type, status } = await client.workflow.getHandle(id).describe();
  if (status.name !== 'RUNNING') return [];
  return livePendingApprovals(client, id, type);
}

/** Sends the decision through the run's validated Update; a refused one (already decided, not pending) reads as one line. */
export async function decide(client: Client, id: string, approvalId: string, approve: boolean, reason: string | undefined, by: string): Promise<Decision> {
  const record: ApprovalRecord = await client.workflow.getHandle(id).executeUpdate(decideApprovalUpdate, { args: [{ approvalId, approve, reason, by }] });
  return { id, approvalId: record.id, tool: record.tool, arguments: record.arguments ?? {}, decision: record.decision, ...(record.reason ? { reason: record.reason } : {}), ...(record.decidedBy ? { decidedBy: record.decidedBy } : {}) };
}

/** `approved approval-1: pay({"amount":5}) in <id> by ann`. */
export const describeDecision = (d: Decision) => `${d.decision} ${d.approvalId}: ${d.tool}(${JSON.stringify(d.arguments)}) in ${d.id}${d.decidedBy ? ` by ${d.decidedBy}` : ''}`;

/** Registers list_pending_approvals and decide_approval. */
export function registerApprovalTools(server: McpServer, ctx: McpContext): void {
  server.registerTool('list_pending_approvals', {
    title: 'Tool calls waiting for approval',
    description: 'Tool calls (and tool-plan steps) waiting for a person\'s decision, in one run or across all running runs.',
    inputSchema: { id: z.string().optional().describe('only this run') },
    outputSchema: { pending: z.array(PendingApprovalSchema.extend({ runId: z.string().describe('the workflow id of the run') })) },
    annotations: { readOnlyHint: true },
  }, oneLineErrors(async ({ id }) => {
    const client = await ctx.temporal();
    const ids: string[] = [];
    if (id !== undefined) ids.push(id);
    else for await (const run of client.workflow.list({ query: `${BatonStatus.name} = "waiting_approval" AND ExecutionStatus = "Running"` })) ids.push(run.workflowId);
    const pending = (await Promise.all(ids.map(async (runId) => (await pendingOf(client, runId)).map((p) => ({ ...p, arguments: p.arguments ?? {}, runId }))))).flat();
    const text = pending.length ? pending.map((p) => `${p.runId} ${p.id}: ${p.agent} wants ${p.tool}(${JSON.stringify(p.arguments)}) · risk ${p.risk}`).join('\n') : 'no tool calls are waiting for approval';
    return reply(text, { pending });
  }));

  server.registerTool('decide_approval', {
    title: 'Approve or reject a pending tool call',
    description: 'Approve or reject a tool call that waits for a person. The reason goes back to the model on a rejection; the decider\'s name is recorded in the run\'s history.',
    inputSchema: {
      id: z.string().describe('the run (workflow id)'),
      approvalId: z.string().optional().describe('e.g. approval-1; may be left out when the run has exactly one pending'),
      approve: z.boolean(),
      reason: z.string().optional(),
      by: z.string().optional().describe('who decides (default: the OS user running the server, and the MCP client)'),
    },
    outputSchema: DecisionSchema.shape,
    annotations: { destructiveHint: true },
  }, oneLineErrors(async ({ id, approvalId, approve, reason, by }) => {
    const client = await ctx.temporal();
    let chosen = approvalId;
    if (chosen === undefined) {
      const pending = await pendingOf(client, id);
      if (pending.length !== 1) throw new McpUsageError(pending.length ? `${id} has ${pending.length} pending approvals (${pending.map((p) => p.id).join(', ')}); name one` : `${id} has no pending approval`);
      chosen = (pending[0] as PendingApproval).id;
    }
    const decision = await decide(client, id, chosen, approve, reason, by ?? defaultDecider(server.server.getClientVersion()?.name));
    return reply(describeDecision(decision), decision);
  }));
}
