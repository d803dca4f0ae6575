/**
 * `wait_for_run`: waits for a run up to a timeout, sending an MCP progress notification each
 * time the run's progress line changes (when the client gave a progress token), and the
 * agents' text as it streams, in batches (./text-progress.ts). A run that
 * waits for approval is put to the user through elicitation when the client supports it;
 * otherwise the tool returns at once with the pending approvals, for `decide_approval`.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { McpContext } from './context';
import { oneLineErrors } from './errors';
import { reply } from './reply';
import { progressLine, RunSummarySchema, summarizeRun, type RunSummary } from './run-summary';
import { DecisionSchema, describeDecision, type Decision } from './approvals';
import { askForApproval, canElicit } from './ask-approval';
import { followTextProgress } from './text-progress';
import { sleepUnlessAborted } from '../sleep';

const pollMs = 300;

/** The structured content of `wait_for_run`. */
export const WaitResultSchema = RunSummarySchema.extend({
  finished: z.boolean().describe('the run closed (completed, failed, cancelled, ...)'),
  waitingForApproval: z.boolean().describe('returned early: the run waits for a decision (call decide_approval)'),
  timedOut: z.boolean(),
  decisions: z.array(DecisionSchema).describe('approvals decided through the IDE while waiting'),
});

function finalText(summary: RunSummary, decisions: Decision[], note: string): string {
  const lines = [...decisions.map(describeDecision), `${summary.id}: ${progressLine(summary)}`, note];
  if (summary.output !== undefined) lines.push(`output: ${summary.output}`);
  if (summary.error) lines.push(`error: ${summary.error}`);
  return lines.filter(Boolean).join('\n');
}

/** Registers wait_for_run. */
export function registerWaitTool(server: McpServer, ctx: McpContext): void {
  server.registerTool('wait_for_run', {
    title: 'Wait for a run',
    description: 'Wait until a run finishes, at most timeoutSeconds, with a progress notification for each step. When the run waits for approval, asks you to decide (if your client supports elicitation) or returns the pending approvals so decide_approval can be called.',
    inputSchema: { id: z.string(), timeoutSeconds: z.number().min(1).max(3600).default(50).describe('give up waiting after this long (the run goes on)') },
    outputSchema: WaitResultSchema.shape,
    annotations: { readOnlyHint: false },
  }, oneLineErrors(async ({ id, timeoutSeconds }, extra) => {
    const client = await ctx.temporal();
    const handle = client.workflow.getHandle(id);
    const deadline = Date.now() + timeoutSeconds * 1000;
    const token = extra._meta?.progressToken;
    const decisions: Decision[] = [];
    const asked = new Set<string>();
    let last = '';
    let progress = 0;
    const notify = (message: string) => extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token as string | number, progress: ++progress, message } });
    // The agents' text as it streams, batched into progress notifications beside the step lines.
    const text = token !== undefined ? followTextProgress(client, id, notify) : undefined;
    let finishedRun = false;
    try {
      return await waitLoop();
    } finally {
      await text?.stop(finishedRun);
    }

    async function waitLoop() {
      for (;;) {
        const description = await handle.describe();
        const summary = await summarizeRun(client, id, (w, r) => ctx.uiUrl(w, r), description);
        const finished = description.status.name !== 'RUNNING';
        const line = progressLine(summary);
        if (line !== last && token !== undefined) {
          await notify(line);
        }
        last = line;
        const result = (flags: { waitingForApproval?: boolean; timedOut?: boolean }, note: string) =>
          reply(finalText(summary, decisions, note), { ...summary, finished, waitingForApproval: flags.waitingForApproval ?? false, timedOut: flags.timedOut ?? false, decisions });
        if (finished) {
          finishedRun = true;
          return result({}, '');
        }
        const key = (p: { id: string; runId?: string }) => `${p.runId ?? id}/${p.id}`;
        const unasked = summary.pendingApprovals.filter((p) => !asked.has(key(p)));
        if (unasked.length && canElicit(server)) {
          for (const pending of unasked) {
            asked.add(key(pending));
            const decision = await askForApproval(server, client, id, pending, extra.signal).catch(() => undefined);
            if (decision) decisions.push(decision);
          }
          continue;
        }
        if (summary.pendingApprovals.length) {
          return result({ waitingForApproval: true }, `waiting for approval: decide with decide_approval: ${summary.pendingApprovals.map((p) => `{ id: ${p.runId ?? id}, approvalId: ${p.id} }`).join(', ')}`);
        }
        if (Date.now() >= deadline || extra.signal.aborted) return result({ timedOut: true }, `still running after ${timeoutSeconds}s; call wait_for_run again to keep waiting`);
        await sleepUnlessAborted(Math.min(pollMs, Math.max(0, deadline - Date.now())), extra.signal);
      }
    }
  }));
}
