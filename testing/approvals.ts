/**
 * Approvals in tests: a run that calls a high-risk tool waits for a person, so a test waits
 * for the request and decides it, as `baton approve` would (through the decideApproval Update).
 */
import type { Client } from '@temporalio/client';
import type { BatonClient } from '../client/baton-client';
import { livePendingApprovals } from '../client/live-state';
import type { ApprovalRecord, PendingApproval } from '../core';
import { decideApprovalUpdate } from '../workflows';

type AnyClient = Client | BatonClient;
const temporalOf = (client: AnyClient): Client => ('temporal' in client ? client.temporal : client);

/** Waits until the run asks for an approval and returns the first one pending (needs a running worker; 30 s at most by default, room for a loaded CI machine). */
export async function waitForApproval(client: AnyClient, workflowId: string, options: { timeoutMs?: number } = {}): Promise<PendingApproval> {
  const temporal = temporalOf(client);
  const { type } = await temporal.workflow.getHandle(workflowId).describe();
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [first] = await livePendingApprovals(temporal, workflowId, type);
    if (first) return first;
    if (Date.now() > deadline) throw new Error(`${workflowId} asked for no approval within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** How a test decides an approval (default: approve, recorded as decided by `test`). */
export interface DecideOptions {
  /** Rejects instead of approving; the reason goes back to the model. */
  reject?: boolean;
  reason?: string;
  /** Who decided, recorded in history (default `test`). */
  by?: string;
}

/** Approves (or rejects) a pending approval and returns the recorded decision. */
export async function decideApproval(client: AnyClient, workflowId: string, approvalId: string, options: DecideOptions = {}): Promise<ApprovalRecord> {
  const handle = temporalOf(client).workflow.getHandle(workflowId);
  return handle.executeUpdate(decideApprovalUpdate, { args: [{ approvalId, approve: !options.reject, reason: options.reason, by: options.by ?? 'test' }] });
}

/** Waits for the run's next approval request and decides it: the one-liner most tests want. */
export async function approveNext(client: AnyClient, workflowId: string, options: DecideOptions & { timeoutMs?: number } = {}): Promise<ApprovalRecord> {
  const pending = await waitForApproval(client, workflowId, options);
  return decideApproval(client, workflowId, pending.id, options);
}
