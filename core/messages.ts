/**
 * The provider-neutral conversation format. Providers translate to and from it at the
 * edge; workflows, tools and stores only ever see these shapes. Runs in the sandbox.
 */
import { z } from 'zod';

export const ToolCallSchema = z.object({
  /** Provider-assigned id, echoed back in the matching tool message. */
  id: z.string().min(1),
  name: z.string().min(1),
  /** Arguments as the model produced them: parsed JSON, or the raw text when it was not JSON. */
  arguments: z.unknown(),
});
export type ToolCall = z.infer<typeof ToolCallSchema>;

export const UsageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
  latencyMs: z.number().nonnegative(),
  modelCalls: z.number().int().nonnegative(),
  toolCalls: z.number().int().nonnegative(),
});
export type Usage = z.infer<typeof UsageSchema>;

export const MessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: z.string() }),
  z.object({ role: z.literal('user'), content: z.string() }),
  z.object({
    role: z.literal('assistant'),
    content: z.string(),
    toolCalls: z.array(ToolCallSchema).default([]),
    /** The agent that wrote this message (useful once several agents share a conversation). */
    agent: z.string().optional(),
  }),
  z.object({
    role: z.literal('tool'),
    toolCallId: z.string(),
    name: z.string(),
    content: z.string(),
    isError: z.boolean().default(false),
    /** A large result kept in the content store; `content` then holds a short preview. */
    contentRef: z.string().optional(),
  }),
]);
export type Message = z.infer<typeof MessageSchema>;
export type AssistantMessage = Extract<Message, { role: 'assistant' }>;
export type ToolMessage = Extract<Message, { role: 'tool' }>;
