import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import { searchTools } from '../core';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv } from './helpers/temporal';

afterAll(closeTestEnv);

const tool = (name: string, description: string) => defineTool({ name, description, input: z.object({ city: z.string().optional() }), execute: ({ city }) => `${name}(${city ?? ''})` });
const catalogue = [
  tool('get_weather', 'Current weather and temperature for a city'),
  tool('convert_currency', 'Converts an amount between currencies'),
  tool('book_flight', 'Books a flight between two cities'),
  tool('weather_alerts', 'Severe weather alerts for a region'),
];

describe('tool discovery', () => {
  it('ranks tools by name and description matches', () => {
    expect(searchTools(catalogue.map((t) => t.spec), 'weather in a city').map((t) => t.name)).toEqual(['get_weather', 'weather_alerts']);
    expect(searchTools(catalogue.map((t) => t.spec), 'xyz')).toEqual([]);
  });

  it('gives a tool_search agent only tool_search at first, then the tools it finds', async () => {
    const model = new ScriptedModel([
      { reply: { toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }, { name: 'tool_search', arguments: { query: 'current weather' } }] } },
      { reply: { toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] } },
      { reply: { text: 'done' } },
    ]);
    const baton = await startTestBaton({ models: { scripted: model }, tools: catalogue, agents: { planner: { provider: 'scripted', model: 's', tools: catalogue.map((t) => t.spec.name), toolSearch: true } } });
    const result = await baton.run(async () => (await baton.client.startAgent('planner', 'weather in Oslo?')).result());
    expect(result.output).toBe('done');
    expect(model.calls[0]?.tools.map((t) => t.name)).toEqual(['tool_search']);
    const first = model.calls[1]?.messages.filter((m) => m.role === 'tool');
    expect(first?.[0]).toMatchObject({ name: 'get_weather', isError: true, content: 'Unknown tool "get_weather". Available tools: none.' });
    expect(JSON.parse(first?.[1]?.content ?? '{}').added.map((t: { name: string }) => t.name)).toEqual(['get_weather', 'weather_alerts']);
    expect(model.calls[1]?.tools.map((t) => t.name)).toEqual(['get_weather', 'weather_alerts', 'tool_search']);
    expect(model.calls[2]?.messages.at(-1)).toMatchObject({ name: 'get_weather', isError: false, content: 'get_weather(Oslo)' });
  });

  it('lists, describes and searches the configured tools from the CLI', () => {
    const config = path.join(__dirname, '..', 'examples', 'patterns', 'baton.config.ts');
    const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'client/cli/main.ts', '--config', config, 'tools', ...args], { cwd: path.join(__dirname, '..'), encoding: 'utf8' });
    expect(cli('list').stdout).toMatch(/issue_refund\s+typescript\s+high\s+report\s+Refunds an invoice/);
    expect(JSON.parse(cli('describe', 'lookup_invoice').stdout)).toMatchObject({ name: 'lookup_invoice', inputSchema: { properties: { invoiceId: { type: 'string' } } } });
    expect(cli('search', 'refund').stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['issue_refund']);
    const missing = cli('describe', 'nope');
    expect(missing.status).toBe(2);
  });
});
