/** Finding tools by words, for `baton tools search` and the agents' `tool_search` tool. Sandbox-safe. */
import type { ToolSpec } from './tool-spec';

const words = (text: string) => text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 1);

/** Tools ranked by how many query words their name and description contain (name hits count double). */
export function searchTools(tools: ToolSpec[], query: string, limit = 5): ToolSpec[] {
  const wanted = [...new Set(words(query))];
  const scored = tools.map((tool) => {
    const name = words(tool.name.replace(/_/g, ' '));
    const text = new Set([...name, ...words(tool.description)]);
    const score = wanted.reduce((sum, w) => sum + (name.includes(w) ? 2 : 0) + ([...text].some((t) => t.startsWith(w)) ? 1 : 0), 0);
    return { tool, score };
  });
  return scored
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || (a.tool.name < b.tool.name ? -1 : 1))
    .slice(0, limit)
    .map((s) => s.tool);
}
