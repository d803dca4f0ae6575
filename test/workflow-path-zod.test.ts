import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import { runInputFor, validateConfig } from '../config/define-config';
import { createBatonWorker } from '../workers/create-worker';
import { getWorkflowBundle, preloadedModules, sharedCoreModules, workflowsPath } from '../workers/workflow-bundle';
import { BatonClient } from '../client/baton-client';
import { agentWorkflow, decideApprovalUpdate, stateQuery } from '../workflows';
import { zodLoadedQuery } from './fixtures/zod-probe/interceptors';
import { waitForPending } from './helpers/approvals';
import { closeTestEnv, getTestEnv, uniqueTaskQueue, uniqueWorkflowId } from './helpers/temporal';

afterAll(closeTestEnv);

const quiet = { trace: () => undefined, debug: () => undefined, info: () => undefined, log: () => undefined, warn: () => undefined, error: console.error };
let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: [path.join(__dirname, 'fixtures', 'zod-probe', 'interceptors.ts')], logger: quiet });
}, 120_000);

/** A Baton worker on the probe bundle: `helper` calls `lookup` (or the high-risk `guarded` when asked to) and answers. */
async function startProbeBaton() {
  const env = await getTestEnv();
  const taskQueue = uniqueTaskQueue('zod-probe');
  const lookup = defineTool({ name: 'lookup', description: 'Looks up', input: z.object({ q: z.string() }), execute: ({ q }) => ({ found: q }) });
  const guarded = defineTool({ name: 'guarded', description: 'Needs approval', risk: 'high', input: z.object({ q: z.string() }), execute: ({ q }) => ({ done: q }) });
  const model = ScriptedModel.respondWith(({ messages }) => {
    if (messages.some((m) => m.role === 'tool')) return { text: 'ok' };
    const asked = messages.findLast((m) => m.role === 'user')?.content ?? '';
    return { toolCalls: [{ name: asked.includes('guarded') ? 'guarded' : 'lookup', arguments: { q: asked } }] };
  });
  const config = validateConfig({
    temporal: { taskQueue },
    providers: { scripted: { type: 'scripted', model } },
    agents: { helper: { provider: 'scripted', model: 'zero-latency', tools: ['lookup', 'guarded'] } },
    tools: [lookup, guarded],
  });
  const worker = await createBatonWorker({ config, connection: env.nativeConnection, namespace: env.namespace ?? 'default', workflowBundle: bundle });
  return { env, config, worker, client: new BatonClient(env.client, config, { namespace: env.namespace ?? 'default' }) };
}


/** The bundle's module factories by module id (from the header line webpack writes before each), each with its source. */
function moduleFactories(code: string): Map<string, string> {
  const factories = new Map<string, string>();
  const starts = [...code.matchAll(/^\/\*\*\*\/ "([^"]+)"$/gm)];
  starts.forEach((m, i) => factories.set(m[1] as string, code.slice(m.index, starts[i + 1]?.index ?? code.length)));
  return factories;
}

