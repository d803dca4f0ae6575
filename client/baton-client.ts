/**
 * The typed client: start agent runs from your own service, read their state and
 * results. Inputs are validated before a run starts, so a bad input never reaches history.
 */
import { randomUUID } from 'node:crypto';
import { Client, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { compactAgentSpecs } from '../core/agent-defaults';
import { BatonAgent, BatonPattern, RunBudgetSchema, type AgentRunState, type Message, type RunBudget, type WorkflowSpec } from '../core';
import { runInputFor, ConfigError, toIssues, type BatonConfig } from '../config/define-config';
import { agentWorkflow, sendMessageUpdate, sessionWorkflow, specWorkflow, stateQuery, type SessionReply } from '../workflows';
import { SessionInputSchema, SpecRunInputSchema } from '../workflows/schemas';
import { connectClient, resolveConnectionSettings, type ConnectionOverrides, type ConnectionSettings } from './connection';
import { runUrl, uiBaseUrl } from './ui-links';
import { dataConverterFor } from '../codec/settings';
import { startTracing, tracingClientInterceptors } from './tracing';
import { watchRun, type WatchEvent, type WatchOptions } from './watch';
import { RunTemplates } from './run-templates';

export interface StartAgentOptions {
  workflowId?: string;
  taskQueue?: string;
  /** Run-wide limits on tokens and cost across the run and its child runs (for a spec, the tighter of this and its `budget`). */
  budget?: RunBudget;
}

/** Validates a run-wide budget before anything starts. */
function checkedBudget(budget: RunBudget | undefined): { budget?: RunBudget } {
  if (budget === undefined) return {};
  const parsed = RunBudgetSchema.safeParse(budget);
  if (!parsed.success) throw new ConfigError('run budget', toIssues(parsed.error));
  return { budget: parsed.data };
}

export type AgentRunHandle = WorkflowHandleWithFirstExecutionRunId<typeof agentWorkflow>;
export type SpecRunHandle = WorkflowHandleWithFirstExecutionRunId<typeof specWorkflow>;

/** The default of `temporal.maxInputBytes`: 1.5 MiB, below the server's 2 MiB payload limit and room for the envelope. */
export const defaultMaxInputBytes = 1.5 * 1024 * 1024;

const size = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`);

/** A run input or session message the server would refuse: refused by the client before anything starts. */
export class InputTooLargeError extends Error {
  override readonly name = 'InputTooLargeError';
  constructor(readonly what: string, readonly bytes: number, readonly limit: number) {
    super(
      `${what} is ${size(bytes)}, over Baton's limit of ${size(limit)} for a run's input or a session message ` +
        '(temporal.maxInputBytes; the Temporal server refuses payloads over 2 MiB). ' +
        'Pass a file path or URL in the input and give the agent a tool that reads it, instead of the content itself.',
    );
  }
}

/** A short, single-line preview for summaries. */
export function preview(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export class BatonClient {
  private readonly templates: RunTemplates;

  constructor(
    readonly temporal: Client,
    readonly config: BatonConfig,
    readonly settings: Pick<ConnectionSettings, 'namespace'>,
  ) {
    this.templates = new RunTemplates(config);
  }

  /** Connects using flags, the environment (TEMPORAL_*) and the config, in that order. */
  static async connect(config: BatonConfig, overrides: ConnectionOverrides = {}): Promise<BatonClient> {
    const settings = resolveConnectionSettings(overrides, config.temporal);
    const connection = await connectClient(settings);
    await startTracing(config.telemetry.tracing, 'baton-client');
    const interceptors = tracingClientInterceptors();
    return new BatonClient(new Client({ connection, namespace: settings.namespace, dataConverter: dataConverterFor(config.encryption), ...(interceptors ? { interceptors } : {}) }), config, settings);
  }

  /** Throws InputTooLargeError when `value`, as the JSON payload Temporal would carry, is over `temporal.maxInputBytes`. */
  checkInputSize(what: string, value: unknown): void {
    const limit = this.config.temporal.maxInputBytes ?? defaultMaxInputBytes;
    const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
    if (bytes > limit) throw new InputTooLargeError(what, bytes, limit);
  }

  /** Starts a configured agent; returns as soon as the run is recorded by the server. */
  async startAgent(agentName: string, input: string | Message[], options: StartAgentOptions = {}): Promise<AgentRunHandle> {
    // Validated once per agent (./run-templates.ts), the user's input per start.
    const args = { ...this.templates.argsFor(agentName, input), ...checkedBudget(options.budget) };
    const text = typeof input === 'string' ? input : (input.findLast((m) => m.role === 'user')?.content ?? '');
    this.checkInputSize(`the input of agent ${agentName}`, args);
    return this.temporal.workflow.start(agentWorkflow, {
      args: [args],
      taskQueue: options.taskQueue ?? this.config.temporal.taskQueue,
      workflowId: options.workflowId ?? `baton-${agentName}-${randomUUID().slice(0, 8)}`,
      staticSummary: `agent ${agentName}: ${preview(text)}`,
      typedSearchAttributes: [
        { key: BatonAgent, value: agentName },
        { key: BatonPattern, value: 'agent' },
      ],
    });
  }

  /** Starts a declarative workflow (already resolved with `resolveWorkflowSpec` or `loadWorkflowSpec`). */
  async startSpec(spec: WorkflowSpec, input: string, options: StartAgentOptions = {}): Promise<SpecRunHandle> {
    const parsed = SpecRunInputSchema.safeParse({ spec, input, ...(options.budget !== undefined ? { budget: options.budget } : {}) });
    if (!parsed.success) throw new ConfigError(`"${spec.name}"`, toIssues(parsed.error), 'workflow spec');
    // The agents travel without the fields at their defaults: the run fills them in (fewer bytes in its history).
    const args = { ...parsed.data, spec: { ...parsed.data.spec, agents: compactAgentSpecs(parsed.data.spec.agents) }, validated: true as const };
    this.checkInputSize(`the input of workflow spec ${spec.name}`, args);
    return this.temporal.workflow.start(specWorkflow, {
      args: [args],
      taskQueue: options.taskQueue ?? this.config.temporal.taskQueue,
      workflowId: options.workflowId ?? `baton-${spec.name}-${randomUUID().slice(0, 8)}`,
      staticSummary: `workflow ${spec.name}: ${preview(input)}`,
      typedSearchAttributes: [
        { key: BatonPattern, value: spec.name },
      ],
    });
  }

  /** Starts a chat session with a configured agent; send messages with `sendMessage`. */
  async startSession(agentName: string, options: StartAgentOptions & { maxTurnsPerRun?: number } = {}) {
    const { agent, team, tools } = runInputFor(this.config, agentName, '');
    const parsed = SessionInputSchema.safeParse({ agent, team, tools, maxTurnsPerRun: options.maxTurnsPerRun });
    if (!parsed.success) throw new ConfigError('session input', toIssues(parsed.error));
    return this.temporal.workflow.start(sessionWorkflow, {
      args: [{ ...parsed.data, validated: true }],
      taskQueue: options.taskQueue ?? this.config.temporal.taskQueue,
      workflowId: options.workflowId ?? `baton-session-${agentName}-${randomUUID().slice(0, 8)}`,
      staticSummary: `session with ${agentName}`,
      typedSearchAttributes: [
        { key: BatonAgent, value: agentName },
        { key: BatonPattern, value: 'session' },
      ],
    });
  }

  /** Sends one user message to a session and waits for the reply (follows continue-as-new). */
  async sendMessage(sessionId: string, text: string): Promise<SessionReply> {
    this.checkInputSize('a session message', { text });
    return this.temporal.workflow.getHandle(sessionId).executeUpdate(sendMessageUpdate, { args: [{ text }] });
  }

  /** The live state of a run (needs a worker to answer the query). */
  async state(workflowId: string): Promise<AgentRunState> {
    return this.temporal.workflow.getHandle(workflowId).query(stateQuery);
  }

  /**
   * A run's events as they happen, until it ends: turns, the agents' text (live when their model
   * calls stream), tool calls and results, hand-offs, approvals waiting, and the result or failure.
   */
  watch(workflowId: string, options: WatchOptions = {}): AsyncGenerator<WatchEvent> {
    return watchRun(this.temporal, this.temporal.options.namespace, workflowId, options);
  }

  /** The Web UI page of a run. */
  uiUrl(workflowId: string, runId?: string): string {
    return runUrl(uiBaseUrl(this.config.temporal.uiUrl), this.settings.namespace, workflowId, runId);
  }
}
