/**
 * MCP servers as tool sources, against real MCP servers from npm (server-everything over
 * stdio and Streamable HTTP, server-filesystem over stdio) and one of our own that
 * crashes on purpose and changes its tool list while running.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { McpPool } from '../activities';
import { McpServersSchema, type McpServerConfigInput } from '../activities/tools/mcp-config';
import { ScriptedModel } from '../activities/providers/scripted';
import type { ToolMessage } from '../core';
import { stateQuery } from '../workflows';
import { startTestBaton } from './helpers/baton';
import { specFor } from './helpers/spec';
import { closeTestEnv } from './helpers/temporal';
import { freePort } from '../devtools/ephemeral-server';

const everythingBin = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
const filesystemBin = require.resolve('@modelcontextprotocol/server-filesystem/dist/index.js');
const crashyBin = path.join(__dirname, 'servers', 'mcp-crashy-server.mjs');

const pools: McpPool[] = [];
const processes: ChildProcess[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  for (const child of processes) child.kill();
  await closeTestEnv();
});

function poolFor(servers: Record<string, McpServerConfigInput>, env: NodeJS.ProcessEnv = process.env, log?: (line: string) => void): McpPool {
  const pool = new McpPool(McpServersSchema.parse(servers), env, log);
  pools.push(pool);
  return pool;
}


/** Starts server-everything's Streamable HTTP transport on a free loopback port. */
async function startHttpEverything(): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, [everythingBin, 'streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  processes.push(child);
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/listening on port/i.test(output)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server-everything exited (${code}): ${output}`)));
    setTimeout(() => reject(new Error(`server-everything did not start: ${output}`)), 15_000);
  });
  return `http://127.0.0.1:${port}/mcp`;
}

const toolResults = (messages: readonly { role: string }[]) => messages.filter((m): m is ToolMessage => m.role === 'tool');

