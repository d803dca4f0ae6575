// Config for the pattern examples: a team of agents on Baton's scripted model (offline).
// Run a worker with:  npx baton --config examples/patterns/baton.config.ts worker
import { z } from 'zod';
import { defineConfig } from '../../config/define-config';
import { defineTool } from '../../activities';
import { scriptedTeam } from './scripted-team';

const lookupInvoice = defineTool({
  name: 'lookup_invoice',
  description: 'Finds an invoice by id (example data)',
  input: z.object({ invoiceId: z.string() }),
  execute: ({ invoiceId }) => ({ invoiceId, amount: 120, status: 'paid', customer: 'ACME' }),
});

const issueRefund = defineTool({
  name: 'issue_refund',
  description: 'Refunds an invoice (example: records the refund only)',
  input: z.object({ invoiceId: z.string(), amount: z.number().positive() }),
  risk: 'high', // needs a person's approval: baton pending / baton approve
  execute: ({ invoiceId, amount }, ctx) => ({ refunded: amount, invoiceId, reference: ctx.idempotencyKey }),
});

const agent = (description: string, extra: Record<string, unknown> = {}) => ({ provider: 'scripted', model: 'scripted-team', description, ...extra });

export default defineConfig({
  temporal: { taskQueue: 'baton-examples' },
  providers: { scripted: { type: 'scripted', model: scriptedTeam() } },
  agents: {
    triage: agent('Answers general questions and hands billing questions on', { handoffs: ['billing'] }),
    billing: agent('Knows invoices', { tools: ['lookup_invoice'], handoffs: ['refunds'] }),
    refunds: agent('Issues refunds', { tools: ['issue_refund'] }),
    classifier: agent('Picks a route: billing, technical or general'),
    'tech-support': agent('Fixes technical problems'),
    concierge: agent('Handles everything else'),
    researcher: agent('Researches one topic'),
    'fact-checker': agent('Checks facts'),
    planner: agent('Splits a job into subtasks for researchers', {
      outputSchema: { type: 'object', properties: { subtasks: { type: 'array', items: { type: 'object', properties: { agent: { enum: ['researcher'] }, input: { type: 'string' } }, required: ['agent', 'input'] } } }, required: ['subtasks'] },
    }),
    writer: agent('Writes the final text'),
    critic: agent('Reviews drafts'),
    editor: agent('Supervises: asks the researcher and the fact-checker', { agentTools: ['researcher', 'fact-checker'] }),
    chat: agent('Chats in a long session'),
  },
  tools: [lookupInvoice, issueRefund],
});
