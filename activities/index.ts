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
import type { ToolLedger } from './tool-ledger';
import type { PayloadLimits } from './payload-limits';
import type { ToolSpec } from '../core';
import { ProviderBreakers, type CircuitBreakerSettings } from './providers/circuit-breaker';

export interface ActivityDependencies {
  providers: ReadonlyMap<string, ProviderEntry>;
  tools: ToolRegistry;
  content: ContentStore;
  cache: ToolCache;
  /** Where completed tool calls are recorded, so a retried call never runs its tool twice. */
  ledger: ToolLedger;
  /** The worker's MCP connections, when the config lists MCP servers. */
  mcp?: McpPool;
  /** Payload limits (default: 1.5 MiB per result, tool results over 256 KiB stored by reference). */
  limits?: PayloadLimits;
  /** When a provider's circuit opens and probes again (default: 5 failures in a row, 30 s). */
  circuitBreaker?: CircuitBreakerSettings;
}

/** Creates the activity implementations a worker registers. */
export function createActivities(deps: ActivityDependencies) {
  return {
    callModel: createCallModel(deps.providers, deps.content, deps.limits, new ProviderBreakers(deps.circuitBreaker)),
    runTool: createRunTool({ registry: deps.tools, store: deps.content, cache: deps.cache, ledger: deps.ledger, mcp: deps.mcp, limits: deps.limits }),
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
export { ContentNotFoundError, FileContentStore, type ContentStore } from './content-store';
export { FileToolCache, cacheKey, type ToolCache } from './tool-cache';
export { McpPool } from './tools/mcp';
export { PostgresBackend } from './postgres-backend';
export { FileToolLedger, type ToolLedger, type LedgerBegin } from './tool-ledger';
export { PostgresToolLedger } from './postgres-ledger';
export { defaultPayloadLimits, type PayloadLimits } from './payload-limits';
export { McpServerConfigSchema, type McpServerConfig, type McpServerConfigInput } from './tools/mcp-config';
export * from './tools/builtin';
