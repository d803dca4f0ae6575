/**
 * Baton's client builds a configured agent's run input once and reuses it: the runs it starts
 * record the same input as one validated in full, a config changed in place is honoured, and a
 * bad input is refused with the path of the bad field before anything starts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ScriptedModel } from '../activities/providers/scripted';
import { defineTool } from '../activities/tools/define-tool';
import { BatonClient } from '../client/baton-client';
import { RunTemplates, startArgs } from '../client/run-templates';
import { ConfigError, runInputFor, validateConfig, type BatonConfig } from '../config/define-config';
import { AgentRunInputSchema, type Message } from '../core';
import { z } from 'zod';
import { closeTestEnv, getTestEnv, uniqueTaskQueue, uniqueWorkflowId } from './helpers/temporal';

afterAll(closeTestEnv);

const lookup = defineTool({ name: 'lookup', description: 'Looks a word up', input: z.object({ word: z.string() }), execute: ({ word }) => word });

function config(): BatonConfig {
  return validateConfig({
    temporal: { taskQueue: uniqueTaskQueue('templates') },
    providers: { scripted: { type: 'scripted', model: ScriptedModel.respondWith(() => ({ text: 'ok' })) } },
    pools: { research: { taskQueue: uniqueTaskQueue('templates-research') } },
    agents: {
      triage: { provider: 'scripted', model: 'one', handoffs: ['expert'], tools: ['lookup'] },
      expert: { provider: 'scripted', model: 'two', pool: 'research', instructions: 'Answer well.' },
    },
    tools: [lookup],
  });
}

async function clientFor(cfg: BatonConfig): Promise<BatonClient> {
  const env = await getTestEnv();
  return new BatonClient(env.client, cfg, { namespace: env.namespace });
}

/** The input a run was started with, as its history records it. */
async function recordedInput(client: Client, workflowId: string): Promise<Record<string, unknown>> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return JSON.parse(Buffer.from(payload?.data ?? new Uint8Array()).toString()) as Record<string, unknown>;
}

/** What the client started before it kept templates: the whole run input validated for every start. */
const inFull = (cfg: BatonConfig, agent: string, input: string | Message[]) => JSON.parse(JSON.stringify(startArgs(AgentRunInputSchema.parse(runInputFor(cfg, agent, input))))) as Record<string, unknown>;

describe("Baton's client reuses an agent's run input", () => {
  it('records the same input as one validated in full, for text and for a conversation', async () => {
    const cfg = config();
    const baton = await clientFor(cfg);
    const inputs: Array<string | Message[]> = ['first question', 'second question', [{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'hi', toolCalls: [] }, { role: 'user', content: 'and now?' }]];
    for (const input of inputs) {
      const id = uniqueWorkflowId('template');
      const handle = await baton.startAgent('triage', input, { workflowId: id });
      expect(await recordedInput(baton.temporal, id)).toEqual(inFull(cfg, 'triage', input));
      await handle.terminate();
    }
  });

  it('honours a config changed in place: an agent, a tool, a pool', async () => {
    const cfg = config();
    const baton = await clientFor(cfg);
    const start = async () => {
      const id = uniqueWorkflowId('template-change');
      const handle = await baton.startAgent('triage', 'go', { workflowId: id });
      const recorded = await recordedInput(baton.temporal, id);
      await handle.terminate();
      expect(recorded).toEqual(inFull(cfg, 'triage', 'go'));
      return recorded as { specHash: string; agent: { model: string }; team: Array<{ instructions?: string; taskQueue?: string }>; tools: Array<{ description: string }> };
    };
    const before = await start();
    (cfg.agents.triage as { model: string }).model = 'three';
    const model = await start();
    expect(model.agent.model).toBe('three');
    (cfg.agents.expert as { instructions: string }).instructions = 'Answer briefly.';
    const teammate = await start();
    expect(teammate.team[0]?.instructions).toBe('Answer briefly.');
    (cfg.tools[0] as { spec: { description: string } }).spec.description = 'Finds a word';
    const tool = await start();
    expect(tool.tools[0]?.description).toBe('Finds a word');
    (cfg.pools.research as { taskQueue: string }).taskQueue = 'research-moved';
    const pool = await start();
    expect(pool.team[0]?.taskQueue).toBe('research-moved');
    expect(new Set([before, model, teammate, tool, pool].map((r) => r.specHash)).size).toBe(5);
  });

  it('builds a template once and again only after a change', () => {
    const cfg = config();
    const templates = new RunTemplates(cfg);
    const first = templates.build('triage');
    expect(first?.agents).toEqual(['triage', 'expert']);
    expect(templates.build('triage')).toBe(first);
    (cfg.agents.expert as { model: string }).model = 'four';
    const rebuilt = templates.build('triage');
    expect(rebuilt).not.toBe(first);
    expect(rebuilt?.args.specHash).not.toBe(first?.args.specHash);
    expect(templates.build('triage')).toBe(rebuilt);
  });

  it('refuses a bad input or an agent gone from the config before anything starts', async () => {
    const cfg = config();
    const baton = await clientFor(cfg);
    await (await baton.startAgent('triage', 'warm the template')).terminate();
    const id = uniqueWorkflowId('template-bad');
    const bad = await baton.startAgent('triage', [{ role: 'user', content: 'hi' }, { role: 'wizard', content: 'abracadabra' }] as unknown as Message[], { workflowId: id }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ConfigError);
    // The path of the bad field, not just "input: Invalid input" (the input is a string or a conversation).
    expect((bad as Error).message).toBe("invalid config (run input): input[1].role: Invalid discriminator value. Expected 'system' | 'user' | 'assistant' | 'tool'");
    delete (cfg.agents as Record<string, unknown>).expert;
    const gone = await baton.startAgent('triage', 'go', { workflowId: id }).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(ConfigError);
    expect((gone as Error).message).toMatch(/unknown agent "expert"/);
    await expect(baton.temporal.workflow.getHandle(id).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});
