/** The tool activity: validates the model's arguments, then runs the tool. */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, durationToMs, type ToolRequest, type ToolResult } from '../core';
import { cacheKey, type ToolCache } from './tool-cache';
import type { ToolRegistry } from './tools/registry';
import { ToolError } from './tools/define-tool';
import { mcpServerOf } from './tools/mcp-config';
import type { McpPool } from './tools/mcp';
import type { ContentStore } from './content-store';

/** Tool results go to the model as text: strings as they are, anything else as JSON. */
export function toolResultText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'null';
  return JSON.stringify(value);
}

/** Builds the `runTool` activity over the worker's tools. */
export function createRunTool(registry: ToolRegistry, store: ContentStore, cache: ToolCache, mcp?: McpPool) {
  const mcpServers = Object.keys(mcp?.servers ?? {});
  const findTool = async (name: string) => {
    const server = mcpServerOf(name, mcpServers);
    if (!server || !mcp) return registry.get(name);
    const tool = await mcp.tool(server, name);
    if (!tool) throw new ToolError(`MCP server "${server}" no longer offers ${name}`);
    return tool;
  };
  return async function runTool(request: ToolRequest): Promise<ToolResult> {
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
    const ctx = Context.current();
    let value: unknown;
    try {
      value = await tool.execute(parsed.value, {
        idempotencyKey: request.idempotencyKey,
        agent: request.agent,
        callId: request.callId,
        attempt: ctx.info.attempt,
        signal: ctx.cancellationSignal,
        heartbeat: (details) => ctx.heartbeat(details),
      });
    } catch (err) {
      if (err instanceof ToolError) return { content: err.message, isError: true, errorKind: err.kind };
      throw err;
    }
    const content = toolResultText(value);
    if (key && policy) await cache.set(key, content, durationToMs(policy.ttl));
    if (request.storeResultsOver !== undefined && content.length > request.storeResultsOver) {
      const contentRef = await store.put(content);
      return { content: `${content.slice(0, 200)}… [${content.length} characters, stored as ${contentRef}]`, contentRef, isError: false };
    }
    return { content, isError: false };
  };
}
