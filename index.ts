/**
 * `baton`: the public API for config files and services. Installed, the package's `exports`
 * map resolves the name to this file's build (dist/index.js); in the repository, to this
 * file (tsconfig paths, vitest aliases). Everything not exported here or by the other entry
 * points (`baton/workflows`, `baton/worker`, `baton/testing`) is internal.
 */

/** Config: give a config file its types, load and validate one, and the error either gives. */
export { defineConfig, validateConfig, ConfigError, type BatonConfig, type BatonConfigInput } from './config/define-config';
export { loadConfig } from './config/load-config';
export { loadWorkflowSpec, resolveWorkflowSpec } from './config/load-spec';

/** Tools: TypeScript tools, the error a tool throws for the model to see, and the built-in tools. */
export { defineTool, ToolError, type BatonTool, type ToolContext, type ToolDefinitionInput } from './activities/tools/define-tool';
export { fileTools, httpFetchTool, type FileToolsOptions, type HttpFetchOptions } from './activities/tools/builtin';

/** The typed client that starts runs and reads their state. */
export { BatonClient, InputTooLargeError, type AgentRunHandle, type SpecRunHandle, type StartAgentOptions } from './client/baton-client';
export type { RunRef, WatchEvent, WatchOptions } from './client/watch';

/** Failure types: the `type` of every ApplicationFailure a run fails with. */
export { FailureType } from './core/failures';

/** The data model: specs, messages, usage, run inputs, results and states. */
export type { AgentSpec } from './core/agent-spec';
export type { ToolSpec, RiskLevel } from './core/tool-spec';
export type { Message, ToolCall, Usage } from './core/messages';
export type { AgentRunInput, AgentRunResult, AgentRunState, ApprovalRecord, PendingApproval } from './core/run';
export type { Step, WorkflowSpec } from './core/workflow-spec';
export type { SpecRunResult, SpecRunState } from './core/spec-run';
