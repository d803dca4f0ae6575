import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkflowSpec } from '../config/load-spec';
import { approveNext, createBatonTestEnv, decideApproval, waitForApproval, type BatonTestEnv } from '../testing';
import { closeTestEnv, getTestEnv } from './helpers/temporal';

const dir = path.join(__dirname, '..', 'examples', 'patterns');
let env: BatonTestEnv;

beforeAll(async () => {
  // The examples' own config file, as a project's test would load it, with a background worker for every test.
  env = await createBatonTestEnv({ config: path.join(dir, 'baton.config.ts'), temporal: await getTestEnv(), taskQueuePrefix: 'examples' });
  env.startWorker();
});
afterAll(async () => {
  await env.close();
  await closeTestEnv();
});

async function runSpec(file: string, input: string) {
  return (await env.client.startSpec(loadWorkflowSpec(path.join(dir, file), env.config), input)).result();
}

describe('the pattern examples', () => {
  it('hand-off chain: triage → billing → refunds, with the refund approved', async () => {
    const handle = await env.client.startAgent('triage', 'Please refund invoice INV-1042');
    const approval = await approveNext(env.client, handle.workflowId);
    expect(approval).toMatchObject({ agent: 'refunds', tool: 'issue_refund', decision: 'approved', decidedBy: 'test' });
    const result = await handle.result();
    expect(result.path).toEqual(['triage', 'billing', 'refunds']);
    expect(result.output).toMatch(/^Refunds: done\. \{"refunded":120,"invoiceId":"INV-1042"/);
  });

  it('route.yaml sends billing questions to billing and the rest to the concierge', async () => {
    expect((await runSpec('route.yaml', 'My invoice is wrong')).output).toMatch(/^Billing: /);
    expect((await runSpec('route.yaml', 'Where is the coffee?')).output).toBe('Concierge: happy to help with anything else.');
  });

  it('parallel.yaml merges three branches', async () => {
    const result = await runSpec('parallel.yaml', 'Durable execution');
    expect(result.output).toBe('Draft 1 from 8 lines of material.');
    expect(result.steps.filter((s) => s.kind === 'agent')).toHaveLength(4);
  });

  it('orchestrator.yaml plans three subtasks and synthesizes them', async () => {
    const result = await runSpec('orchestrator.yaml', 'Temporal');
    expect(result.steps.filter((s) => s.path.includes('.items['))).toHaveLength(3);
    expect(result.output).toMatch(/^Draft 1 from/);
  });

  it('loop.yaml iterates until the critic accepts', async () => {
    const result = await runSpec('loop.yaml', 'Explain sagas');
    expect(result.output).toBe('Draft 2: a tighter, sourced summary.');
    expect(result.steps.find((s) => s.kind === 'loop')?.iterations).toHaveLength(2);
  });

  it('approval.yaml waits for a person before writing', async () => {
    const handle = await env.client.startSpec(loadWorkflowSpec(path.join(dir, 'approval.yaml'), env.config), 'Launch plan');
    const pending = await waitForApproval(env.client, handle.workflowId);
    expect(await decideApproval(env.client, handle.workflowId, pending.id, { by: 'reviewer' })).toMatchObject({ id: pending.id, decision: 'approved', decidedBy: 'reviewer' });
    expect((await handle.result()).output).toMatch(/^Draft 1/);
  });

  it('generated.yaml runs the workflow the planner wrote', async () => {
    const result = await runSpec('generated.yaml', 'Vector clocks');
    expect(result.output).toBe('Draft 1 from 1 lines of material.');
  });
});
