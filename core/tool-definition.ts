/** What a model is shown of a tool (pure, no zod: used by workflows). */
import type { ToolSpec } from './tool-spec';

/** What a model is shown of a tool. */
export interface ToolDefinition {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export function toToolDefinition(spec: ToolSpec): ToolDefinition {
  return { name: spec.name, description: spec.description, inputSchema: spec.inputSchema };
}
