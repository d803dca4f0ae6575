/**
 * Every side effect Baton performs is one of these activities. Workflows import this
 * module as a type only: `import type { BatonActivities } from '../activities'`.
 */
import { createCallModel, type ProviderEntry } from './model-activity';
import { createRunTool } from './tool-activity';
import type { ToolRegistry } from './tools/registry';
import type { ContentStore } from './content-store';
import type { ToolCache } from './tool-cache';

export interface ActivityDependencies {
  providers: ReadonlyMap<string, ProviderEntry>;
  tools: ToolRegistry;
  content: ContentStore;
  cache: ToolCache;
}

/** Creates the activity implementations a worker registers. */
export function createActivities(deps: ActivityDependencies) {
  return {
    callModel: createCallModel(deps.providers, deps.content),
    runTool: createRunTool(deps.tools, deps.content, deps.cache),
  };
}

export type BatonActivities = ReturnType<typeof createActivities>;
export type { ProviderEntry } from './model-activity';
export { defineTool, type BatonTool, type ToolContext } from './tools/define-tool';
export { ToolRegistry } from './tools/registry';
export { FileContentStore, type ContentStore } from './content-store';
export { FileToolCache, cacheKey, type ToolCache } from './tool-cache';
