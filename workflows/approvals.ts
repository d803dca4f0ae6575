/**
 * Human approval of tool calls. A call that needs approval waits on a durable condition
 * (no worker is held while it waits), shows in the run's state and search attributes,
 * and goes on when a person decides through the validated `decideApproval` Update, or
 * when the policy's timeout passes. Runs in the workflow sandbox.
 */
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import type { ApprovalDecisionSchema } from './schemas';
import { schemas } from './lazy-schemas';
import type { ApprovalPolicy, ApprovalRecord, PendingApproval, StepRecord, ToolSpec } from '../core';
import { RunAttributes } from './search-attributes';

/** The part of a run's state the desk keeps: agent runs and spec runs both have it. */
export interface ApprovalHolder {
  status: string;
  pendingApprovals: PendingApproval[];
  approvals: ApprovalRecord[];
  lastStep?: StepRecord;
}

export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;

/** Approve or reject one pending tool call; rejected up front when the id is not pending. */
export const decideApprovalUpdate = defineUpdate<ApprovalRecord, [ApprovalDecision]>('decideApproval');

const riskOrder = { low: 0, medium: 1, high: 2 } as const;

/** True when the agent's policy says a call to this tool must wait for a person. */
export function needsApproval(policy: ApprovalPolicy, tool: ToolSpec): boolean {
  if (policy.tools.includes(tool.name)) return true;
  return policy.minRisk !== 'never' && riskOrder[tool.risk] >= riskOrder[policy.minRisk];
}

/** Holds the run's approvals and answers the Update. One per run. */
export class ApprovalDesk {
  private readonly decisions = new Map<string, ApprovalDecision>();
  private nextId = 1;

  constructor(
    private readonly state: ApprovalHolder,
    private readonly onChange: () => void,
    /** The status to go back to once nothing waits any more. */
    private readonly resumeStatus = 'running_tools',
    private readonly attributes = new RunAttributes(),
  ) {
    setHandler(
      decideApprovalUpdate,
      async (decision) => {
        this.decisions.set(decision.approvalId, decision);
        await condition(() => this.state.approvals.some((a) => a.id === decision.approvalId));
        return this.state.approvals.find((a) => a.id === decision.approvalId) as ApprovalRecord;
      },
      { validator: (decision) => this.validate(decision), description: 'Approve or reject a pending tool call' },
    );
  }

  private validate(input: ApprovalDecision): void {
    const decision = schemas().ApprovalDecisionSchema.parse(input);
    if (this.state.pendingApprovals.some((p) => p.id === decision.approvalId)) return;
    const done = this.state.approvals.find((a) => a.id === decision.approvalId);
    if (done) throw new Error(`approval ${decision.approvalId} was already ${done.decision}${done.by === 'timeout' ? ' on timeout' : ''}`);
    const pending = this.state.pendingApprovals.map((p) => p.id).join(', ') || 'none';
    throw new Error(`no pending approval ${decision.approvalId} in this run (pending: ${pending})`);
  }

  /** Waits for a decision on one call; resolves to the record of what was decided. */
  async request(call: Omit<PendingApproval, 'id'>, policy: Pick<ApprovalPolicy, 'timeout' | 'onTimeout'>): Promise<ApprovalRecord> {
    const pending: PendingApproval = { ...call, id: `approval-${this.nextId++}` };
    this.state.pendingApprovals.push(pending);
    this.setWaiting();
    const isDecided = () => this.decisions.has(pending.id);
    // condition(fn, undefined) would time out at once: wait without a timer unless one is set.
    const decided = policy.timeout === undefined ? (await condition(isDecided), true) : await condition(isDecided, policy.timeout);
    const decision = this.decisions.get(pending.id);
    const record: ApprovalRecord = decided && decision
      ? { ...pending, decision: decision.approve ? 'approved' : 'rejected', reason: decision.reason, by: 'person' }
      : { ...pending, decision: policy.onTimeout === 'approve' ? 'approved' : 'rejected', reason: 'no decision before the approval timeout', by: 'timeout' };
    this.state.pendingApprovals = this.state.pendingApprovals.filter((p) => p.id !== pending.id);
    this.state.approvals.push(record);
    this.state.lastStep = { kind: 'approval', name: `${record.tool} ${record.decision}`, turn: call.turn };
    this.setWaiting();
    return record;
  }

  private setWaiting(): void {
    const waiting = this.state.pendingApprovals.length > 0;
    if (waiting !== (this.state.status === 'waiting_approval')) {
      this.state.status = waiting ? 'waiting_approval' : this.resumeStatus;
      this.attributes.waiting(waiting);
    }
    this.onChange();
  }
}
