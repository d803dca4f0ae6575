import { afterAll, describe, expect, it } from 'vitest';
import { ScriptedModel } from '../activities/providers/scripted';
import { AgentSpecSchema } from '../core';
import { compactAgentSpec, withAgentDefaults } from '../core/agent-defaults';
import { specHash } from '../core/hash';
import { runInputFor } from '../config/define-config';
import { firstPayload } from '../client/inspect';
import { stateQuery } from '../workflows';
import { startTestBaton } from './helpers/baton';
import { specFor } from './helpers/spec';
import { closeTestEnv } from './helpers/temporal';

afterAll(closeTestEnv);

describe('a spec run\'s and an agent run\'s start input', () => {
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

  it('starts an agent run with its agents\' non-default fields only; the run fills the defaults in', async () => {
    const model = ScriptedModel.respondWith((req) => (req.agent.name === 'lead' && !req.messages.some((m) => m.role === 'tool') ? { toolCalls: [{ name: 'transfer_to_helper', arguments: {} }] } : { text: `${req.agent.name} answers` }));
    const baton = await startTestBaton({
      models: { scripted: model },
      agents: { lead: { provider: 'scripted', model: 's', handoffs: ['helper'], limits: { maxTurns: 4 } }, helper: { provider: 'scripted', model: 's', approval: { onTimeout: 'approve' } } },
    });
    const { result, input, call, state } = await baton.run(async () => {
      const handle = await baton.client.startAgent('lead', 'topic');
      const result = await handle.result();
      const history = await baton.client.temporal.workflow.getHandle(handle.workflowId).fetchHistory();
      const input = firstPayload(history.events?.[0]?.workflowExecutionStartedEventAttributes?.input) as { agent: Record<string, unknown>; team: Array<Record<string, unknown>>; specHash: string };
      const call = history.events?.find((e) => e.activityTaskScheduledEventAttributes)?.activityTaskScheduledEventAttributes;
      const state = await handle.query(stateQuery);
      return { result, input, call, state };
    });
    expect(Object.keys(input.agent).sort()).toEqual(['handoffs', 'limits', 'model', 'name', 'provider']);
    expect(input.team.map((a) => Object.keys(a).sort())).toEqual([['approval', 'model', 'name', 'provider']]);
    expect(input.team[0]).toMatchObject({ approval: { onTimeout: 'approve', minRisk: 'high', tools: [] } });
    // The run used the defaults: the model call's retry policy and timeout, the hand-off, the turn limit it was given.
    expect(result.output).toBe('helper answers');
    expect(result.path).toEqual(['lead', 'helper']);
    expect({ attempts: call?.retryPolicy?.maximumAttempts, timeout: Number(call?.startToCloseTimeout?.seconds) }).toEqual({ attempts: 5, timeout: 120 });
    // The hash is the whole spec's, as before: the same as the workflow computes from the filled-in input.
    const whole = runInputFor(baton.config, 'lead', 'topic');
    expect(state.specHash).toBe(input.specHash);
    expect(input.specHash).toBe(specHash({ agent: whole.agent, tools: whole.tools, team: whole.team }));
  });
});
