/**
 * What a run reports to metrics and traces: runs started and finished, tool calls by outcome,
 * hand-offs, approvals, budget stops. Counts go through Baton's `batonMetrics` sink to the
 * worker, which sums them per label set and adds them to its Prometheus endpoint once a second, as
 * it does its activities' counts (activities/call-metrics.ts); nothing is sent while a history
 * replays. (Through the SDK's workflow `metricMeter`, each record resolved the run's tags through
 * the interceptors and cost the worker one call into its core.) Hand-offs and
 * approvals are also events on the run's span when the worker traces: `tracing-interceptors.ts`,
 * bundled only then, installs the span-event hook, so a plain bundle carries no OpenTelemetry
 * code. Labels are names from the config or spec (agents, tools, patterns) and fixed words, never
 * run ids or user text. Runs in the sandbox.
 */
import { proxySinks, workflowInfo, type Sinks } from '@temporalio/workflow';
import type * as HookModule from './span-event-hook';

/** Set by Baton's bundler (workers/workflow-bundle.ts): false when the worker's runtime exports no metrics. */
declare const __BATON_WORKFLOW_METRICS__: boolean | undefined;

/** Whether runs count into the worker's metrics: not in a bundle for a worker that exports none (its sink would drop them). */
const counting = typeof __BATON_WORKFLOW_METRICS__ === 'undefined' || __BATON_WORKFLOW_METRICS__;

/** The counters a run adds to, by name: the worker holds their units and help texts (activities/call-metrics.ts). */
export type RunCounter = 'baton_runs_started' | 'baton_runs_finished' | 'baton_tool_calls' | 'baton_handoffs' | 'baton_budget_stops' | 'baton_approvals_requested' | 'baton_approvals_decided';
/** The histograms a run records on. */
export type RunHistogram = 'baton_approval_wait';

/** Baton's metric sink, registered by every Baton worker (workers/create-worker.ts). */
export interface BatonMetricSinks extends Sinks {
  batonMetrics: {
    count(name: RunCounter, tags: Record<string, string>): void;
    record(name: RunHistogram, value: number, tags: Record<string, string>): void;
  };
}

const metricSink = proxySinks<BatonMetricSinks>().batonMetrics;

/** Whether a record goes out now: not while a history replays (the worker would drop it, after its arguments were copied). */
function recording(): boolean {
  return counting && !workflowInfo().unsafe.isReplaying;
}

/** Adds one to a run counter. */
function count(name: RunCounter, tags: Record<string, string>): void {
  if (recording()) metricSink.count(name, tags);
}

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
  count('baton_runs_started', { pattern, agent });
}

/** A run ended: `status` is completed, failed or cancelled. */
export function runFinished(pattern: string, status: string, agent = ''): void {
  count('baton_runs_finished', { pattern, agent, status });
}

/** One tool call the model asked for, counted once whatever its retries. */
export function toolCallDone(agent: string, tool: string, outcome: ToolCallOutcome): void {
  count('baton_tool_calls', { agent, tool, outcome });
}

/** An agent handed the conversation to another. */
export function handedOff(from: string, to: string, turn: number): void {
  count('baton_handoffs', { from, to });
  spanEvent('baton.handoff', { 'baton.handoff.from': from, 'baton.handoff.to': to, 'baton.turn': turn });
}

/** A run stopped at an agent's token or cost budget. */
export function budgetStopped(agent: string, limit: 'tokens' | 'cost'): void {
  count('baton_budget_stops', { agent, limit });
  spanEvent('baton.budget_stop', { 'gen_ai.agent.name': agent, 'baton.limit': limit });
}

/** A tool call now waits for a person. */
export function approvalRequested(agent: string, tool: string, id: string): void {
  count('baton_approvals_requested', { agent, tool });
  spanEvent('baton.approval.requested', { 'gen_ai.agent.name': agent, 'gen_ai.tool.name': tool, 'baton.approval.id': id });
}

/** A waiting tool call was decided, by a person or its timeout, after `waitedMs` of workflow time. */
export function approvalDecided(agent: string, tool: string, id: string, decision: string, by: string, waitedMs: number): void {
  count('baton_approvals_decided', { agent, tool, decision, by });
  if (recording()) metricSink.record('baton_approval_wait', Math.max(0, Math.round(waitedMs)), { agent, tool });
  spanEvent('baton.approval.decided', { 'gen_ai.agent.name': agent, 'gen_ai.tool.name': tool, 'baton.approval.id': id, 'baton.approval.decision': decision, 'baton.approval.by': by });
}
