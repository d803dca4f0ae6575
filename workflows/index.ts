/** The workflows a Baton worker registers. Everything here runs in the workflow sandbox. */
export { agentWorkflow, stateQuery } from './agent-workflow';
export { decideApprovalUpdate, type ApprovalDecision } from './approvals';
export { specWorkflow, specStateQuery, replaceStepUpdate, type SpecRunInput, type ReplaceStep } from './spec-workflow';
export { sessionWorkflow, sendMessageUpdate, endSessionSignal, sessionStateQuery, type SessionInput, type SessionReply, type SessionState } from './session-workflow';
