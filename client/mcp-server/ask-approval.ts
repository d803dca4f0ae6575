/**
 * Asking the IDE's user to decide a pending tool call through MCP elicitation. Accept applies
 * the chosen decision, decline rejects the call, cancel (the prompt dismissed) leaves it
 * pending, to be decided later with `decide_approval` or `baton approve`.
 */
import type { Client } from '@temporalio/client';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { PendingApproval } from '../../core';
import { defaultDecider } from './context';
import { decide, type Decision } from './approvals';

/** How long a person has to answer one prompt before the approval is left pending. */
const answerTimeoutMs = 10 * 60_000;

/** Whether the connected MCP client can show an elicitation form. */
export function canElicit(server: McpServer): boolean {
  return Boolean(server.server.getClientCapabilities()?.elicitation);
}

/** The question shown to the user: who wants which tool, with what arguments, at what risk. */
export function approvalQuestion(runId: string, pending: PendingApproval): string {
  return `Run ${runId}: agent ${pending.agent} wants to call ${pending.tool} (risk ${pending.risk}, turn ${pending.turn}) with arguments ${JSON.stringify(pending.arguments ?? {})}. Approve this call?`;
}

/** Asks once; resolves to the decision taken, or undefined when the user dismissed the prompt (or it could not be shown). */
export async function askForApproval(server: McpServer, client: Client, runId: string, pending: PendingApproval & { runId?: string }, signal: AbortSignal): Promise<Decision | undefined> {
  let answer;
  try {
    answer = await server.server.elicitInput({
      mode: 'form',
      message: approvalQuestion(pending.runId ?? runId, pending),
      requestedSchema: {
        type: 'object',
        properties: {
          decision: { type: 'string', title: 'Decision', enum: ['approve', 'reject'] },
          reason: { type: 'string', title: 'Reason', description: 'Recorded in the run\'s history; on a rejection the model reads it' },
        },
        required: ['decision'],
      },
    }, { timeout: answerTimeoutMs, signal });
  } catch {
    return undefined;
  }
  if (answer.action === 'cancel') return undefined;
  const approve = answer.action === 'accept' && answer.content?.decision === 'approve';
  const given = typeof answer.content?.reason === 'string' && answer.content.reason.trim() ? answer.content.reason.trim() : undefined;
  const reason = given ?? (answer.action === 'decline' ? 'declined in the IDE' : undefined);
  return decide(client, pending.runId ?? runId, pending.id, approve, reason, defaultDecider(server.server.getClientVersion()?.name));
}
