/** Inputs, results and live state of a declarative workflow run. Runs in the sandbox. */
import type { ApprovalRecord, PendingApproval, StepRecord } from './run';
import type { Usage } from './messages';
import type { Step } from './workflow-spec';

/** What one step hands to the next: text, and the parsed answer when the agent had an output schema. */
export interface StepOutput {
  output: string;
  structured?: unknown;
}

export type StepStatus = 'running' | 'completed' | 'failed' | 'cancelled';

/** One step's progress, as the `state` query and `baton inspect` show it. */
export interface StepState {
  /** Where the step sits in the spec, e.g. `root.steps[1].branches[0]`. */
  path: string;
  kind: Step['kind'];
  status: StepStatus;
  agent?: string;
  childWorkflowId?: string;
  /** The first 200 characters of the step's output. */
  output?: string;
  route?: string;
  iterations?: Array<{ iteration: number; accepted: boolean; feedback: string }>;
  error?: string;
}

export interface SpecRunState {
  status: 'running' | 'waiting_approval' | 'completed' | 'failed' | 'cancelled';
  /** The spec's name (also the BatonPattern search attribute). */
  pattern: string;
  steps: StepState[];
  usage: Usage;
  pendingApprovals: PendingApproval[];
  approvals: ApprovalRecord[];
  /** Parts of the spec replaced while running, in order. */
  changes: Array<{ path: string; kinds: string }>;
  lastStep?: StepRecord;
  error?: string;
}

export interface SpecRunResult extends StepOutput {
  usage: Usage;
  steps: StepState[];
}
