/** Starts an in-process Baton worker on a unique task queue of the shared test server, through the testing kit. */
import type { BatonConfigInput } from '../../config/define-config';
import type { ModelProvider } from '../../activities/providers/provider';
import type { McpPool } from '../../activities/tools/mcp';
import type { ToolLedger } from '../../activities/tool-ledger';
import { createBatonTestEnv, type BatonTestEnv } from '../../testing';
import { getTestEnv } from './temporal';

export type TestBaton = BatonTestEnv;

export interface TestBatonOptions extends Omit<BatonConfigInput, 'providers'> {
  providers?: BatonConfigInput['providers'];
  /** Provider implementations by name (e.g. a ScriptedModel under 'scripted'). */
  models?: Record<string, ModelProvider>;
  /** MCP connections to use (the test closes them); by default the worker makes its own. */
  mcp?: McpPool;
  /** A tool-call ledger to use instead of the configured one. */
  toolLedger?: ToolLedger;
}

/** A worker + client pair for one test, sharing the file's connection, with providers given as instances. */
export async function startTestBaton(options: TestBatonOptions): Promise<TestBaton> {
  const { models, providers = {}, mcp, toolLedger, ...rest } = options;
  return createBatonTestEnv({
    config: { ...rest, providers } as BatonConfigInput,
    models,
    temporal: await getTestEnv(),
    taskQueuePrefix: 'baton',
    worker: { mcp, toolLedger },
  });
}
