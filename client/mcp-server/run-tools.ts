/** Tools that start and control runs: start_run, get_run, list_runs, cancel_run, send_message. */
import path from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { BatonAgent, BatonPattern, BatonStatus, UsageSchema } from '../../core';
import { loadWorkflowSpec } from '../../config/load-spec';
import { listQuery, displayStatus } from '../cli/commands/list';
import { McpUsageError, type McpContext } from './context';
import { oneLineErrors } from './errors';
import { reply } from './reply';
import { progressLine, RunSummarySchema, summarizeRun } from './run-summary';

/** A spec path inside the project; anything outside it is refused. */
export function specPathIn(projectDir: string, file: string): string {
  const full = path.resolve(projectDir, file);
  const relative = path.relative(projectDir, full);
  if (relative.startsWith('..') || path.isAbsolute(relative)) throw new McpUsageError(`spec ${file} is outside the project (${projectDir}); name a spec file inside it (see list_specs)`);
  return full;
}

/** Registers start_run, get_run, list_runs, cancel_run and send_message. */
export function registerRunTools(server: McpServer, ctx: McpContext): void {
  server.registerTool('start_run', {
    title: 'Start a Baton run',
    description: 'Start a run of a configured agent, of a workflow spec file (see list_specs), or a chat session with an agent (session: true; then use send_message). Returns the workflow id and its Temporal Web UI link; follow it with wait_for_run or get_run.',
    inputSchema: {
      agent: z.string().optional().describe('a configured agent (see list_agents)'),
      spec: z.string().optional().describe('a workflow spec file, relative to the project folder'),
      input: z.string().optional().describe('the input text (required for agents and specs)'),
      id: z.string().optional().describe('workflow id to use (default: baton-<name>-<random>)'),
      session: z.boolean().optional().describe('start a chat session with the agent instead of one run'),
    },
    outputSchema: { id: z.string(), runId: z.string(), webUrl: z.string(), kind: z.enum(['agent', 'spec', 'session']) },
  }, oneLineErrors(async ({ agent, spec, input, id, session }) => {
    if ((agent === undefined) === (spec === undefined)) throw new McpUsageError('give either agent or spec');
    const config = ctx.requireConfig();
    if (agent !== undefined && !Object.hasOwn(config.agents, agent)) throw new McpUsageError(`unknown agent "${agent}"; configured agents: ${Object.keys(config.agents).join(', ') || 'none'}`);
    if (session && spec !== undefined) throw new McpUsageError('a session is with an agent, not a spec');
    if (!session && input === undefined) throw new McpUsageError('missing input');
    // The spec is checked before connecting, so a bad file is reported even with no server.
    const resolved = spec !== undefined ? loadWorkflowSpec(specPathIn(ctx.projectDir, spec), config) : undefined;
    const baton = await ctx.baton();
    const options = { workflowId: id };
    const handle = resolved ? await baton.startSpec(resolved, input as string, options) : session ? await baton.startSession(agent as string, options) : await baton.startAgent(agent as string, input as string, options);
    const kind = resolved ? 'spec' : session ? 'session' : 'agent';
    const webUrl = ctx.uiUrl(handle.workflowId, handle.firstExecutionRunId);
    return reply(`Started ${handle.workflowId}\nWeb UI: ${webUrl}`, { id: handle.workflowId, runId: handle.firstExecutionRunId, webUrl, kind });
  }));

  server.registerTool('get_run', {
    title: 'Where a run is',
    description: 'Status, agent, turn, last step, usage, pending approvals, and the output or error of a run.',
    inputSchema: { id: z.string().describe('the workflow id') },
    outputSchema: RunSummarySchema.shape,
    annotations: { readOnlyHint: true },
  }, oneLineErrors(async ({ id }) => {
    const summary = await summarizeRun(await ctx.temporal(), id, (w, r) => ctx.uiUrl(w, r));
    const extra = [summary.output !== undefined ? `output: ${summary.output}` : '', summary.error ? `error: ${summary.error}` : '', summary.problem ? `problem: ${summary.problem}` : ''].filter(Boolean);
    return reply([`${summary.id}: ${progressLine(summary)}`, ...extra, `web ui: ${summary.webUrl}`].join('\n'), summary);
  }));

  server.registerTool('list_runs', {
    title: 'List Baton runs',
    description: 'Recent top-level Baton runs, newest first, filtered as `baton list` does.',
    inputSchema: {
      agent: z.string().optional(),
      status: z.enum(['running', 'waiting_approval', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out', 'continued_as_new']).optional(),
      limit: z.number().int().min(1).max(200).default(20),
    },
    outputSchema: { runs: z.array(z.object({ id: z.string(), agent: z.string().optional(), pattern: z.string().optional(), status: z.string(), started: z.string() })) },
    annotations: { readOnlyHint: true },
  }, oneLineErrors(async ({ agent, status, limit }) => {
    const client = await ctx.temporal();
    const runs: Array<{ id: string; agent?: string; pattern?: string; status: string; started: string }> = [];
    for await (const run of client.workflow.list({ query: listQuery({ agent, status }), pageSize: limit })) {
      const attrs = run.typedSearchAttributes;
      runs.push({ id: run.workflowId, agent: attrs.get(BatonAgent), pattern: attrs.get(BatonPattern), status: displayStatus(run.status.name, attrs.get(BatonStatus)), started: run.startTime.toISOString() });
      if (runs.length >= limit) break;
    }
    const text = runs.length ? runs.map((r) => `${r.id} · ${r.agent ?? r.pattern ?? '-'} · ${r.status} · ${r.started}`).join('\n') : 'no Baton runs found';
    return reply(text, { runs });
  }));

  server.registerTool('cancel_run', {
    title: 'Cancel a run',
    description: 'Request cancellation of a run; its in-flight model and tool calls are cancelled and it ends as cancelled.',
    inputSchema: { id: z.string() },
    outputSchema: { id: z.string(), requested: z.boolean() },
    annotations: { destructiveHint: true },
  }, oneLineErrors(async ({ id }) => {
    await (await ctx.temporal()).workflow.getHandle(id).cancel();
    return reply(`cancellation requested for ${id}`, { id, requested: true });
  }));

  server.registerTool('send_message', {
    title: 'Send a message to a session',
    description: 'Send one user message to a chat session (start one with start_run and session: true) and wait for the agent\'s reply.',
    inputSchema: { id: z.string().describe('the session\'s workflow id'), text: z.string().min(1) },
    outputSchema: { id: z.string(), turn: z.number(), agent: z.string(), reply: z.string(), usage: UsageSchema },
  }, oneLineErrors(async ({ id, text }) => {
    const baton = await ctx.baton();
    const answer = await baton.sendMessage(id, text);
    return reply(`${answer.agent}: ${answer.reply}`, { id, ...answer });
  }));
}
