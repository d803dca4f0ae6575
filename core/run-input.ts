/**
 * Child-run inputs built inside workflows from specs that were validated already: the
 * defaults AgentRunInputSchema would fill in, and `validated: true`, so the child skips
 * loading zod (see workflows/schemas.ts). A test keeps these defaults equal to the
 * schema's. Pure, no zod.
 */
import type { AgentSpec } from './agent-spec';
import type { Message } from './messages';
import type { ParsedAgentRunInput } from './run';
import type { ToolSpec } from './tool-spec';
import type { RunBudget } from './run-budget';

export interface ValidatedRunParts {
  agent: AgentSpec;
  input: string | Message[];
  team?: AgentSpec[];
  tools?: ToolSpec[];
  conversation?: 'inline' | 'store';
  conversationRef?: string;
  storeConversationOver?: number | false;
  maxHandoffs?: number;
  specHash?: string;
  budget?: RunBudget;
  omitMessages?: true;
}

/** An inline agent conversation moves to the content store past this many characters of JSON. */
export const defaultStoreConversationOver = 32 * 1024;

export function validatedRunInput(parts: ValidatedRunParts): ParsedAgentRunInput {
  return { team: [], tools: [], conversation: 'inline', maxHandoffs: 10, ...parts, validated: true };
}
