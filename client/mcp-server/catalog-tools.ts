/** Tools that describe the project: list_agents, list_specs, search_tools. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { searchTools, type ToolSpec } from '../../core';
import { loadWorkflowSpec } from '../../config/load-spec';
import { McpPool } from '../../activities/tools/mcp';
import type { BatonConfig } from '../../config/define-config';
import type { McpContext } from './context';
import { oneLineErrors } from './errors';
import { reply } from './reply';

/** Folders never searched for specs. */
const skipped = new Set(['node_modules', '.git', '.baton', '.temporal', 'dist', 'coverage']);
const maxFiles = 2000;

/** Candidate spec files under `dir` (YAML and JSON), at most a few levels down. */
export function specCandidates(dir: string, depth = 4): string[] {
  const found: string[] = [];
  const walk = (at: string, level: number) => {
    let entries;
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (found.length >= maxFiles) return;
      const full = path.join(at, entry.name);
      if (entry.isDirectory() && level < depth && !skipped.has(entry.name) && !entry.name.startsWith('.')) walk(full, level + 1);
      else if (entry.isFile() && /\.(ya?ml|json)$/.test(entry.name) && !/^(package(-lock)?|tsconfig.*)\.json$/.test(entry.name)) found.push(full);
    }
  };
  walk(dir, 0);
  return found.sort();
}

/** The config's tools and the current tools of its MCP servers (a server that is down is skipped). */
async function allTools(config: BatonConfig): Promise<ToolSpec[]> {
  const specs = config.tools.map((t) => t.spec);
  if (!Object.keys(config.mcpServers).length) return specs;
  const pool = new McpPool(config.mcpServers);
  try {
    const lists = await Promise.all(Object.keys(config.mcpServers).map((server) => pool.toolSpecs(server).catch(() => [])));
    return [...specs, ...lists.flat()];
  } finally {
    await pool.close();
  }
}

/** Registers list_agents, list_specs and search_tools. */
export function registerCatalogTools(server: McpServer, ctx: McpContext): void {
  server.registerTool('list_agents', {
    title: 'List the configured agents',
    description: 'The agents of the project\'s Baton config: model, tools, hand-off targets, agents it may call.',
    inputSchema: {},
    outputSchema: { agents: z.array(z.object({ name: z.string(), description: z.string().optional(), provider: z.string(), model: z.string(), tools: z.array(z.string()), handoffs: z.array(z.string()), agentTools: z.array(z.string()) })) },
    annotations: { readOnlyHint: true },
  }, oneLineErrors(async () => {
    const config = ctx.requireConfig();
    const agents = Object.entries(config.agents).map(([name, a]) => ({ name, ...(a.description ? { description: a.description } : {}), provider: a.provider, model: a.model, tools: a.tools, handoffs: a.handoffs, agentTools: a.agentTools }));
    const text = agents.map((a) => `${a.name} · ${a.provider}/${a.model}${a.tools.length ? ` · tools ${a.tools.join(', ')}` : ''}${a.handoffs.length ? ` · hands off to ${a.handoffs.join(', ')}` : ''}${a.description ? ` · ${a.description}` : ''}`);
    return reply(text.join('\n') || 'no agents are configured', { agents });
  }));

  server.registerTool('list_specs', {
    title: 'List workflow spec files',
    description: 'Declarative workflow specs (YAML or JSON) found in the project folder that are valid against the config; start one with start_run { spec }.',
    inputSchema: {},
    outputSchema: { specs: z.array(z.object({ file: z.string(), name: z.string(), description: z.string().optional() })) },
    annotations: { readOnlyHint: true },
  }, oneLineErrors(async () => {
    const config = ctx.requireConfig();
    const specs = specCandidates(ctx.projectDir).flatMap((full) => {
      try {
        const spec = loadWorkflowSpec(full, config);
        return [{ file: path.relative(ctx.projectDir, full), name: spec.name, ...(spec.description ? { description: spec.description } : {}) }];
      } catch {
        return [];
      }
    });
    return reply(specs.map((s) => `${s.file} · ${s.name}${s.description ? ` · ${s.description}` : ''}`).join('\n') || 'no workflow spec files found', { specs });
  }));

  server.registerTool('search_tools', {
    title: 'Search the tools agents can use',
    description: 'Tools of the config and its MCP servers whose name or description match the words.',
    inputSchema: { query: z.string().min(1), limit: z.number().int().min(1).max(50).default(10) },
    outputSchema: { tools: z.array(z.object({ name: z.string(), description: z.string(), source: z.string(), risk: z.string(), inputSchema: z.record(z.string(), z.unknown()) })) },
    annotations: { readOnlyHint: true },
  }, oneLineErrors(async ({ query, limit }) => {
    const found = searchTools(await allTools(ctx.requireConfig()), query, limit);
    const tools = found.map((t) => ({ name: t.name, description: t.description, source: t.source, risk: t.risk, inputSchema: t.inputSchema }));
    return reply(tools.map((t) => `${t.name} · ${t.source} · risk ${t.risk} · ${t.description}`).join('\n') || `no tool matches "${query}"`, { tools });
  }));
}
