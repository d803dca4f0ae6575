/**
 * The tool activity: validates the model's arguments, then runs the tool once per call.
 * The tool-call ledger answers attempts whose call already completed; every run of a tool
 * heartbeats; results too big for a payload go to the content store by reference.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, durationToMs, type ToolRequest, type ToolResult } from '../core';
import { cacheKey, type ToolCache } from './tool-cache';
import type { ToolRegistry } from './tools/registry';
import { ToolError, type BatonTool } from './tools/define-tool';
import { mcpServerOf } from './tools/mcp-config';
import type { McpPool } from './tools/mcp';
import type { ContentStore } from './content-store';
import type { ToolLedger } from './tool-ledger';
import { withHeartbeats } from './heartbeats';
import { observeToolCall } from './telemetry';
import { checkPayloadSize, defaultPayloadLimits, formatBytes, payloadBytes, type PayloadLimits } from './payload-limits';

/** What the tool activity works with, besides the tools. */
export interface ToolActivityDependencies {
  registry: ToolRegistry;
  store: ContentStore;
  cache: ToolCache;
  ledger: ToolLedger;
  mcp?: McpPool;
  limits?: PayloadLimits;
}

/** Tool results go to the model as text: strings as they are, anything else as JSON. */
export function toolResultText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'null';
  return JSON.stringify(value);
}

/** A result as the workflow gets it: inline, or stored by reference with a preview when too big. */
async function storedIfLarge(content: string, request: ToolRequest, store: ContentStore, limits: PayloadLimits): Promise<ToolResult> {
  const bytes = payloadBytes(content); // as sent: JSON escapes can make a string several times its length
  const overRun = request.storeResultsOver !== undefined && content.length > request.storeResultsOver;
  if (!overRun && bytes <= limits.storeToolResultsOver) return { content, isError: false };
  const contentRef = await store.put(content);
  const note = overRun ? `${content.length} characters` : `${content.length} characters, ${formatBytes(bytes)}, over worker.storeToolResultsOver`;
  const preview = overRun ? 200 : 2000;
  return { content: `${content.slice(0, preview)}… [${note}, stored as ${contentRef}]`, contentRef, isError: false };
}

/** Builds the `runTool` activity over the worker's tools. */
export function createRunTool(deps: ToolActivityDependencies) {
  const { registry, store, cache, ledger, mcp } = deps;
  const limits = deps.limits ?? defaultPayloadLimits;
  const mcpServers = Object.keys(mcp?.servers ?? {});
  const findTool = async (name: string) => {
    const server = mcpServerOf(name, mcpServers);
    if (!server || !mcp) return registry.get(name);
    const tool = await mcp.tool(server, name);
    if (!tool) throw new ToolError(`MCP server "${server}" no longer offers ${name}`);
    return tool;
  };

  /** Runs the tool; a ToolError is a result the model sees. `progress` keeps the tool's latest heartbeat details. */
  async function execute(tool: BatonTool, args: unknown, request: ToolRequest, previousAttemptMayHaveRun: boolean, progress: { details?: unknown }): Promise<ToolResult> {
    const ctx = Context.current();
    try {
      const value = await tool.execute(args, {
        idempotencyKey: request.idempotencyKey,
        agent: request.agent,
        callId: request.callId,
        attempt: ctx.info.attempt,
        previousAttemptMayHaveRun,
        signal: ctx.cancellationSignal,
        // Sent with the automatic heartbeats (./heartbeats.ts), at their pace.
        heartbeat: (details) => void (progress.details = details),
      });
      return { content: toolResultText(value), isError: false };
    } catch (err) {
      if (err instanceof ToolError) return { content: err.message, isError: true, errorKind: err.kind };
      throw err;
    }
  }

  async function runOnce(request: ToolRequest, progress: { details?: unknown }): Promise<ToolResult> {
    let tool;
    try {
      tool = await findTool(request.tool);
    } catch (err) {
      if (err instanceof ToolError) return { content: err.message, isError: true, errorKind: 'unknown_tool' };
      throw err;
    }
    if (!tool) {
      throw ApplicationFailure.create({
        type: FailureType.ToolNotRegistered,
        nonRetryable: true,
        message: `tool "${request.tool}" is not registered on this worker (known: ${registry.names().join(', ') || 'none'})`,
      });
    }
    const parsed = tool.parseArguments(request.arguments);
    if (!parsed.ok) {
      return { content: `Invalid arguments for ${request.tool}: ${parsed.error}`, isError: true, errorKind: 'invalid_arguments' };
    }
    const policy = tool.spec.cache;
    const key = policy ? cacheKey(tool.spec.name, parsed.value, policy.key) : undefined;
    const hit = key ? await cache.get(key) : undefined;
    if (hit !== undefined) return { content: hit, isError: false, cached: true };

    // A first attempt of a normal activity has no earlier attempt to look up: its marker would only
    // say "started", which any later attempt (attempt > 1) implies anyway. That saves a read and a
    // write per call. A local activity's attempt count restarts when its workflow task is retried,
    // so local calls always check and mark.
    const info = Context.current().info;
    const firstAttempt = info.attempt === 1 && !info.isLocal;
    // A normal activity's first attempt may have logged its result (complete(..., true)) no earlier than it was scheduled.
    const earlier = firstAttempt ? undefined : await ledger.begin(request.idempotencyKey, request.tool, info.isLocal ? undefined : info.scheduledTimestampMs);
    if (earlier?.state === 'completed') return earlier.result;
    const mayHaveRun = earlier ? earlier.state === 'started' || !info.isLocal : false;
    const outcome = await execute(tool, parsed.value, request, mayHaveRun, progress);
    let result = outcome;
    if (!outcome.isError) {
      if (key && policy) await cache.set(key, outcome.content, durationToMs(policy.ttl));
      result = await storedIfLarge(outcome.content, request, store, limits);
    }
    checkPayloadSize(result, limits, `the result of tool "${request.tool}"`, 'raise worker.storeToolResultsOver no higher than it, so bigger results go to the content store');
    await ledger.complete(request.idempotencyKey, request.tool, result, firstAttempt);
    return result;
  }

  /** Heartbeats for the whole call (ledger, tool, stores), so a dead worker's call is retried after the heartbeat timeout. */
  return async function runTool(request: ToolRequest): Promise<ToolResult> {
    const progress: { details?: unknown } = {};
    return observeToolCall(request, () => withHeartbeats(() => runOnce(request, progress), () => progress.details));
  };
}
