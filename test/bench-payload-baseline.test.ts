/**
 * The benchmark's payload baselines (`bareAgentPayloadWorkflow` for the agent turn,
 * `bareHandoffPayloadWorkflow` for the hand-off) must carry what a Baton agent run carries, or the
 * rows' split between the bytes and Baton's code means nothing: a run of each, same turns, same
 * events, history bytes within a few percent.
 */
import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { z } from 'zod';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import * as bareActivities from '../bench/bare-activities';
import type { bareAgentPayloadWorkflow, bareHandoffPayloadWorkflow } from '../bench/bare-workflow';
import { handoffBaselineStart } from '../bench/patterns';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv, getTestEnv, uniqueTaskQueue, uniqueWorkflowId } from './helpers/temporal';

afterAll(closeTestEnv);

const turns = bareActivities.benchTurns;
const quiet = { trace: () => undefined, debug: () => undefined, info: () => undefined, log: () => undefined, warn: () => undefined, error: console.error };

async function historyOf(id: string) {
  const env = await getTestEnv();
  const history = await env.client.workflow.getHandle(id).fetchHistory();
  const events = history.events ?? [];
  const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);
  return { events: events.length, bytes: temporal.api.history.v1.History.encode(history).finish().length, scheduled };
}

let bundle: ReturnType<typeof bundleWorkflowCode> | undefined;

/** A worker of the bench's bare workflows on a queue of its own (bundled once per file). */
async function bareWorker(): Promise<{ worker: Worker; taskQueue: string }> {
  const env = await getTestEnv();
  const taskQueue = uniqueTaskQueue('payload-baseline');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace,
    taskQueue,
    activities: bareActivities,
    workflowBundle: await (bundle ??= bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'bench', 'bare-workflow.ts'), logger: quiet })),
  });
  return { worker, taskQueue };
}

describe('the payload baselines of the benchmark', () => {
  it(`carries a Baton agent run's events and history bytes over ${turns} turns`, async () => {
    const env = await getTestEnv();
    // The bench's agent: a tool call per turn until `turns` results are in, then an answer.
    const noop = defineTool({ name: 'noop', description: 'Does nothing', input: z.object({ turn: z.number() }), execute: ({ turn }) => ({ ok: true, turn }) });
    const model = ScriptedModel.respondWith(({ messages }) => {
      const done = messages.filter((m) => m.role === 'tool').length;
      return done < turns ? { toolCalls: [{ name: 'noop', arguments: { turn: done + 1 } }] } : { text: 'done' };
    });
    const baton = await startTestBaton({
      models: { scripted: model },
      agents: { bench: { provider: 'scripted', model: 'zero-latency', tools: ['noop'], limits: { maxTurns: turns + 1 } } },
      tools: [noop],
    });
    const { worker: bare, taskQueue } = await bareWorker();
    const batonId = uniqueWorkflowId('baton-turns');
    const baselineId = uniqueWorkflowId('payload-turns');
    const [batonResult, baselineResult] = await baton.run(() =>
      bare.runUntil(async () => [
        await (await baton.client.startAgent('bench', 'go', { workflowId: batonId })).result(),
        await env.client.workflow.execute<typeof bareAgentPayloadWorkflow>('bareAgentPayloadWorkflow', { taskQueue, workflowId: baselineId, args: [{ runKey: baselineId }] }),
      ] as const),
    );
    expect(baselineResult.turns).toBe(batonResult.turns);
    expect(baselineResult.messages.map((m) => m.role)).toEqual(batonResult.messages.map((m) => m.role));

    const [batonHistory, baselineHistory] = await Promise.all([historyOf(batonId), historyOf(baselineId)]);
    expect(baselineHistory.events).toBe(batonHistory.events);
    expect(baselineHistory.scheduled).toEqual(batonHistory.scheduled.map((name) => (name === 'callModel' ? 'payloadModel' : 'payloadTool')));
    // The start event is the one place they differ on purpose (Baton's carries the agent's spec); the rest is the turns.
    expect(baselineHistory.bytes / batonHistory.bytes).toBeGreaterThan(0.97);
    expect(baselineHistory.bytes / batonHistory.bytes).toBeLessThan(1.03);
  });

  it('carries a Baton hand-off run\'s start, events and history bytes', async () => {
    const env = await getTestEnv();
    const model = ScriptedModel.respondWith(({ agent }) => (agent.name === 'handoff-a' ? { toolCalls: [{ name: 'transfer_to_handoff-b', arguments: {} }] } : { text: 'ok' }));
    const baton = await startTestBaton({
      models: { scripted: model },
      agents: { 'handoff-a': { provider: 'scripted', model: 'zero-latency', handoffs: ['handoff-b'] }, 'handoff-b': { provider: 'scripted', model: 'zero-latency' } },
    });
    const { worker: bare, taskQueue } = await bareWorker();
    const batonId = uniqueWorkflowId('baton-handoff');
    const baselineId = uniqueWorkflowId('payload-handof');
    const [batonResult, baselineResult] = await baton.run(() =>
      bare.runUntil(async () => {
        const result = await (await baton.client.startAgent('handoff-a', batonId, { workflowId: batonId })).result();
        // Started as the bench starts it: Baton's own input (renamed), search attributes and summary.
        const start = await handoffBaselineStart(env.client, batonId);
        const baseline = await env.client.workflow.execute<typeof bareHandoffPayloadWorkflow>('bareHandoffPayloadWorkflow', start(baselineId, taskQueue));
        return [result, baseline] as const;
      }),
    );
    expect({ path: baselineResult.path, output: baselineResult.output, turns: baselineResult.turns }).toEqual({ path: batonResult.path, output: batonResult.output, turns: batonResult.turns });
    expect(baselineResult.messages.map((m) => [m.role, m.content])).toEqual(batonResult.messages.map((m) => [m.role, m.content === batonId ? baselineId : m.content]));
    const [batonHistory, baselineHistory] = await Promise.all([historyOf(batonId), historyOf(baselineId)]);
    expect(baselineHistory.events).toBe(batonHistory.events);
    expect(baselineHistory.scheduled).toEqual(batonHistory.scheduled.map(() => 'payloadModel'));
    expect(baselineHistory.bytes / batonHistory.bytes).toBeGreaterThan(0.97);
    expect(baselineHistory.bytes / batonHistory.bytes).toBeLessThan(1.03);
  });
});
