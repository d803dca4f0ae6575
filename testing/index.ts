/**
 * `baton/testing`: what a project needs to test its agents offline against a real
 * Temporal dev server. Nothing here imports a test runner, so any runner works.
 */
export { startWireServer, type CannedResponse, type RecordedRequest, type WireServer } from './fakes/wire-server';
export { openaiError, openaiRateLimited, openaiText, openaiToolCalls } from './fakes/openai-wire';
export { anthropicError, anthropicOverloaded, anthropicRateLimited, anthropicText, anthropicToolUse } from './fakes/anthropic-wire';