describe('MCP servers as tools', () => {
  it('offers stdio servers\' tools as <server>__<tool> with their schemas, within each agent\'s allowlist, over one pooled connection', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-mcp-fs-'));
    writeFileSync(path.join(dir, 'notes.txt'), 'owls are birds');
    const model = ScriptedModel.respondWith(({ messages }) => {
      const results = toolResults(messages);
      if (results.length) return { text: results.map((m) => `${m.isError ? 'ERROR ' : ''}${m.content}`).join(' | ') };
      return {
        toolCalls: [
          { name: 'everything__echo', arguments: { message: 'hi' } },
          { name: 'everything__get-sum', arguments: { a: 2, b: 3 } },
          { name: 'fs__read_text_file', arguments: { path: path.join(dir, 'notes.txt') } },
          { name: 'fs__write_file', arguments: { path: path.join(dir, 'notes.txt'), content: 'overwritten' } },
          { name: 'everything__get-sum', arguments: { a: 'two', b: 3 } },
        ],
      };
    });
    const servers = { everything: { command: process.execPath, args: [everythingBin, 'stdio'] }, fs: { command: process.execPath, args: [filesystemBin, dir] } };
    const mcp = poolFor(servers);
    await mcp.start();
    const baton = await startTestBaton({
      models: { scripted: model },
      mcpServers: servers,
      mcp,
      agents: { helper: { provider: 'scripted', model: 's', mcpServers: ['everything'], tools: ['fs__read_text_file'] } },
    });
    const { first, second, state } = await baton.run(async () => {
      const handle = await baton.client.startAgent('helper', 'use your tools');
      const first = await handle.result();
      const state = await handle.query(stateQuery);
      const second = await baton.client.startAgent('helper', 'again').then((h) => h.result());
      return { first, second, state };
    });
    const parts = first.output.split(' | ');
    expect(parts[0]).toContain('Echo: hi');
    expect(parts[1]).toMatch(/sum of 2 and 3 is 5/i);
    expect(parts[2]).toContain('owls are birds');
    expect(parts[3]).toBe('ERROR Unknown tool "fs__write_file". Available tools: ' + model.calls[0]?.tools.map((t) => t.name).join(', ') + '.');
    expect(parts[4]).toMatch(/^ERROR Invalid arguments for everything__get-sum: \/a must be number/);
    expect(second.output).toBe(first.output);
    expect(readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('owls are birds');
    expect(state.refusedCalls).toEqual([{ agent: 'helper', tool: 'fs__write_file', turn: 1 }]);
    const offered = model.calls[0]?.tools ?? [];
    expect(offered.map((t) => t.name)).toContain('fs__read_text_file');
    expect(offered.map((t) => t.name)).toContain('everything__echo');
    expect(offered.some((t) => t.name.startsWith('fs__') && t.name !== 'fs__read_text_file')).toBe(false);
    expect(offered.find((t) => t.name === 'everything__get-sum')?.inputSchema).toMatchObject({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } });
    expect(Object.fromEntries(mcp.connects)).toEqual({ everything: 1, fs: 1 });
  });

  it('runs MCP tools in a declarative tool plan, feeding one result into the next', async () => {
    const servers = { everything: { command: process.execPath, args: [everythingBin, 'stdio'] } };
    const mcp = poolFor(servers);
    await mcp.start();
    const baton = await startTestBaton({ models: { scripted: new ScriptedModel([]) }, mcpServers: servers, mcp, agents: {} });
    const plan = (steps: unknown[]) => ({ kind: 'tools', plan: { steps } });
    const spec = specFor(baton, 'mcp-plan', plan([
      { id: 'sum', tool: 'everything__get-sum', args: { a: 2, b: 3 } },
      { id: 'echo', tool: 'everything__echo', args: { message: 'said: {{steps.sum.result}}' } },
    ]));
    // A server that is not configured is refused before anything starts; a tool the server lacks fails the step by name.
    expect(() => specFor(baton, 'nowhere', plan([{ id: 'x', tool: 'nowhere__x' }]))).toThrow(/steps\.plan\.steps\[0\]\.tool: unknown tool "nowhere__x"/);
    const missing = specFor(baton, 'missing', plan([{ id: 'x', tool: 'everything__no-such-tool' }]));
    const { result, err } = await baton.run(async () => ({
      result: await (await baton.client.startSpec(spec, '')).result(),
      err: await (await baton.client.startSpec(missing, '')).result().catch((e: unknown) => e),
    }));
    const outcomes = result.structured as Record<string, { ok: boolean; result?: unknown }>;
    expect(outcomes.sum).toEqual({ ok: true, result: expect.stringMatching(/sum of 2 and 3 is 5/i) });
    expect(outcomes.echo).toEqual({ ok: true, result: expect.stringMatching(/^Echo: said: .*sum of 2 and 3 is 5/i) });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(String((err as WorkflowFailedError).cause?.message)).toMatch(/unknown tool "everything__no-such-tool"/);
  });

  it('calls a Streamable HTTP server, with headers from the worker\'s environment', async () => {
    const url = await startHttpEverything();
    const model = ScriptedModel.respondWith(({ messages }) => {
      const results = toolResults(messages);
      return results.length ? { text: results[0]?.content ?? '' } : { toolCalls: [{ name: 'remote__echo', arguments: { message: 'over http' } }] };
    });
    const servers = { remote: { url, headers: { Authorization: 'Bearer ${BATON_TEST_MCP_TOKEN}' } } };
    const mcp = poolFor(servers, { BATON_TEST_MCP_TOKEN: 'secret-token' });
    const baton = await startTestBaton({ models: { scripted: model }, mcpServers: servers, mcp, agents: { web: { provider: 'scripted', model: 's', tools: ['remote__echo'] } } });
    const { result, history } = await baton.run(async () => {
      const handle = await baton.client.startAgent('web', 'echo over http');
      return { result: await handle.result(), history: JSON.stringify(await handle.fetchHistory()) };
    });
    expect(result.output).toBe('Echo: over http');
    expect(model.calls[0]?.tools.map((t) => t.name)).toEqual(['remote__echo']);
    expect(history).not.toContain('secret-token');
    await expect(poolFor(servers, {}).toolSpecs('remote')).rejects.toThrow(/needs the environment variable BATON_TEST_MCP_TOKEN/);
  });

  it('reconnects to a server that crashed and retries the call; reports tool errors; picks up tool-list changes', async () => {
    const marker = path.join(mkdtempSync(path.join(os.tmpdir(), 'baton-mcp-crash-')), 'crashed');
    const model = ScriptedModel.respondWith(({ messages, agent }) => {
      const results = toolResults(messages);
      if (results.length) return { text: results.map((m) => `${m.isError ? 'ERROR ' : ''}${m.content}`).join(' | ') };
      if (messages.some((m) => m.role === 'user' && m.content === 'greet')) return { toolCalls: [{ name: 'crashy__greet', arguments: { who: 'Ada' } }] };
      return {
        toolCalls: [
          { name: 'crashy__crash_once', arguments: { marker } },
          { name: 'crashy__refuse', arguments: { why: `no (${agent.name})` } },
        ],
      };
    });
    const adder = ScriptedModel.respondWith(({ messages }) => (toolResults(messages).length ? { text: 'done' } : { toolCalls: [{ name: 'crashy__add_tool', arguments: { name: 'greet' } }] }));
    const servers = { crashy: { command: process.execPath, args: [crashyBin], retry: { maximumAttempts: 3, initialInterval: '200ms' } } };
    const logs: string[] = [];
    const mcp = poolFor(servers, process.env, (line) => logs.push(line));
    await mcp.start();
    const baton = await startTestBaton({
      models: { scripted: model, adder },
      mcpServers: servers,
      mcp,
      agents: { user: { provider: 'scripted', model: 's', mcpServers: ['crashy'] }, admin: { provider: 'adder', model: 's', tools: ['crashy__add_tool'] } },
    });
    const out = await baton.run(async () => {
      const handle = await baton.client.startAgent('user', 'crash please');
      const crashed = await handle.result();
      const attempts = (await handle.fetchHistory()).events?.flatMap((e) => (e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt ?? 1] : [])) ?? [];
      const before = model.calls.at(-1)?.tools.map((t) => t.name) ?? [];
      await baton.client.startAgent('admin', 'add a greeter').then((h) => h.result());
      const deadline = Date.now() + 30_000;
      while (!(await mcp.toolSpecs('crashy')).some((t) => t.name === 'crashy__greet') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const greeted = await baton.client.startAgent('user', 'greet').then((h) => h.result());
      return { crashed, attempts, before, greeted };
    });
    expect(existsSync(marker)).toBe(true);
    expect(out.crashed.output).toMatch(/^survived \(pid \d+\) \| ERROR refused: no \(user\)$/);
    expect(out.crashed.output).not.toContain(`pid ${readFileSync(marker, 'utf8')})`);
    expect(Math.max(...out.attempts)).toBe(2);
    expect(mcp.connects.get('crashy')).toBe(2);
    expect(logs.some((l) => /mcp crashy: connection lost/.test(l))).toBe(true);
    expect(out.before).not.toContain('crashy__greet');
    expect(out.greeted.output).toBe('hello Ada from greet');
    expect(logs.some((l) => /mcp crashy: tool list changed/.test(l))).toBe(true);
  });

  it('reports a server that is down at start without stopping the other servers\' tools', async () => {
    const closedPort = await freePort();
    const servers = {
      down: { url: `http://127.0.0.1:${closedPort}/mcp`, connectTimeout: '2s' },
      broken: { command: process.execPath, args: ['-e', 'console.error("boom: GITHUB_TOKEN is not set"); process.exit(3)'] },
      everything: { command: process.execPath, args: [everythingBin, 'stdio'] },
    };
    const logs: string[] = [];
    const mcp = poolFor(servers, process.env, (line) => logs.push(line));
    const started = await mcp.start();
    expect(started.find((s) => s.server === 'down')?.error).toMatch(/cannot connect to MCP server "down" \(http:\/\/127\.0\.0\.1:\d+\/mcp\)/);
    expect(started.find((s) => s.server === 'broken')?.error).toMatch(/cannot connect to MCP server "broken" .*\[server stderr: boom: GITHUB_TOKEN is not set\]/);
    expect(started.find((s) => s.server === 'everything')?.tools).toBeGreaterThan(0);
    expect(logs.some((l) => /mcp down: unavailable/.test(l))).toBe(true);
    const model = ScriptedModel.respondWith(({ messages }) => {
      const results = toolResults(messages);
      return results.length ? { text: results[0]?.content ?? '' } : { toolCalls: [{ name: 'everything__echo', arguments: { message: 'still here' } }] };
    });
    const baton = await startTestBaton({
      models: { scripted: model },
      mcpServers: servers,
      mcp,
      agents: { ok: { provider: 'scripted', model: 's', tools: ['everything__echo'] }, stuck: { provider: 'scripted', model: 's', mcpServers: ['down'] } },
    });
    const { ok, stuck } = await baton.run(async () => ({
      ok: await baton.client.startAgent('ok', 'echo').then((h) => h.result()),
      stuck: await baton.client.startAgent('stuck', 'anything').then((h) => h.result()).catch((err: unknown) => err),
    }));
    expect(ok.output).toBe('Echo: still here');
    expect(stuck).toBeInstanceOf(WorkflowFailedError);
    expect(String((stuck as WorkflowFailedError).cause?.message)).toMatch(/cannot list the tools of MCP servers down: .*cannot connect to MCP server "down"/);
  });

  it('lists MCP tools with their source and risk in `baton tools`, naming a server that is down', async () => {
    const config = path.join(mkdtempSync(path.join(os.tmpdir(), 'baton-mcp-cli-')), 'baton.config.ts');
    const down = `http://127.0.0.1:${await freePort()}/mcp`;
    writeFileSync(config, `export default ${JSON.stringify({
      providers: { local: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1' } },
      agents: { helper: { provider: 'local', model: 's', mcpServers: ['everything'] } },
      mcpServers: { everything: { command: process.execPath, args: [everythingBin, 'stdio'], tools: { echo: { risk: 'high' } } }, down: { url: down, connectTimeout: '2s' } },
    })};\n`);
    const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'client/cli/main.ts', '--config', config, 'tools', ...args], { cwd: path.join(__dirname, '..'), encoding: 'utf8' });
    const list = cli('list');
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/everything__echo\s+mcp:everything\s+high\s+report\s+Echoes back the input/);
    // get-sum declares readOnlyHint; annotations never lower a tool below its server's risk (default medium).
    expect(list.stdout).toMatch(/everything__get-sum\s+mcp:everything\s+medium\s/);
    expect(list.stderr).toMatch(/mcp down: unavailable \(cannot connect to MCP server "down"/);
    expect(JSON.parse(cli('describe', 'everything__get-sum').stdout)).toMatchObject({ source: 'mcp:everything', inputSchema: { properties: { a: { type: 'number' } } } });
  });
});
