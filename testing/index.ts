/**
 * `baton/testing`: what a project needs to test its agents offline against a real Temporal
 * dev server. Nothing here imports a test runner, so vitest, jest, mocha or node:test all work.
 */
export { createBatonTestEnv, type BatonTestEnv, type BatonTestEnvOptions } from './test-env';
export { failStep, handOffStep, respondingModel, scriptedModel, ScriptedModel, textStep, toolStep, type ScriptReply, type ScriptResponder, type ScriptStep } from './scripted';
export { connectTestTemporal, quietTemporalLogs, uniqueTaskQueue, uniqueWorkflowId, type ConnectTestTemporalOptions, type TestTemporal } from './temporal';
export { freePort, setupTestServer, startDevServer, stopTestServer, testServerAddress, type DevServer, type StartDevServerOptions } from './dev-server';
export { cachedCliPath, pinnedCliVersion, temporalCliPath } from './temporal-cli';
export { devServerFlags } from './dev-server-settings';
export { approveNext, decideApproval, waitForApproval, type DecideOptions } from './approvals';
export { replaySavedHistories, ReplayMismatchError, saveHistory, workflowIdFromFile, type ReplayHistoriesOptions, type ReplayOutcome } from './replay';
export { startWireServer, type CannedResponse, type RecordedRequest, type SseScript, type WireServer } from './fakes/wire-server';
export { anthropicTextStream, openaiTextStream, openaiToolCallsStream, type StreamOptions } from './fakes/stream-wire';
export { openaiError, openaiRateLimited, openaiText, openaiToolCalls } from './fakes/openai-wire';
export { anthropicError, anthropicOverloaded, anthropicRateLimited, anthropicText, anthropicToolUse } from './fakes/anthropic-wire';
