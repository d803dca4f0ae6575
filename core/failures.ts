/**
 * The one list of failure types Baton raises. Runs fail with an `ApplicationFailure`
 * whose `type` is one of these, so callers, retry policies and tests can tell whose
 * fault a failure is: the user's configuration, the model's behaviour, or the system.
 */
export const FailureType = {
  /** The user's configuration or workflow spec is invalid. Never retried. */
  InvalidConfig: 'BatonInvalidConfig',
  /** A run input (agent spec, tool spec, workflow spec) failed validation. Never retried. */
  InvalidInput: 'BatonInvalidInput',
  /** The provider rejected the request (400/401/403/404/422). Never retried. */
  ProviderRejected: 'BatonProviderRejected',
  /** The provider is unavailable or rate limited (408/409/429/5xx, network). Retried. */
  ProviderUnavailable: 'BatonProviderUnavailable',
  /** The model kept breaking the contract (bad final output after a correction). */
  ModelBehaviour: 'BatonModelBehaviour',
  /** The agent hit its turn limit before a final answer. */
  MaxTurnsExceeded: 'BatonMaxTurnsExceeded',
  /** The run hit its token or cost budget. */
  BudgetExceeded: 'BatonBudgetExceeded',
  /** A tool failed after its retries, and its policy says the run fails. */
  ToolFailed: 'BatonToolFailed',
  /** A tool the worker does not know was requested by a run (a deployment mismatch). */
  ToolNotRegistered: 'BatonToolNotRegistered',
  /** The model provider named by an agent is not configured on the worker. */
  ProviderNotConfigured: 'BatonProviderNotConfigured',
  /** A step of a pattern failed (fail-fast fan-out, a failed branch, an unknown route). */
  StepFailed: 'BatonStepFailed',
  /** A person (or an approval timeout) rejected a workflow step. */
  ApprovalRejected: 'BatonApprovalRejected',
  /** The scripted model met a call it had no step for, or steps were left over. */
  ScriptMismatch: 'BatonScriptMismatch',
  /**
   * A run reached one of Baton's own limits (items in a map, a run input's size…), set below
   * the Temporal server's so a run fails at once instead of hanging. The message names the
   * limit and the setting that changes it. Never retried.
   */
  LimitExceeded: 'BatonLimitExceeded',
  /**
   * Workflow code threw something that is not a Baton failure (a bug, or a malformed input
   * marked `validated`). The run fails with this type instead of retrying its workflow task forever.
   */
  WorkflowError: 'BatonWorkflowError',
  /**
   * Model output asked for something the operator did not allow it: a generated workflow
   * naming an agent or tool outside its `generate.allow`, or setting an approval policy; a
   * map item naming an agent the run may not use. The message names each field. Never retried.
   */
  NotAllowed: 'BatonNotAllowed',
  /** A second decision on an approval that is already decided: the Update is refused, the run goes on. */
  ApprovalAlreadyDecided: 'BatonApprovalAlreadyDecided',
  /**
   * A model call sent by reference reached a worker whose content store does not hold the
   * reference (workers that do not share one store). The run sends that call in full again
   * and stops using references; it never fails a run.
   */
  SpecRefUnavailable: 'BatonSpecRefUnavailable',
} as const;

export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Failure types that no retry can fix; activities raise these as non-retryable. */
export const nonRetryableFailureTypes: readonly FailureType[] = [
  FailureType.InvalidConfig,
  FailureType.InvalidInput,
  FailureType.ProviderRejected,
  FailureType.ProviderNotConfigured,
  FailureType.ToolNotRegistered,
  FailureType.ScriptMismatch,
  FailureType.LimitExceeded,
  FailureType.SpecRefUnavailable,
];
