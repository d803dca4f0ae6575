import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import { ConfigError, agentSpec, toolSpecsFor, validateConfig } from '../config/define-config';
import { loadConfig } from '../config/load-config';
import { openToolCache } from '../workers/create-worker';

const search = defineTool({ name: 'search', description: 'Searches', input: z.object({ q: z.string().min(1), limit: z.number().int().optional() }), execute: () => [] });
const base = { providers: { s: { type: 'scripted', model: new ScriptedModel([]) } }, tools: [search] };

function issuesOf(raw: unknown): string[] {
  try {
    validateConfig(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected the config to be rejected');
}

describe('config validation', () => {
  it('fills defaults and resolves an agent with its tool specs', () => {
    const config = validateConfig({ ...base, agents: { finder: { provider: 's', model: 'm', tools: ['search'] } } });
    const agent = agentSpec(config, 'finder');
    expect(agent).toMatchObject({ name: 'finder', limits: { maxTurns: 10 }, modelCall: { startToCloseTimeout: '120s' } });
    expect(config.temporal.taskQueue).toBe('baton');
    const [spec] = toolSpecsFor(config, agent);
    expect(spec).toMatchObject({ name: 'search', risk: 'low', onError: 'report', retry: { maximumAttempts: 3 } });
    expect(spec?.inputSchema).toMatchObject({ type: 'object', properties: { q: { type: 'string', minLength: 1 } }, required: ['q'] });
  });

  it('names the path of each bad field', () => {
    expect(issuesOf({ ...base, agents: { a: { provider: 's', model: 'm', limits: { maxTurns: 0 } } } })).toEqual([
      'agents.a.limits.maxTurns: Too small: expected number to be >0',
    ]);
    expect(issuesOf({ ...base, agents: { a: { provider: 's', model: 'm', modelCall: { startToCloseTimeout: 'soon' } } } })[0]).toMatch(/^agents\.a\.modelCall\.startToCloseTimeout: /);
    expect(issuesOf({ ...base, agents: { a: { provider: 's', model: 'm', temprature: 1 } } })).toEqual(['agents.a: Unrecognized key: "temprature"']);
    expect(issuesOf({ ...base, agents: {}, providers: { o: { type: 'openai', baseURL: 'not a url' } } })[0]).toMatch(/^providers\.o\.baseURL: /);
    expect(issuesOf({ ...base, agents: {}, tools: [{ name: 'x' }] })).toEqual(['tools[0]: expected a tool made with defineTool()']);
  });

  it('validates MCP servers and the MCP tools agents name, by path', () => {
    const mcpServers = { fs: { command: 'mcp-fs', args: ['/data'] } };
    const config = validateConfig({ ...base, mcpServers, agents: { a: { provider: 's', model: 'm', tools: ['search', 'fs__read_file'], mcpServers: ['fs'] } } });
    expect(config.mcpServers.fs).toMatchObject({ command: 'mcp-fs', risk: 'medium', timeout: '60s' });
    expect(toolSpecsFor(config, agentSpec(config, 'a')).map((t) => t.name)).toEqual(['search']);
    expect(issuesOf({ ...base, mcpServers: { both: { command: 'x', url: 'http://127.0.0.1:1/mcp' }, none: {} }, agents: {} })).toEqual([
      'mcpServers.both: expected exactly one of "command" (stdio) or "url" (Streamable HTTP)',
      'mcpServers.none: expected exactly one of "command" (stdio) or "url" (Streamable HTTP)',
    ]);
    expect(issuesOf({ ...base, mcpServers: { 'bad__name': { command: 'x' } }, agents: {} })[0]).toMatch(/^mcpServers.bad__name: invalid name: MCP server names are letters, digits and "-"/);
    expect(issuesOf({ ...base, mcpServers, agents: { a: { provider: 's', model: 'm', tools: ['gh__issues'], mcpServers: ['github'] } } })).toEqual([
      'agents.a.tools[0]: unknown tool "gh__issues"; defined tools: search, or <server>__<tool> for MCP servers fs',
      'agents.a.mcpServers[0]: unknown MCP server "github"; configured MCP servers: fs',
    ]);
  });

  it('takes a PostgreSQL tool cache and content store, with the URL from the environment', () => {
    const config = validateConfig({ ...base, agents: {}, toolCache: { type: 'postgres' }, contentStore: { type: 'postgres', urlEnv: 'MY_DB' } });
    expect(config.toolCache).toEqual({ type: 'postgres', urlEnv: 'BATON_DATABASE_URL' });
    expect(validateConfig({ ...base, agents: {}, toolCache: { dir: 'x' } }).toolCache).toEqual({ type: 'file', dir: 'x' });
    expect(issuesOf({ ...base, agents: {}, toolCache: { type: 'redis' } })[0]).toMatch(/^toolCache: /);
    expect(() => openToolCache(config.toolCache, {})).toThrow(/BATON_DATABASE_URL: not set: the PostgreSQL connection string/);
  });

  it('rejects two tools with one name', () => {
    expect(issuesOf({ ...base, tools: [search, search], agents: {} })).toEqual(['tools[1]: tool "search" is defined twice']);
  });

  it('loads the repository\'s own baton.config.ts', async () => {
    const config = await loadConfig('baton.config.ts');
    expect(Object.keys(config.agents)).toEqual(['triage', 'trip-planner']);
  });
});
