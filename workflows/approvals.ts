/**
 * Human approval of tool calls. A call that needs approval waits on a durable condition
 * (no worker is held while it waits), shows in the run's state and search attributes,
 * and goes on when a person decides through the validated `decideApproval` Update, or
 * when the policy's timeout passes. Runs in the workflow sandbox.
 */
import { ApplicationFailure, condition, defineUpdate, setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import type { ApprovalDecisionSchema } from './schemas';
import type { ApprovalPolicy, ApprovalRecord, PendingApproval, StepRecord, ToolSpec } from '../core';
import { FailureType } from '../core/failures';
import { RunAttributes } from './search-attributes';
import { approvalDecided, approvalRequested } from './telemetry';

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

/** The policy of a tool-plan step that sets none: risk high and up waits for a person, no timeout. */
export const standardApprovalPolicy: ApprovalPolicy = { tools: [], minRisk: 'high', onTimeout: 'reject' };

/** A decision the desk took, with who gave it and when (workflow time). */
type TakenDecision = ApprovalDecision & { at: string };

/** True when the agent's policy says a call to this tool must wait for a person. */
export function needsApproval(policy: ApprovalPolicy, tool: ToolSpec): boolean {
  if (policy.tools.includes(tool.name)) return true;
  return policy.minRisk !== 'never' && riskOrder[tool.risk] >= riskOrder[policy.minRisk];
}

/**
 * The shape ApprovalDecisionSchema describes, checked without zod: a validator that loaded the
 * schemas would evaluate zod in every run that receives a decision (the reusable V8 context
 * gives each run its own module cache): about 15 ms of CPU and 1 MB of worker memory per run.
 */
export function checkDecision(input: unknown): ApprovalDecision {
  const fail = (message: string): never => {
    throw new Error(`invalid decision: ${message}`);
  };
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return fail('expected an object');
  const d = input as Record<string, unknown>;
  const known = new Set(['approvalId', 'approve', 'reason', 'by']);
  const extra = Object.keys(d).filter((k) => !known.has(k));
  if (extra.length) fail(`unknown field ${extra.join(', ')}`);
  if (typeof d.approvalId !== 'string' || !d.approvalId) fail('approvalId: expected a non-empty string');
  if (typeof d.approve !== 'boolean') fail('approve: expected true or false');
  if (d.reason !== undefined && (typeof d.reason !== 'string' || d.reason.length > 2000)) fail('reason: expected a string of at most 2000 characters');
  if (d.by !== undefined && (typeof d.by !== 'string' || !d.by || d.by.length > 200)) fail('by: expected a name of 1 to 200 characters');
  return d as ApprovalDecision;
}

/** Holds the run's approvals and answers the Update. One per run. */
export class ApprovalDesk {
  private readonly decisions = new Map<string, TakenDecision>();
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
        // The validator already refused a second decision; the handler refuses too, because
        // validators are skipped on replay and an interceptor could run handlers later.
        const refusal = this.refusal(decision.approvalId);
        if (refusal) throw ApplicationFailure.create({ type: FailureType.ApprovalAlreadyDecided, message: refusal, nonRetryable: true });
        this.decisions.set(decision.approvalId, { ...decision, at: new Date().toISOString() });
        await condition(() => this.state.approvals.some((a) => a.id === decision.approvalId));
        return this.state.approvals.find((a) => a.id === decision.approvalId) as ApprovalRecord;
      },
      { validator: (decision) => this.validate(decision), description: 'Approve or reject a pending tool call' },
    );
  }

  private validate(input: ApprovalDecision): void {
    const decision = checkDecision(input);
    const refusal = this.refusal(decision.approvalId);
    if (refusal) throw new Error(refusal);
  }

  /** Why a decision on `id` cannot be taken now, or undefined when it can (pending, undecided). */
  private refusal(id: string): string | undefined {
    const taken = this.decisions.get(id);
    if (taken) return `approval ${id} was already decided by ${taken.by ?? 'a person'} at ${taken.at} (${taken.approve ? 'approved' : 'rejected'})`;
    const done = this.state.approvals.find((a) => a.id === id);
    if (done) return `approval ${id} was already decided by ${done.by === 'timeout' ? 'its timeout' : done.decidedBy ?? 'a person'} at ${done.decidedAt ?? 'an earlier time'} (${done.decision})`;
    if (this.state.pendingApprovals.some((p) => p.id === id)) return undefined;
    const pending = this.state.pendingApprovals.map((p) => p.id).join(', ') || 'none';
    return `no pending approval ${id} in this run (pending: ${pending})`;
  }

  /** Waits for a decision on one call; resolves to the record of what was decided. */
  async request(call: Omit<PendingApproval, 'id'>, policy: Pick<ApprovalPolicy, 'timeout' | 'onTimeout'>): Promise<ApprovalRecord> {
    const pending: PendingApproval = { ...call, id: `approval-${this.nextId++}` };
    this.state.pendingApprovals.push(pending);
    this.setWaiting();
    const since = Date.now();
    approvalRequested(call.agent, call.tool, pending.id);
    const isDecided = () => this.decisions.has(pending.id);
    // condition(fn, undefined) would time out at once: wait without a timer unless one is set.
    const decided = policy.timeout === undefined ? (await condition(isDecided), true) : await condition(isDecided, policy.timeout);
    const decision = this.decisions.get(pending.id);
    const record: ApprovalRecord = decided && decision
      ? { ...pending, decision: decision.approve ? 'approved' : 'rejected', reason: decision.reason, by: 'person', ...(decision.by ? { decidedBy: decision.by } : {}), decidedAt: decision.at }
      : { ...pending, decision: policy.onTimeout === 'approve' ? 'approved' : 'rejected', reason: 'no decision before the approval timeout', by: 'timeout', decidedAt: new Date().toISOString() };
    this.state.pendingApprovals = this.state.pendingApprovals.filter((p) => p.id !== pending.id);
    this.state.approvals.push(record);
    approvalDecided(call.agent, call.tool, pending.id, record.decision, record.by, Date.now() - since);
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
