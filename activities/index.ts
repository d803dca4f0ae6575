/**
 * Every side effect Baton performs is one of these activities. Workflows import this
 * module as a type only: `import type { BatonActivities } from '../activities'`.
 */
import { createCallModel, type ProviderEntry } from './model-activity';
import { createRunTool } from './tool-activity';
import type { ToolRegistry } from './tools/registry';
import type { ContentStore } from './content-store';
import type { ToolCache } from './tool-cache';
import type { McpPool } from './tools/mcp';
import type { ToolSpec } from '../core';

export interface ActivityDependencies {
  providers: ReadonlyMap<string, ProviderEntry>;
  tools: ToolRegistry;
  content: ContentStore;
  cache: ToolCache;
  /** The worker's MCP connections, when the config lists MCP servers. */
  mcp?: McpPool;
}

/** Creates the activity implementations a worker registers. */
export function createActivities(deps: ActivityDependencies) {
  return {
    callModel: createCallModel(deps.providers, deps.content),
    runTool: createRunTool(deps.tools, deps.content, deps.cache, deps.mcp),
    /** The current tools of MCP servers (an agent run lists its servers' tools when it starts). */
    async listMcpTools(request: { servers: string[] }): Promise<ToolSpec[]> {
      if (!request.servers.length) return [];
      if (!deps.mcp) throw new Error(`this worker has no MCP servers configured (asked for ${request.servers.join(', ')})`);
      const lists = await Promise.all(request.servers.map((server) => (deps.mcp as McpPool).toolSpecs(server)));
      return lists.flat();
    },
  };
}

export type BatonActivities = ReturnType<typeof createActivities>;
export type { ProviderEntry } from './model-activity';
export { defineTool, ToolError, type BatonTool, type ToolContext } from './tools/define-tool';
export { ToolRegistry } from './tools/registry';
export { FileContentStore, type ContentStore } from './content-store';
export { FileToolCache, cacheKey, type ToolCache } from './tool-cache';
export { McpPool } from './tools/mcp';
export { PostgresBackend } from './postgres-backend';
export { McpServerConfigSchema, type McpServerConfig, type McpServerConfigInput } from './tools/mcp-config';
export * from './tools/builtin';
