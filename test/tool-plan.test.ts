import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import { checkToolPlan, type ToolPlan } from '../core';
import { startTestBaton } from './helpers/baton';
import { specFor } from './helpers/spec';
import { closeTestEnv } from './helpers/temporal';

afterAll(closeTestEnv);

const plan = (steps: ToolPlan['steps']): ToolPlan => ({ steps });

describe('tool plans', () => {
  it('rejects cycles, missing references, duplicate ids and unknown tools, naming the bad step', () => {
    expect(checkToolPlan(plan([{ id: 'a', tool: 't', args: { x: '{{steps.b.result}}' } }, { id: 'b', tool: 't', args: { y: ['{{steps.a.result.id}}'] } }]))).toEqual(['steps[0]: cycle a → b → a']);
    expect(checkToolPlan(plan([{ id: 'a', tool: 't', args: { q: 'about {{steps.zz.result.name}}' } }]))).toEqual(['steps[0].args.q: refers to missing step "zz"']);
    expect(checkToolPlan(plan([{ id: 'a', tool: 't', args: {} }, { id: 'a', tool: 'u', args: {} }]), new Set(['t']))).toEqual(['steps[1].id: "a" is used twice', 'steps[1].tool: unknown tool "u"']);
  });

  it('runs steps in dependency order, independent ones in parallel, passing results into arguments', async () => {
    const log: string[] = [];
    let inFlight = 0;
    let peak = 0;
    const tracked = <S extends z.ZodType>(name: string, input: S, run: (args: z.output<S>) => unknown) => defineTool({
      name, description: name, input, retry: { maximumAttempts: 1 },
      async execute(args) {
        inFlight++;
        peak = Math.max(peak, inFlight);
        log.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, 300));
        inFlight--;
        return run(args);
      },
    });
    const tools = [
      tracked('get_user', z.object({ id: z.string() }), ({ id }) => ({ id, name: 'Ada', tier: 'gold' })),
      tracked('get_orders', z.object({ userId: z.string() }), ({ userId }) => ({ userId, count: 3 })),
      tracked('get_discount', z.object({ tier: z.string() }), ({ tier }) => ({ tier, percent: tier === 'gold' ? 20 : 5 })),
      tracked('summarize', z.object({ text: z.string() }), ({ text }) => text),
      tracked('explode', z.object({}), () => { throw new Error('boom'); }),
    ];
    const baton = await startTestBaton({ models: { scripted: new ScriptedModel([]) }, tools, agents: {} });
    const spec = specFor(baton, 'customer-report', {
      kind: 'tools', onFailure: 'continue',
      plan: { steps: [
        { id: 'user', tool: 'get_user', args: { id: 'u1' } },
        { id: 'orders', tool: 'get_orders', args: { userId: '{{steps.user.result.id}}' } },
        { id: 'discount', tool: 'get_discount', args: { tier: '{{steps.user.result.tier}}' } },
        { id: 'report', tool: 'summarize', args: { text: '{{steps.user.result.name}}: {{steps.orders.result.count}} orders, {{steps.discount.result.percent}}% off' } },
        { id: 'bad', tool: 'explode', args: {} },
        { id: 'after_bad', tool: 'summarize', args: { text: '{{steps.bad.result}}' } },
      ] },
    });
    const result = await baton.run(async () => (await baton.client.startSpec(spec, '')).result());
    const outcomes = result.structured as Record<string, { ok: boolean; result?: unknown; error?: string }>;
    expect(outcomes.report).toEqual({ ok: true, result: 'Ada: 3 orders, 20% off' });
    expect(outcomes.bad).toMatchObject({ ok: false, error: 'boom' });
    expect(outcomes.after_bad).toEqual({ ok: false, error: 'not run: depends on step "bad", which failed' });
    expect(log.indexOf('start get_user')).toBeLessThan(log.indexOf('start get_orders'));
    expect(log.filter((l) => l === 'start summarize')).toHaveLength(1);
    expect(peak).toBeGreaterThanOrEqual(2);
  });

  it('rejects a cyclic plan in a spec before the run starts, with the path', async () => {
    const baton = await startTestBaton({ models: { scripted: new ScriptedModel([]) }, tools: [defineTool({ name: 't', description: 't', input: z.object({}).passthrough(), execute: () => 1 })], agents: {} });
    await baton.run(async () => {
      expect(() => specFor(baton, 'loopy', { kind: 'sequence', steps: [{ kind: 'tools', plan: { steps: [{ id: 'a', tool: 't', args: { x: '{{steps.a.result}}' } }] } }] })).toThrow(/steps\.steps\[0\]\.plan\.steps\[0\]: cycle a → a/);
    });
  });
});
