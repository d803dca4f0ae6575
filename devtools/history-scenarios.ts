/** The single-agent scenarios `record-histories` records (the patterns come from examples/). */
import { z } from 'zod';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import { validateConfig, type BatonConfig } from '../config/define-config';

const lookup = defineTool({ name: 'lookup', description: 'Looks up a fact', input: z.object({ key: z.string() }), execute: ({ key }) => ({ key, value: key.length }) });

export function unitScenarios(): Array<{ name: string; config: BatonConfig }> {
  const scenario = (name: string, agent: Record<string, unknown>, model: ScriptedModel) => ({
    name,
    config: validateConfig({ temporal: { taskQueue: `record-${name}` }, providers: { scripted: { type: 'scripted', model } }, agents: { agent: { provider: 'scripted', model: 's', ...agent } }, tools: [lookup] }),
  });
  return [
    scenario('agent-tools', { tools: ['lookup'] }, new ScriptedModel([
      { reply: { toolCalls: [{ name: 'lookup', arguments: { key: 'alpha' } }, { name: 'lookup', arguments: { key: 'be' } }] } },
      { reply: { toolCalls: [{ name: 'lookup', arguments: { nope: 1 } }] } },
      { reply: { text: 'alpha=5, be=2' } },
    ])),
    scenario('agent-output-schema', { outputSchema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] } }, new ScriptedModel([{ reply: { text: 'oops' } }, { reply: { text: '{"n": 1}' } }])),
  ];
}
