/**
 * The scripted model behind the pattern examples: each agent answers from its name and
 * input, offline and deterministically. It stands in for a real LLM so every pattern
 * can be run and watched in the Web UI without an API key.
 */
import { ScriptedModel, type ScriptReply } from '../../activities/providers/scripted';
import type { ModelRequest } from '../../core';

const lastUser = (req: ModelRequest) => [...req.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
const toolResults = (req: ModelRequest) => req.messages.filter((m) => m.role === 'tool');

const replies = new Map<string, (req: ModelRequest) => ScriptReply>(Object.entries({
  // Hand-offs: triage passes billing questions to billing, which may pass refunds on.
  triage: (req) => (/invoice|refund|charge/i.test(lastUser(req)) ? { toolCalls: [{ name: 'transfer_to_billing', arguments: { reason: 'billing question' } }] } : { text: 'Triage: I can help with that directly.' }),
  billing: (req) => {
    if (toolResults(req).every((m) => m.name !== 'lookup_invoice')) return { toolCalls: [{ name: 'lookup_invoice', arguments: { invoiceId: 'INV-1042' } }] };
    if (/refund/i.test(lastUser(req))) return { toolCalls: [{ name: 'transfer_to_refunds', arguments: { reason: 'customer wants a refund' } }] };
    return { text: `Billing: ${toolResults(req).at(-1)?.content}` };
  },
  refunds: (req) => (toolResults(req).some((m) => m.name === 'issue_refund')
    ? { text: `Refunds: done. ${toolResults(req).at(-1)?.content}` }
    : { toolCalls: [{ name: 'issue_refund', arguments: { invoiceId: 'INV-1042', amount: 120 } }] }),
  // Routing.
  classifier: (req) => ({ text: JSON.stringify({ route: /invoice|bill|refund/i.test(lastUser(req)) ? 'billing' : /bug|error|crash/i.test(lastUser(req)) ? 'technical' : 'general' }) }),
  'tech-support': (req) => ({ text: `Tech support: try turning it off and on again (${lastUser(req).slice(0, 40)}).` }),
  concierge: () => ({ text: 'Concierge: happy to help with anything else.' }),
  // Parallel, orchestrator-workers, generated workflows.
  researcher: (req) => ({ text: `Notes on "${lastUser(req).slice(0, 60)}": three key facts.` }),
  'fact-checker': (req) => ({ text: `Checked "${lastUser(req).slice(0, 40)}": no errors found.` }),
  planner: (req) => (req.agent.outputSchema && 'steps' in ((req.agent.outputSchema as { properties?: object }).properties ?? {})
    ? { text: JSON.stringify({ steps: { kind: 'sequence', steps: [{ kind: 'agent', agent: 'researcher' }, { kind: 'agent', agent: 'writer' }] } }) }
    : { text: JSON.stringify({ subtasks: ['history', 'current use', 'open problems'].map((part) => ({ agent: 'researcher', input: `${lastUser(req)}: ${part}` })) }) }),
  writer: (req) => ({ text: /Reviewer feedback/.test(lastUser(req)) ? 'Draft 2: a tighter, sourced summary.' : `Draft 1 from ${lastUser(req).split('\n').length} lines of material.` }),
  // Supervisor: the editor asks other agents, as tools, and combines their answers.
  editor: (req) => (toolResults(req).length
    ? { text: `Editor: ${toolResults(req).map((m) => m.content).join(' + ')}` }
    : { toolCalls: [{ name: 'ask_researcher', arguments: { request: lastUser(req) } }, { name: 'ask_fact-checker', arguments: { request: lastUser(req) } }] }),
  // Sessions: a chat agent that remembers how long the conversation is.
  chat: (req) => ({ text: `Chat: message ${req.messages.filter((m) => m.role === 'user').length} received.` }),
  // Evaluator-optimizer.
  critic: (req) => ({ text: JSON.stringify(/Draft 2/.test(lastUser(req)) ? { accept: true, feedback: 'Good: sourced and tight.' } : { accept: false, feedback: 'Cite sources and cut it by half.' }) }),
} satisfies Record<string, (req: ModelRequest) => ScriptReply>));

export function scriptedTeam(): ScriptedModel {
  return ScriptedModel.respondWith((req) => {
    // The agent's name comes from the request: a Map, so `constructor` or `__proto__` find no script.
    const reply = replies.get(req.agent.name);
    if (!reply) throw new Error(`the scripted team has no script for agent "${req.agent.name}"`);
    return reply(req);
  });
}
