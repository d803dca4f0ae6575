import { afterAll, describe, expect, it } from 'vitest';
import { ScriptedModel } from '../activities/providers/scripted';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv } from './helpers/temporal';

afterAll(closeTestEnv);

describe('supervisor: agents as tools', () => {
  it('calls other agents as tools, each as a child run, and answers from their results', async () => {
    const model = ScriptedModel.respondWith((req) => {
      const text = (req.messages[0] as { content: string }).content;
      if (req.agent.name === 'supervisor') {
        const answers = req.messages.filter((m) => m.role === 'tool');
        if (answers.length === 0) return { toolCalls: [{ name: 'ask_researcher', arguments: { request: 'facts about owls' } }, { name: 'ask_poet', arguments: { request: 'a line about owls' } }, { name: 'ask_stranger', arguments: { request: 'hi' } }] };
        return { text: answers.map((m) => m.content).join(' / ') };
      }
      return { text: `${req.agent.name}: ${text}` };
    });
    const agents = {
      supervisor: { provider: 'scripted', model: 's', agentTools: ['researcher', 'poet'] },
      researcher: { provider: 'scripted', model: 's', description: 'Finds facts' },
      poet: { provider: 'scripted', model: 's' },
      stranger: { provider: 'scripted', model: 's' },
    };
    const baton = await startTestBaton({ models: { scripted: model }, agents });
    const { result, child } = await baton.run(async () => {
      const handle = await baton.client.startAgent('supervisor', 'Tell me about owls');
      const result = await handle.result();
      const child = await baton.client.temporal.workflow.getHandle(`${handle.workflowId}/ask-call_1_0`).describe();
      return { result, child };
    });
    expect(result.output).toBe('researcher: facts about owls / poet: a line about owls / Cannot ask "stranger": supervisor may ask only researcher, poet.');
    expect(child.type).toBe('agentWorkflow');
    expect(model.calls[0]?.tools.map((t) => t.name)).toEqual(['ask_researcher', 'ask_poet']);
    expect(model.calls[0]?.tools[0]?.description).toBe('Ask the researcher agent to do a task and return its answer (Finds facts).');
  });
});
