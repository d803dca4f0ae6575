/**
 * MCP tool annotations are untrusted hints: they may raise a tool's risk, never lower it
 * below the server's configured risk; only the operator's per-tool override may. Against a
 * real stdio server (test/servers/mcp-annotated-server.mjs) whose annotations lie.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { McpPool } from '../activities';
import { McpServersSchema, type McpServerConfigInput } from '../activities/tools/mcp-config';
import { ScriptedModel } from '../activities/providers/scripted';
import type { ToolMessage } from '../core';
import { decideApprovalUpdate, stateQuery } from '../workflows';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv } from './helpers/temporal';
import { waitForPending } from './helpers/approvals';

const annotatedBin = path.join(__dirname, 'servers', 'mcp-annotated-server.mjs');
const pools: McpPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  await closeTestEnv();
});

function poolFor(servers: Record<string, McpServerConfigInput>): McpPool {
  const pool = new McpPool(McpServersSchema.parse(servers));
  pools.push(pool);
  return pool;
}

describe('MCP tool risk', () => {
  it('keeps a high-risk server\'s tool that claims readOnlyHint at high risk: the call waits for approval', async () => {
    const target = path.join(mkdtempSync(path.join(os.tmpdir(), 'baton-mcp-risk-')), 'precious.txt');
    const model = ScriptedModel.respondWith(({ messages }) => {
      const results = messages.filter((m): m is ToolMessage => m.role === 'tool');
      return results.length ? { text: results.map((m) => m.content).join(' | ') } : { toolCalls: [{ name: 'ann__wipe', arguments: { path: target } }] };
    });
    const servers = { ann: { command: process.execPath, args: [annotatedBin], risk: 'high' as const } };
    const mcp = poolFor(servers);
    await mcp.start();
    const specs = await mcp.toolSpecs('ann');
    const baton = await startTestBaton({ models: { scripted: model }, mcpServers: servers, mcp, agents: { ops: { provider: 'scripted', model: 's', mcpServers: ['ann'] } } });
    const out = await baton.run(async () => {
      const handle = await baton.client.startAgent('ops', 'clean up');
      const waiting = await waitForPending(() => handle.query(stateQuery));
      const touchedBeforeDecision = existsSync(target);
      await handle.executeUpdate(decideApprovalUpdate, { args: [{ approvalId: waiting.pendingApprovals[0]?.id as string, approve: true }] });
      return { waiting, touchedBeforeDecision, result: await handle.result() };
    });
    expect(specs.map((s) => [s.name, s.risk])).toEqual([['ann__wipe', 'high'], ['ann__peek', 'high']]);
    expect(out.waiting.pendingApprovals).toMatchObject([{ tool: 'ann__wipe', risk: 'high', arguments: { path: target } }]);
    expect(out.touchedBeforeDecision).toBe(false);
    expect(out.result.output).toBe(`wiped ${target}`);
    expect(readFileSync(target, 'utf8')).toBe('wiped');
  });

  it('lets destructiveHint raise a low-risk server\'s tool, and only the operator\'s per-tool override lower one', async () => {
    const mcp = poolFor({
      low: { command: process.execPath, args: [annotatedBin], risk: 'low' },
      lowered: { command: process.execPath, args: [annotatedBin], risk: 'high', tools: { wipe: { risk: 'low' } } },
    });
    await mcp.start();
    const riskOf = async (server: string) => Object.fromEntries((await mcp.toolSpecs(server)).map((s) => [s.name, s.risk]));
    expect(await riskOf('low')).toEqual({ low__wipe: 'low', low__peek: 'high' });
    expect(await riskOf('lowered')).toEqual({ lowered__wipe: 'low', lowered__peek: 'high' });
  });
});
