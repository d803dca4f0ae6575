import { afterAll, describe, expect, it } from 'vitest';
import { ScriptedModel } from '../activities/providers/scripted';
import { AgentSpecSchema } from '../core';
import { compactAgentSpec, withAgentDefaults } from '../core/agent-defaults';
import { firstPayload } from '../client/inspect';
import { stateQuery } from '../workflows';
import { startTestBaton } from './helpers/baton';
import { specFor } from './helpers/spec';
import { closeTestEnv } from './helpers/temporal';

afterAll(closeTestEnv);

describe('a spec run\'s child input', () => {
  it('fills in exactly the defaults AgentSpecSchema would, and a compacted spec comes back whole', () => {
    const minimal = { name: 'a', provider: 'p', model: 'm' };
    expect(withAgentDefaults(minimal)).toEqual(AgentSpecSchema.parse(minimal));
    const tuned = AgentSpecSchema.parse({ ...minimal, instructions: 'be brief', tools: ['t'], limits: { maxTurns: 3 }, approval: { onTimeout: 'approve' }, handoffs: ['b'], temperature: 0.2 });
    const compact = compactAgentSpec(tuned);
    expect(Object.keys(compact).sort()).toEqual(['approval', 'handoffs', 'instructions', 'limits', 'model', 'name', 'provider', 'temperature', 'tools']);
    expect(withAgentDefaults(compact)).toEqual(tuned);
    expect(withAgentDefaults(tuned)).toEqual(tuned);
  });

  it('starts the run and each child with their agents\' non-default fields only, and the child runs with the defaults filled in', async () => {
    const model = ScriptedModel.respondWith((req) => ({ text: `${req.agent.name} answers` }));
    const baton = await startTestBaton({
      models: { scripted: model },
      agents: { plain: { provider: 'scripted', model: 's' }, tuned: { provider: 'scripted', model: 's', limits: { maxTurns: 3 }, approval: { onTimeout: 'approve' } } },
    });
    const spec = specFor(baton, 'pair', { kind: 'parallel', branches: [{ kind: 'agent', agent: 'plain' }, { kind: 'agent', agent: 'tuned' }] });
    const { result, inputs, calls, states, started } = await baton.run(async () => {
      const handle = await baton.client.startSpec(spec, 'topic');
      const result = await handle.result();
      const own = await baton.client.temporal.workflow.getHandle(handle.workflowId).fetchHistory();
      const started = firstPayload(own.events?.[0]?.workflowExecutionStartedEventAttributes?.input) as { spec: { agents: Record<string, Record<string, unknown>> } };
      const ids = [0, 1].map((i) => `${handle.workflowId}/root.branches[${i}]`);
      const histories = await Promise.all(ids.map((id) => baton.client.temporal.workflow.getHandle(id).fetchHistory()));
      const inputs = histories.map((h) => firstPayload(h.events?.[0]?.workflowExecutionStartedEventAttributes?.input) as { agent: Record<string, unknown> });
      const calls = histories.map((h) => h.events?.find((e) => e.activityTaskScheduledEventAttributes)?.activityTaskScheduledEventAttributes);
      const states = await Promise.all(ids.map((id) => baton.client.temporal.workflow.getHandle(id).query(stateQuery)));
      return { result, inputs, calls, states, started };
    });
    // The spec run itself starts with its agents compacted the same way.
    expect(Object.keys(started.spec.agents.plain ?? {}).sort()).toEqual(['model', 'name', 'provider']);
    expect(started.spec.agents.tuned).toMatchObject({ limits: { maxTurns: 3 } });
    expect(Object.keys(inputs[0]?.agent ?? {}).sort()).toEqual(['model', 'name', 'provider']);
    expect(inputs[1]?.agent).toMatchObject({ name: 'tuned', limits: { maxTurns: 3, maxToolCallsPerTurn: 64 }, approval: { onTimeout: 'approve' } });
    expect(inputs[1]?.agent).not.toHaveProperty('modelCall');
    // Each child ran with the defaults: the model call's default retry policy and timeout, and each run its turn limit.
    expect(result.output).toBe('Result 1 (plain):\nplain answers\n\nResult 2 (tuned):\ntuned answers');
    for (const call of calls) expect({ attempts: call?.retryPolicy?.maximumAttempts, timeout: Number(call?.startToCloseTimeout?.seconds) }).toEqual({ attempts: 5, timeout: 120 });
    expect(states.map((s) => s.maxTurns)).toEqual([10, 3]);
    // The spec hash the parent recorded for the child is the whole spec's, as a run of that agent alone computes it.
    const alone = await baton.run(async () => (await baton.client.startAgent('plain', 'topic')).result());
    expect(states[0]?.specHash).toBe(alone.specHash);
  });
});
