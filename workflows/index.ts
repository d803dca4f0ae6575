/** The workflows a Baton worker registers. Everything here runs in the workflow sandbox. */
export { agentWorkflow, stateQuery } from './agent-workflow';
export { decideApprovalUpdate, type ApprovalDecision } from './approvals';
