/**
 * The shape a streaming model call publishes as its activity's heartbeat details, so a
 * watcher on another machine can read the text through DescribeWorkflowExecution without
 * anything reaching history. Runs in the sandbox (types and a guard only).
 */

/** The latest streamed text of one model-call attempt: a bounded tail and where it starts. */
export interface StreamSnapshot {
  kind: 'baton.stream';
  agent: string;
  turn: number;
  /** Temporal's attempt number: a retried call starts its text again. */
  attempt: number;
  /** Bumped when failover moves the call to another provider within one attempt (the text starts again). */
  restart: number;
  /** Bumped on every publish. */
  seq: number;
  /** Characters of the text before `tail` (the text so far is `offset + tail.length` long). */
  offset: number;
  tail: string;
}

/** Heartbeat details are untrusted input to a watcher: checks the shape before use. */
export function isStreamSnapshot(value: unknown): value is StreamSnapshot {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.kind === 'baton.stream' && typeof v.agent === 'string' && typeof v.tail === 'string'
    && [v.turn, v.attempt, v.restart, v.seq, v.offset].every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0);
}
