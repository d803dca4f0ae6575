/** Inputs, results and live state of an agent run. Runs in the sandbox. */
import { z } from 'zod';
import { AgentSpecSchema, type AgentSpec } from './agent-spec';
import { ToolSpecSchema, type ToolSpec } from './tool-spec';
import { MessageSchema, type Message, type Usage } from './messages';

export const AgentRunInputSchema = z
  .object({
    agent: AgentSpecSchema,
    /** Specs of the agent's tools, resolved from config when the run starts. */
    tools: z.array(ToolSpecSchema).default([]),
    /** The user's input, or a whole conversation to continue. */
    input: z.union([z.string(), z.array(MessageSchema)]),
  })
  .strict();

export type AgentRunInput = z.input<typeof AgentRunInputSchema>;
export type ParsedAgentRunInput = { agent: AgentSpec; tools: ToolSpec[]; input: string | Message[] };

export interface AgentRunResult {
  agent: string;
  /** The final answer's text. */
  output: string;
  /** The parsed final answer when the agent has an output schema. */
  structuredOutput?: unknown;
  turns: number;
  usage: Usage;
  /** Fingerprint of the agent and tool specs the run used. */
  specHash: string;
  messages: Message[];
}

export type RunStatus = 'running' | 'calling_model' | 'running_tools' | 'completed' | 'failed' | 'cancelled';

export interface StepRecord {
  kind: 'model' | 'tool';
  name: string;
  turn: number;
  /** Tool steps: whether the tool reported an error to the model. */
  isError?: boolean;
}

/** What the `state` query returns. */
export interface AgentRunState {
  status: RunStatus;
  agent: string;
  turn: number;
  maxTurns: number;
  lastStep?: StepRecord;
  usage: Usage;
  specHash: string;
  error?: string;
}
