/** Resources: `baton://runs/{id}` (the run's summary, JSON) and `baton://runs/{id}/transcript` (markdown). */
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { McpContext } from './context';
import { oneLineErrors } from './errors';
import { summarizeRun } from './run-summary';
import { buildTranscript, transcriptMarkdown } from './transcript';

/** Registers the run summary and transcript resource templates. */
export function registerRunResources(server: McpServer, ctx: McpContext): void {
  server.registerResource('run', new ResourceTemplate('baton://runs/{id}', { list: undefined }), {
    title: 'A Baton run',
    description: 'Status, agent, turn, last step, usage, pending approvals, output or error of a run (JSON)',
    mimeType: 'application/json',
  }, oneLineErrors(async (uri, { id }) => {
    const summary = await summarizeRun(await ctx.temporal(), decodeURIComponent(String(id)), (w, r) => ctx.uiUrl(w, r));
    return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(summary, null, 2) }] };
  }));
  server.registerResource('transcript', new ResourceTemplate('baton://runs/{id}/transcript', { list: undefined }), {
    title: 'A Baton run\'s transcript',
    description: 'The conversation of a run as markdown',
    mimeType: 'text/markdown',
  }, oneLineErrors(async (uri, { id }) => {
    const runId = decodeURIComponent(String(id));
    const messages = await buildTranscript(await ctx.temporal(), runId, ctx.contentStore());
    return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: transcriptMarkdown(runId, messages) }] };
  }));
}
