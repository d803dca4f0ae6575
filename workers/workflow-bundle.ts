/** Bundles the workflows once per process; every worker in the process reuses the bundle. */
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The path workers and the bundle test load workflows from. */
export const workflowsPath = path.join(__dirname, '..', 'workflows', 'index.ts');

/** Bundling takes seconds (webpack + swc); do it once and share the result. */
export function getWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath, logger: quietLogger });
  return bundle;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
