/** Inputs, results and live state of an agent run. Runs in the sandbox. */
import { z } from 'zod';
import { AgentSpecSchema } from './agent-spec';
import { ToolSpecSchema } from './tool-spec';
import { MessageSchema, type Message, type Usage } from './messages';
import { RunBudgetSchema } from './run-budget-schema';

export const AgentRunInputSchema = z
  .object({
    agent: AgentSpecSchema,
    /** Specs of the agent's tools, resolved from config when the run starts. */
    tools: z.array(ToolSpecSchema).default([]),
    /** The user's input, or a whole conversation to continue. */
    input: z.union([z.string(), z.array(MessageSchema)]),
    /** Specs of the agents reachable through hand-offs (resolved from config when the run starts). */
    team: z.array(AgentSpecSchema).default([]),
    /** 'store' passes the conversation by reference through the content store (long sessions). */
    conversation: z.enum(['inline', 'store']).default('inline'),
    /** With 'store': the stored conversation this run continues. */
    conversationRef: z.string().optional(),
    /**
     * An inline conversation switches to the content store once its messages pass this many
     * characters of JSON (default 32 KB, `defaultStoreConversationOver`); false keeps it inline.
     */
    storeConversationOver: z.union([z.number().int().nonnegative(), z.literal(false)]).optional(),
    /** Hand-offs allowed in one run, so two agents cannot pass a conversation back and forth forever. */
    maxHandoffs: z.number().int().nonnegative().default(10),
    /** Set by Baton's client and parent workflows, which validate before starting a run; the run then skips validation. */
    validated: z.literal(true).optional(),
    /**
     * The spec fingerprint (`specHash` of agent, tools and team), computed once by the client
     * or parent so 200 identical children do not each compute it; used only with `validated`.
     */
    specHash: z.string().optional(),
    /** Run-wide limits for this run and its child runs (a parent passes what remains of its own). */
    budget: RunBudgetSchema.optional(),
    /**
     * Set by parents that read only the answer and usage (spec steps, asked agents): the result's
     * `messages` is empty, so the parent's history does not copy the transcript, which stays in
     * this run's own history.
     */
    omitMessages: z.literal(true).optional(),
  })
  .strict();

export type AgentRunInput = z.input<typeof AgentRunInputSchema>;
export type ParsedAgentRunInput = z.output<typeof AgentRunInputSchema>;

export interface AgentRunResult {
  /** The agent that gave the final answer (the last one after hand-offs). */
  agent: string;
  /** Every agent that held the conversation, in order; one entry without hand-offs. */
  path: string[];
  /** The final answer's text. */
  output: string;
  /** The parsed final answer when the agent has an output schema. */
  structuredOutput?: unknown;
  turns: number;
  usage: Usage;
  /** Fingerprint of the agent and tool specs the run used. */
  specHash: string;
  /**
   * The conversation (with a stored conversation: only this run's messages). Empty for a run
   * started with `omitMessages` (a spec step's or a supervisor's child): read its history instead.
   */
  messages: Message[];
  /** With a stored conversation: its reference, including the final answer. */
  conversationRef?: string;
}

export type RunStatus = 'running' | 'calling_model' | 'running_tools' | 'waiting_approval' | 'completed' | 'failed' | 'cancelled';

/** A tool call waiting for a person's decision. */
export interface PendingApproval {
  id: string;
  agent: string;
  tool: string;
  arguments: unknown;
  risk: string;
  turn: number;
}

export interface ApprovalRecord extends PendingApproval {
  decision: 'approved' | 'rejected';
  reason?: string;
  /** 'person' through the Update, or 'timeout' under the policy's onTimeout. */
  by: 'person' | 'timeout';
  /** The name the person gave with the decision (`baton approve` sends the OS user or `--as`). */
  decidedBy?: string;
  /** When it was decided, in workflow time (ISO 8601). */
  decidedAt?: string;
}

export interface StepRecord {
  kind: 'model' | 'tool' | 'handoff' | 'approval';
  name: string;
  turn: number;
  /** Tool steps: whether the tool reported an error to the model. */
  isError?: boolean;
  /** Model steps, once answered: the `provider/model` that answered (a fallback when it differs from `name`). */
  servedBy?: string;
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
  path: string[];
  pendingApprovals: PendingApproval[];
  approvals: ApprovalRecord[];
  /** Tool calls answered from the tool cache. */
  cacheHits: number;
  /** Calls to tools the agent may not use, refused and given back to the model. */
  refusedCalls: Array<{ agent: string; tool: string; turn: number }>;
  error?: string;
}
