/** Baton's MCP server: one McpServer per MCP session, all sharing one McpContext (and its Temporal connection). */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { McpContext } from './context';
import { registerCatalogTools } from './catalog-tools';
import { registerRunTools } from './run-tools';
import { registerWaitTool } from './wait-tool';
import { registerApprovalTools } from './approvals';
import { registerInspectTools } from './inspect-tools';
import { registerRunResources } from './resources';
import { enableRunSubscriptions } from './subscriptions';

/** The tools every session offers, in the order `tools/list` shows them. */
export const batonToolNames = [
  'list_agents', 'list_specs', 'search_tools',
  'start_run', 'get_run', 'list_runs', 'cancel_run', 'send_message',
  'wait_for_run', 'list_pending_approvals', 'decide_approval',
  'inspect_run', 'get_transcript', 'replay_run',
] as const;

/** A new MCP server for one session, with every Baton tool and resource registered. */
export function createBatonMcpServer(ctx: McpContext): McpServer {
  const server = new McpServer(
    { name: 'baton', title: 'Baton', version: '0.1.0' },
    {
      capabilities: { tools: {}, resources: { subscribe: true } },
      instructions: 'Baton runs teams of LLM agents as durable Temporal workflows. Start a run with start_run, follow it with wait_for_run (it asks you to approve risky tool calls), read it with get_run, inspect_run and get_transcript.',
    },
  );
  registerCatalogTools(server, ctx);
  registerRunTools(server, ctx);
  registerWaitTool(server, ctx);
  registerApprovalTools(server, ctx);
  registerInspectTools(server, ctx);
  registerRunResources(server, ctx);
  enableRunSubscriptions(server, ctx);
  return server;
}