describe('the workflow path without zod', () => {
  it('runs an agent with a run-wide budget to an approval and past it without evaluating zod in the run', async () => {
    const { client, worker } = await startProbeBaton();
    const seen = await worker.runUntil(async () => {
      const handle = await client.startAgent('helper', 'use guarded', { budget: { maxTotalTokens: 10_000 } });
      const parked = await waitForPending(() => handle.query(stateQuery));
      const whileParked = await handle.query<boolean>(zodLoadedQuery);
      await handle.executeUpdate(decideApprovalUpdate, { args: [{ approvalId: parked.pendingApprovals[0]?.id as string, approve: true }] });
      const result = await handle.result();
      return { parked, whileParked, afterDecision: await handle.query<boolean>(zodLoadedQuery), result };
    });
    expect(seen.parked.pendingApprovals[0]?.tool).toBe('guarded');
    expect(seen.result.output).toBe('ok');
    expect(seen.result.usage.toolCalls).toBe(1);
    expect(seen.whileParked).toBe(false);
    expect(seen.afterDecision).toBe(false);
  }, 120_000);

  it('runs a session turn without evaluating zod', async () => {
    const { client, worker } = await startProbeBaton();
    const seen = await worker.runUntil(async () => {
      const handle = await client.startSession('helper');
      const reply = await client.sendMessage(handle.workflowId, 'look this up');
      return { reply, loaded: await handle.query<boolean>(zodLoadedQuery) };
    });
    expect(seen.reply.reply).toBe('ok');
    expect(seen.loaded).toBe(false);
  }, 120_000);

  it('does evaluate zod for an input that is not marked validated (the probe sees it)', async () => {
    const { env, config, worker } = await startProbeBaton();
    const seen = await worker.runUntil(async () => {
      const unmarked = runInputFor(config, 'helper', 'look this up');
      const handle = await env.client.workflow.start(agentWorkflow, { args: [unmarked], taskQueue: config.temporal.taskQueue, workflowId: uniqueWorkflowId('zod-probe-plain') });
      return { result: await handle.result(), loaded: await handle.query<boolean>(zodLoadedQuery) };
    });
    expect(seen.result.output).toBe('ok');
    expect(seen.loaded).toBe(true);
  }, 120_000);

  it('shares only zod-free core modules across executions: no shared module reaches zod or a schema module in the bundle', async () => {
    const { code } = await getWorkflowBundle();
    // Module factories by id, and the ids each one requires.
    const factories = moduleFactories(code);
    const requires = (id: string) => [...(factories.get(id) ?? '').matchAll(/__webpack_require__\(\/\*! [^*]* \*\/ "([^"]+)"\)/g)].map((m) => m[1] as string);
    const ids = sharedCoreModules.map((file) => `./core/${path.basename(file)}`);
    // Both patterns must still fit the bundle's shape, or the check at the end would pass on nothing:
    // they find the module factories, and the zod import of a schema module that has one.
    expect(factories.size).toBeGreaterThan(ids.length);
    expect(requires('./core/agent-spec.ts').filter((id) => /zod/.test(id)).length).toBeGreaterThan(0);
    const reached = new Set<string>(ids);
    for (const id of reached) for (const next of requires(id)) reached.add(next);
    expect(ids.every((id) => factories.has(id))).toBe(true);
    const preload = /preloadModules = function preloadModules\(\) \{([^}]*)\}/.exec(code)?.[1] ?? '';
    expect([...preload.matchAll(/"(\.\/core\/[^"]+)"\)/g)].map((m) => m[1])).toEqual(ids);
    expect([...reached].filter((id) => /zod|\/core\/(agent-spec|tool-spec|messages|durations|run|workflow-spec|tool-plan|run-budget-schema)\.ts$/.test(id))).toEqual([]);
  }, 120_000);

  it("compiles Baton's workflow sources for ES2022 as dist/ is: object spreads stay native, with no swc ES2017 helper in Baton's modules", async () => {
    const { code } = await getWorkflowBundle();
    const factories = moduleFactories(code);
    const loop = factories.get('./workflows/agent-loop.ts') ?? '';
    // The loop spreads objects in its source; the check must see it, or it would pass on nothing.
    expect(loop).toMatch(/\.\.\.conversation\.request\(\),/);
    const helpers = [...factories].filter(([id, factory]) => /^\.\/(workflows|core)\//.test(id) && /_object_spread(_props)?\(/.test(factory)).map(([id]) => id);
    expect(helpers).toEqual([]);
  }, 120_000);

  it('leaves the runs\' metric calls out of the bundle of a worker whose runtime exports no metrics, and keeps them by default', async () => {
    const switchIn = async (metrics?: boolean) => /const counting =\s*false \|\| (true|false);/.exec(moduleFactories((await getWorkflowBundle(undefined, undefined, metrics)).code).get('./workflows/telemetry.ts') ?? '')?.[1];
    expect(await switchIn()).toBe('true');
    expect(await switchIn(false)).toBe('false');
  }, 120_000);

  it("shares Baton's workflow modules with no per-run state: what they reach by import declares only consts, functions and classes at its top level", async () => {
    const { code } = await getWorkflowBundle();
    const factories = moduleFactories(code);
    // Static imports only: a deferred require (lazy schemas, the span-event hook) lands in the execution's own cache.
    const imports = (id: string) => [...(factories.get(id) ?? '').matchAll(/harmony import \*\/ var \w+ = __webpack_require__\(\/\*! [^*]* \*\/ "([^"]+)"\)/g)].map((m) => m[1] as string);
    const preloaded = preloadedModules.map((file) => `./${path.relative(path.join(__dirname, '..'), file).split(path.sep).join('/')}`);
    expect(preloaded).toContain('./workflows/index.ts');
    const reached = new Set<string>(preloaded);
    for (const id of reached) for (const next of imports(id)) if (/^\.\/(workflows|core)\//.test(next)) reached.add(next);
    // The walk must see the agent loop and telemetry, or the checks below would pass on nothing.
    expect([...reached]).toEqual(expect.arrayContaining(['./workflows/agent-loop.ts', './workflows/telemetry.ts', './workflows/lazy-schemas.ts', './core/usage.ts']));
    expect([...reached].filter((id) => /\/schemas\.ts$|span-event-hook|tracing-|zod/.test(id))).toEqual([]);
    const stateful: string[] = [];
    for (const id of reached) {
      const source = ts.createSourceFile(id, readFileSync(path.join(__dirname, '..', id), 'utf8'), ts.ScriptTarget.Latest);
      for (const statement of source.statements) {
        if (!ts.isVariableStatement(statement)) continue;
        if (!(statement.declarationList.flags & ts.NodeFlags.Const)) stateful.push(`${id}: ${statement.getText(source).slice(0, 60)}`);
        for (const declaration of statement.declarationList.declarations) {
          const made = declaration.initializer && ts.isNewExpression(declaration.initializer) ? declaration.initializer.expression.getText(source) : undefined;
          const readonly = declaration.type?.getText(source).startsWith('Readonly') ?? false;
          if (made !== undefined && /^(Map|Set|WeakMap|WeakSet|Array)$/.test(made) && !readonly) stateful.push(`${id}: ${declaration.getText(source).slice(0, 60)}`);
        }
      }
    }
    expect(stateful).toEqual([]);
  }, 120_000);
});
