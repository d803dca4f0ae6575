/** The contract between workflows and the tool activity. Runs in the sandbox. */

export interface ToolRequest {
  tool: string;
  /** The model's tool-call id. */
  callId: string;
  arguments: unknown;
  /**
   * Stable across retries and replays of this one call: `<workflowId>/<runId>/<callId>`.
   * Tools with external side effects should pass it on (e.g. as an Idempotency-Key).
   */
  idempotencyKey: string;
  agent: string;
  /** Results longer than this many characters go to the content store (stored-conversation runs). */
  storeResultsOver?: number;
}

export interface ToolResult {
  /** Text given back to the model (JSON for structured results). */
  content: string;
  /** True when the model should see this as an error it can correct. */
  isError: boolean;
  /** Why it is an error: bad arguments, refused by policy, or the tool's own failure. */
  errorKind?: 'invalid_arguments' | 'refused' | 'failed' | 'unknown_tool';
  /** True when the result came from the tool cache and the tool did not run. */
  cached?: boolean;
  /** Set when the full result is in the content store; `content` is then a preview. */
  contentRef?: string;
}
