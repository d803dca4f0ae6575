/**
 * Every timeout and retry policy Baton's workflows use, in one screen. Policies come
 * from the agent and tool specs, so a spec change is a data change, not a code change.
 * Runs in the workflow sandbox.
 */
import { proxyActivities, proxyLocalActivities, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import type { BatonActivities } from '../activities';
import type { AgentSpec, ToolRequest, ToolResult, ToolSpec } from '../core';
import { FailureType, nonRetryableFailureTypes } from '../core/failures';

/** Options for the model call of one agent; the provider's retry-after sets the next delay. */
export function modelCallOptions(agent: AgentSpec): ActivityOptions {
  const policy = agent.modelCall;
  return {
    taskQueue: agent.taskQueue,
    startToCloseTimeout: policy.startToCloseTimeout,
    heartbeatTimeout: policy.heartbeatTimeout,
    retry: {
      maximumAttempts: policy.maximumAttempts,
      initialInterval: policy.initialInterval,
      maximumInterval: policy.maximumInterval,
      backoffCoefficient: 2,
      nonRetryableErrorTypes: [...nonRetryableFailureTypes],
    },
  };
}

/** The heartbeat timeout of tool calls whose spec sets none (Baton heartbeats while a tool runs). */
export const defaultToolHeartbeatTimeout = '10s';

/** Options for one tool, from its spec; every call heartbeats, so a dead worker's call is retried after the heartbeat timeout. */
export function toolCallOptions(tool: ToolSpec, agent: Pick<AgentSpec, 'taskQueue'>): ActivityOptions {
  return {
    taskQueue: agent.taskQueue,
    startToCloseTimeout: tool.startToCloseTimeout,
    heartbeatTimeout: tool.heartbeatTimeout ?? defaultToolHeartbeatTimeout,
    retry: {
      maximumAttempts: tool.retry.maximumAttempts,
      initialInterval: tool.retry.initialInterval,
      backoffCoefficient: tool.retry.backoffCoefficient,
      maximumInterval: tool.retry.maximumInterval,
      nonRetryableErrorTypes: [FailureType.ToolNotRegistered, FailureType.InvalidInput],
    },
  };
}

/** The activity proxy; per-call options are given with `executeWithOptions`. */
export const activities = proxyActivities<BatonActivities>({ startToCloseTimeout: '60s' });

/** Options for a `local: true` tool: a local activity in the workflow's worker, same retries. */
export function localToolCallOptions(tool: ToolSpec): LocalActivityOptions {
  const { taskQueue: _queue, heartbeatTimeout: _heartbeat, ...options } = toolCallOptions(tool, {});
  return options;
}

/** The local-activity proxy for `local: true` tools. */
export const localActivities = proxyLocalActivities<BatonActivities>({ startToCloseTimeout: '10s' });

/** Runs one tool call: a local activity for `local: true` tools, else an activity on the agent's pool. */
export function runToolActivity(spec: ToolSpec, agent: Pick<AgentSpec, 'taskQueue'>, summary: string, request: ToolRequest): Promise<ToolResult> {
  return spec.local
    ? localActivities.runTool.executeWithOptions({ ...localToolCallOptions(spec), summary }, [request])
    : activities.runTool.executeWithOptions({ ...toolCallOptions(spec, agent), summary }, [request]);
}
