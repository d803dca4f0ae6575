/** The shape every tool returns: readable text for the model, the same facts as structured content. */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** A tool result with `text` and `structured` (which must match the tool's output schema). */
export function reply(text: string, structured: Record<string, unknown>): CallToolResult & { structuredContent: Record<string, unknown> } {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}
