/**
 * Subscriptions to run resources: while a client is subscribed to `baton://runs/{id}` or
 * `baton://runs/{id}/transcript`, the run is polled once a second and every change of its
 * status, turn, last step, pending approvals, output or error sends
 * `notifications/resources/updated`. Watching stops when the run closes (after telling the
 * client), on unsubscribe, and when the session ends.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { McpContext } from './context';
import { summarizeRun, type RunSummary } from './run-summary';

const pollMs = 1000;
const closedStatuses = new Set(['completed', 'failed', 'cancelled', 'terminated', 'timed_out', 'continued_as_new']);

/** The run a resource URI names, or undefined for anything that is not a run resource. */
export function runOfUri(uri: string): string | undefined {
  const match = /^baton:\/\/runs\/([^/]+)(\/transcript)?$/.exec(uri);
  return match ? decodeURIComponent(match[1] as string) : undefined;
}

/** What a subscriber is told about: a change of any of these. */
const fingerprint = (s: RunSummary) => JSON.stringify([s.runId, s.status, s.turn, s.lastStep, s.pendingApprovals.map((p) => p.id), s.output, s.error, s.problem]);

/** Answers resources/subscribe and resources/unsubscribe for run resources (the capability is declared by the server). */
export function enableRunSubscriptions(server: McpServer, ctx: McpContext): void {
  const watches = new Map<string, AbortController>();
  const summarize = (id: string) => ctx.temporal().then((client) => summarizeRun(client, id, (w, r) => ctx.uiUrl(w, r))).catch(() => undefined);
  const watch = async (uri: string, id: string, signal: AbortSignal, first: RunSummary | undefined) => {
    let last = first && fingerprint(first);
    let closed = first !== undefined && closedStatuses.has(first.status);
    while (!closed && !signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      const summary = signal.aborted ? undefined : await summarize(id);
      if (signal.aborted) break;
      if (!summary) continue;
      const now = fingerprint(summary);
      if (last !== undefined && now !== last) await server.server.sendResourceUpdated({ uri }).catch(() => undefined);
      last = now;
      closed = closedStatuses.has(summary.status);
    }
    watches.delete(uri);
  };
  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    const { uri } = request.params;
    const id = runOfUri(uri);
    if (id === undefined) throw new McpError(ErrorCode.InvalidParams, `only run resources (baton://runs/{id}, baton://runs/{id}/transcript) can be subscribed to, not ${uri}`);
    if (!watches.has(uri)) {
      const controller = new AbortController();
      watches.set(uri, controller);
      // The first look is taken before answering, so every change after the subscription is told.
      void watch(uri, id, controller.signal, await summarize(id));
    }
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    watches.get(request.params.uri)?.abort();
    watches.delete(request.params.uri);
    return {};
  });
  const previous = server.server.onclose;
  server.server.onclose = () => {
    for (const controller of watches.values()) controller.abort();
    watches.clear();
    previous?.();
  };
}
