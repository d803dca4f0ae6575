/** `baton tools list | describe <name> | search <words>`: the tools the config gives agents. */
import { searchTools, type ToolSpec } from '../../../core';
import { McpPool } from '../../../activities/tools/mcp';
import { configFor, UsageError, type GlobalFlags } from '../context';
import { table } from '../format';

/** The config's tools, and the current tools of its MCP servers (a server that is down is named on stderr). */
async function toolSpecs(globals: GlobalFlags): Promise<ToolSpec[]> {
  const config = await configFor(globals, true);
  const specs = (config?.tools ?? []).map((t) => t.spec);
  if (!config || !Object.keys(config.mcpServers).length) return specs;
  const pool = new McpPool(config.mcpServers);
  try {
    // Connect to every server at once: one slow or down server costs its timeout once, not per server.
    const lists = await Promise.all(Object.keys(config.mcpServers).map((server) => pool.toolSpecs(server).catch((err: unknown) => {
      console.error(`mcp ${server}: unavailable (${err instanceof Error ? err.message : String(err)})`);
      return [];
    })));
    specs.push(...lists.flat());
  } finally {
    await pool.close();
  }
  return specs;
}

function rows(tools: ToolSpec[]): string {
  const header = ['NAME', 'SOURCE', 'RISK', 'ON ERROR', 'DESCRIPTION'];
  return table([header, ...tools.map((t) => [t.name, t.source, t.risk, t.onError, t.description.length > 70 ? `${t.description.slice(0, 69)}…` : t.description])]);
}

export async function toolsListCommand(globals: GlobalFlags): Promise<number> {
  const tools = await toolSpecs(globals);
  console.log(tools.length ? rows(tools) : 'no tools are configured');
  return 0;
}

export async function toolsDescribeCommand(name: string, globals: GlobalFlags): Promise<number> {
  const tools = await toolSpecs(globals);
  const tool = tools.find((t) => t.name === name);
  if (!tool) throw new UsageError(`no tool named "${name}"; configured tools: ${tools.map((t) => t.name).join(', ') || 'none'}`);
  console.log(JSON.stringify(tool, null, 2));
  return 0;
}

export async function toolsSearchCommand(words: string[], globals: GlobalFlags): Promise<number> {
  const found = searchTools(await toolSpecs(globals), words.join(' '), 10);
  console.log(found.length ? rows(found) : `no tool matches "${words.join(' ')}"`);
  return 0;
}
