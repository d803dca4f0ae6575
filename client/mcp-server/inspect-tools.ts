/** Tools that read a run's history: inspect_run, get_transcript, replay_run. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { inspectRun } from '../inspect';
import { renderTree } from '../inspect-render';
import { replayRun } from '../ops/replay';
import type { McpContext } from './context';
import { oneLineErrors } from './errors';
import { reply } from './reply';
import { buildTranscript, TranscriptMessageSchema } from './transcript';

/** The inspected run as JSON (`baton inspect --json`): steps nest model calls, tool calls, approvals and child runs. */
const RunNodeSchema = z.looseObject({
  workflowId: z.string(),
  runId: z.string().optional(),
  type: z.string(),
  status: z.string(),
  turns: z.number(),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number(), modelCalls: z.number(), toolCalls: z.number() }),
  agents: z.array(z.string()),
  output: z.string().optional(),
  error: z.string().optional(),
  problem: z.string().optional(),
  steps: z.array(z.looseObject({ kind: z.string() })),
});

/** Registers inspect_run, get_transcript and replay_run. */
export function registerInspectTools(server: McpServer, ctx: McpContext): void {
  server.registerTool('inspect_run', {
    title: 'Inspect a run as a tree',
    description: 'The run as `baton inspect` prints it, read from its history and its child runs\': model calls (turn, tokens, duration), tool calls, hand-offs, approvals, timers, child runs, output or error.',
    inputSchema: { id: z.string(), depth: z.number().int().min(0).max(10).default(5).describe('levels of child runs to include') },
    outputSchema: { tree: z.string(), run: RunNodeSchema, webUrl: z.string() },
    annotations: { readOnlyHint: true },
  }, oneLineErrors(async ({ id, depth }) => {
    const run = await inspectRun(await ctx.temporal(), id, { maxDepth: depth });
    const tree = renderTree(run);
    const webUrl = ctx.uiUrl(run.workflowId, run.runId);
    return reply(`${tree}\nweb ui: ${webUrl}`, { tree, run: JSON.parse(JSON.stringify(run)) as Record<string, unknown>, webUrl });
  }));

  server.registerTool('get_transcript', {
    title: 'Read a run\'s conversation',
    description: 'The conversation of a run as readable messages (user, assistant with its agent and tool calls, tool results), with content-store references resolved where the store is reachable. A workflow-spec run shows its child runs\' conversations.',
    inputSchema: { id: z.string() },
    outputSchema: { id: z.string(), messages: z.array(TranscriptMessageSchema) },
    annotations: { readOnlyHint: true },
  }, oneLineErrors(async ({ id }) => {
    const messages = await buildTranscript(await ctx.temporal(), id, ctx.contentStore());
    const text = messages.map((m) => {
      const who = m.role === 'assistant' ? `assistant${m.agent ? ` (${m.agent})` : ''}` : m.role === 'tool' ? `tool ${m.tool ?? ''}` : m.role;
      const calls = (m.toolCalls ?? []).map((c) => ` → ${c.name}(${JSON.stringify(c.arguments)})`).join('');
      return `${who}: ${m.text}${calls}`;
    });
    return reply(text.join('\n') || `${id} has no messages yet`, { id, messages });
  }));

  server.registerTool('replay_run', {
    title: 'Replay a run against this checkout\'s workflow code',
    description: 'Replays the run\'s history (and its child runs\' with children: true) against the workflow code of this project: says whether it replays cleanly, or where it diverged. Use before deploying a workflow change while runs are open.',
    inputSchema: { id: z.string(), children: z.boolean().default(false) },
    outputSchema: { ok: z.boolean(), outcomes: z.array(z.object({ workflowId: z.string(), runId: z.string(), ok: z.boolean(), error: z.string().optional(), eventId: z.number().optional() })) },
    annotations: { readOnlyHint: true },
  }, oneLineErrors(async ({ id, children }) => {
    const outcomes = await replayRun(await ctx.temporal(), id, { children });
    const ok = outcomes.every((o) => o.ok);
    const text = outcomes.map((o) => (o.ok ? `${o.workflowId} (${o.runId}): replays cleanly` : `${o.workflowId} (${o.runId}): does not replay${o.eventId ? ` — diverged at event ${o.eventId}` : ''}: ${o.error ?? ''}`));
    return reply(text.join('\n'), { ok, outcomes: outcomes.map((o) => JSON.parse(JSON.stringify(o)) as typeof o) });
  }));
}
