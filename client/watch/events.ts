/** The typed events `BatonClient.watch(id)` yields while a run goes on. */
import type { PendingApproval } from '../../core';

/** A run in the watched tree: the run itself or one of its child runs (agent steps, asked agents). */
export interface RunRef {
  workflowId: string;
  runId: string;
}

/** One thing that happened in a watched run, in the order a person would tell it. */
export type WatchEvent =
  /** A model call was scheduled: the agent's turn began (`turn` 1 is the agent starting). */
  | { type: 'agent-turn'; run: RunRef; agent: string; turn: number }
  /** Text of the agent's answer: live when the call streams, otherwise when the call completes. */
  | { type: 'text'; run: RunRef; agent: string; turn: number; text: string }
  /** The call's text starts again after some was shown: a retried attempt (a worker died, a provider failed) or a failover to another provider. */
  | { type: 'stream-restarted'; run: RunRef; agent: string; turn: number; attempt: number; reason: 'retry' | 'failover' }
  /** A tool call was scheduled; a `local: true` call is told when it ends, just before its result (`arguments` undefined for a tool plan's local step). */
  | { type: 'tool-call'; run: RunRef; agent: string; tool: string; callId: string; arguments: unknown }
  | { type: 'tool-result'; run: RunRef; agent: string; tool: string; callId: string; content: string; isError: boolean }
  | { type: 'handoff'; run: RunRef; from: string; to: string }
  /** A child run started (an agent step of a workflow spec, an agent asked by a supervisor). */
  | { type: 'child-run'; run: RunRef; child: RunRef; workflowType: string }
  | { type: 'approval-waiting'; run: RunRef; approval: PendingApproval }
  /** The watched run completed; `result` is its result (an AgentRunResult or SpecRunResult). */
  | { type: 'finished'; run: RunRef; result: unknown }
  /** The watched run failed, was cancelled, terminated or timed out. */
  | { type: 'failed'; run: RunRef; status: string; error: string };

/** Options for `BatonClient.watch`. */
export interface WatchOptions {
  /** How often running calls are read for streamed text (default 100 ms). */
  pollMs?: number;
  /** Stops the watch (the run goes on). */
  signal?: AbortSignal;
}
