/** Bundles the workflows once per process; every worker in the process reuses the bundle. */
import { createRequire } from 'node:module';
import path from 'node:path';
import { bundleWorkflowCode, type BundleOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { defaultSandboxTracing, tracingModuleQuery, type SandboxTracingSettings } from '../workflows/tracing-settings';

type WebpackConfiguration = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/** `.ts` in the repository (run through tsx), `.js` in the built package (`dist/`, as installed). */
const sourceExtension = path.extname(__filename);

/** The path workers and the bundle test load workflows from: next to this file, in either layout. */
export const workflowsPath = path.join(__dirname, '..', 'workflows', `index${sourceExtension}`);

/** The OpenTelemetry workflow interceptors and Baton's span events: in the bundle only when the worker traces. */
export const tracingInterceptorModule = path.join(__dirname, '..', 'workflows', `tracing-interceptors${sourceExtension}`);

/** The tracing interceptor module with the worker's settings as its resource query: what a prebuilt bundle lists. */
export function tracingInterceptorModuleFor(settings: SandboxTracingSettings = defaultSandboxTracing): string {
  return `${tracingInterceptorModule}${tracingModuleQuery(settings)}`;
}

/**
 * Core modules with no state of their own (pure functions and frozen constants, no zod: the lint
 * keeps them so): evaluated once per worker thread and shared by every workflow execution,
 * instead of once per execution in its own module cache (the reusable V8 context's default).
 */
export const sharedCoreModules = ['usage', 'hash', 'failures', 'steps', 'conversation', 'tool-definition', 'tool-search', 'search-attributes', 'served-by', 'run-input', 'model-contract', 'tool-contract', 'run-budget', 'spec-run', 'tool-plan-run']
  .map((name) => path.join(__dirname, '..', 'core', `${name}${sourceExtension}`));

/**
 * Baton's workflow modules, all that the workflows index reaches by static import: preloaded too,
 * so an execution does not evaluate them again in its own module cache. They hold no state of
 * their own at module level (only consts, functions and classes; test/workflow-path-zod.test.ts
 * checks their top level); what is per execution (the lazily loaded schemas, the tracing span
 * hook) is reached only by a deferred require, which lands in the execution's own module cache.
 */
export const sharedWorkflowModules = [workflowsPath];

/** Everything preloaded: the shared core modules, then the workflows. */
export const preloadedModules = [...sharedCoreModules, ...sharedWorkflowModules];

/** What swc compiles the repository's TypeScript workflows to: the tsconfig's target, as `dist/` is built. */
const swcTarget = 'es2022';

/**
 * The SDK's bundler compiles `.ts` workflow sources with swc for ES2017, where every object
 * spread becomes a helper call over `Object.getOwnPropertyDescriptors`, several times slower than
 * a native spread, on each activation. Node 20 runs ES2022 natively, and the built package
 * (`dist/`, compiled by tsc) already is ES2022: this makes a worker run from the sources match it.
 */
function es2022Workflows(config: WebpackConfiguration): WebpackConfiguration {
  for (const rule of config.module?.rules ?? []) {
    const use = rule && typeof rule === 'object' && rule.use && typeof rule.use === 'object' && !Array.isArray(rule.use) ? rule.use : undefined;
    const options = use && typeof use.loader === 'string' && use.loader.includes('swc-loader') && typeof use.options === 'object' ? use.options : undefined;
    const jsc = options && (options as { jsc?: { target?: string } }).jsc;
    if (jsc) jsc.target = swcTarget;
  }
  return config;
}

/**
 * Webpack as the SDK's bundler loads it (Baton does not depend on webpack itself), for its
 * DefinePlugin: `__BATON_WORKFLOW_METRICS__` is `false` in the bundle of a worker whose runtime
 * exports no metrics, so the runs' counts (workflows/telemetry.ts) skip the sink calls the
 * worker would drop. A bundle built without it (a prebuilt one) counts, as before.
 */
function withWorkflowMetrics(metrics: boolean) {
  const webpack = createRequire(require.resolve('@temporalio/worker'))('webpack') as { DefinePlugin: new (definitions: Record<string, string>) => unknown };
  return (config: WebpackConfiguration): WebpackConfiguration => {
    es2022Workflows(config);
    config.plugins = [...(config.plugins ?? []), new webpack.DefinePlugin({ __BATON_WORKFLOW_METRICS__: JSON.stringify(metrics) }) as never];
    return config;
  };
}

/**
 * Bundling takes seconds (webpack + swc); do it once and share the result. With
 * `failureConverterPath` (encryption on) the sandbox gets that failure converter: a separate bundle.
 * With `tracing`, the workflow interceptors that trace, with those settings: a bundle per setting too.
 * `metrics: false` (the worker's runtime exports none) leaves the runs' metric calls out.
 */
export function getWorkflowBundle(failureConverterPath?: string, tracing?: SandboxTracingSettings, metrics = true): Promise<WorkflowBundleWithSourceMap> {
  const interceptorModule = tracing ? tracingInterceptorModuleFor(tracing) : '';
  const key = `${failureConverterPath ?? ''}|${interceptorModule}|${metrics}`;
  let bundle = bundles.get(key);
  if (!bundle) {
    const workflowInterceptorModules = tracing ? [interceptorModule] : [];
    // The tracing modules keep each execution's state in its own RunTracer: preloaded too, evaluated once per workflow thread.
    bundle = bundleWorkflowCode({ workflowsPath, logger: quietLogger, webpackConfigHook: withWorkflowMetrics(metrics), workflowInterceptorModules, preloadModules: [...preloadedModules, ...workflowInterceptorModules], ...(failureConverterPath ? { failureConverterPath } : {}) });
    bundles.set(key, bundle);
  }
  return bundle;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
