/**
 * What a run reports to metrics and traces: runs started and finished, tool calls by outcome,
 * hand-offs, approvals, budget stops. Counts go through the workflow `metricMeter` (replay-safe:
 * nothing is emitted while a history replays) to the worker's Prometheus endpoint; hand-offs and
 * approvals are also events on the run's span when the worker traces: `tracing-interceptors.ts`,
 * bundled only then, installs the span-event hook, so a plain bundle carries no OpenTelemetry
 * code. Labels are names from the config or spec (agents, tools, patterns) and fixed words, never
 * run ids or user text. Runs in the sandbox.
 */
import { metricMeter } from '@temporalio/workflow';
import type * as HookModule from './span-event-hook';

/** Set by Baton's bundler (workers/workflow-bundle.ts): false when the worker's runtime exports no metrics. */
declare const __BATON_WORKFLOW_METRICS__: boolean | undefined;

/** Whether runs count into the worker's metrics: not in a bundle for a worker that exports none (its sink would drop them). */
const counting = typeof __BATON_WORKFLOW_METRICS__ === 'undefined' || __BATON_WORKFLOW_METRICS__;

/** Adds an event to the run's active span. */
export type SpanEventHook = (name: string, attributes: Record<string, string | number>) => void;

/** This execution's hook holder: a deferred require, so each execution gets its own (this module is shared). */
function hookHolder(): typeof HookModule.spanEventHook {
  // eslint-disable-next-line no-restricted-globals, @typescript-eslint/no-require-imports
  return (require('./span-event-hook') as typeof HookModule).spanEventHook;
}

function spanEvent(name: string, attributes: Record<string, string | number>): void {
  hookHolder().current(name, attributes);
}

/** Called by the tracing workflow interceptors (once per workflow execution) to record span events. */
export function setSpanEventHook(hook: SpanEventHook): void {
  hookHolder().current = hook;
}

/** How a tool call of the agent loop ended, as `baton_tool_calls{outcome}` counts it. */
export type ToolCallOutcome = 'ok' | 'error' | 'refused' | 'cached' | 'failed';

/** A run of one of Baton's workflows started: `pattern` is `agent`, `session`, or the spec's name. */
export function runStarted(pattern: string, agent = ''): void {
  if (counting) metricMeter.createCounter('baton_runs_started', 'runs', 'Baton runs started, by pattern and starting agent').withTags({ pattern, agent }).add(1);
}

/** A run ended: `status` is completed, failed or cancelled. */
export function runFinished(pattern: string, status: string, agent = ''): void {
  if (counting) metricMeter.createCounter('baton_runs_finished', 'runs', 'Baton runs finished, by pattern, starting agent and status').withTags({ pattern, agent, status }).add(1);
}

/** One tool call the model asked for, counted once whatever its retries. */
export function toolCallDone(agent: string, tool: string, outcome: ToolCallOutcome): void {
  if (counting) metricMeter.createCounter('baton_tool_calls', 'calls', 'Tool calls by agent, tool and outcome (ok, error, refused, cached, failed)').withTags({ agent, tool, outcome }).add(1);
}

/** An agent handed the conversation to another. */
export function handedOff(from: string, to: string, turn: number): void {
  if (counting) metricMeter.createCounter('baton_handoffs', 'handoffs', 'Hand-offs between agents').withTags({ from, to }).add(1);
  spanEvent('baton.handoff', { 'baton.handoff.from': from, 'baton.handoff.to': to, 'baton.turn': turn });
}

/** A run stopped at an agent's token or cost budget. */
export function budgetStopped(agent: string, limit: 'tokens' | 'cost'): void {
  if (counting) metricMeter.createCounter('baton_budget_stops', 'runs', 'Runs stopped by an agent budget (tokens or cost)').withTags({ agent, limit }).add(1);
  spanEvent('baton.budget_stop', { 'gen_ai.agent.name': agent, 'baton.limit': limit });
}

/** A tool call now waits for a person. */
export function approvalRequested(agent: string, tool: string, id: string): void {
  if (counting) metricMeter.createCounter('baton_approvals_requested', 'approvals', 'Tool calls that waited for approval').withTags({ agent, tool }).add(1);
  spanEvent('baton.approval.requested', { 'gen_ai.agent.name': agent, 'gen_ai.tool.name': tool, 'baton.approval.id': id });
}

/** A waiting tool call was decided, by a person or its timeout, after `waitedMs` of workflow time. */
export function approvalDecided(agent: string, tool: string, id: string, decision: string, by: string, waitedMs: number): void {
  if (counting) metricMeter.createCounter('baton_approvals_decided', 'approvals', 'Approvals decided, by decision and by whom (person or timeout)').withTags({ agent, tool, decision, by }).add(1);
  if (counting) metricMeter.createHistogram('baton_approval_wait', 'int', 'ms', 'How long decided approvals waited').withTags({ agent, tool }).record(Math.max(0, Math.round(waitedMs)));
  spanEvent('baton.approval.decided', { 'gen_ai.agent.name': agent, 'gen_ai.tool.name': tool, 'baton.approval.id': id, 'baton.approval.decision': decision, 'baton.approval.by': by });
}
