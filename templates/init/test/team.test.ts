// Runs the team on Baton's scripted model against a real Temporal dev server: the one at
// TEMPORAL_ADDRESS, else one started for the test run (the `temporal` CLI must be installed).
import { describe, expect, it } from 'vitest';
import { loadWorkflowSpec, validateConfig } from 'baton';
import { createBatonTestEnv, handOffStep, scriptedModel, textStep, toolStep } from 'baton/testing';
import config from '../baton.config.js';

describe('the support team', () => {
  it('hands an order question from triage to orders, which looks the order up and answers', async () => {
    // The scripted model plays these replies in order and fails on any call it has no step for.
    const model = scriptedModel([
      handOffStep('triage', 'orders'),
      toolStep('orders', { name: 'lookup_order', arguments: { orderId: '42' } }),
      textStep('orders', 'Order 42 has shipped and arrives in 2 days.'),
    ]);
    const env = await createBatonTestEnv({ config, models: { openai: model } });
    try {
      const result = await env.run(async () => (await env.client.startAgent('triage', 'Where is order 42?')).result());
      expect(result.output).toBe('Order 42 has shipped and arrives in 2 days.');
      expect(result.path).toEqual(['triage', 'orders']);
      const lookup = result.messages.find((m) => m.role === 'tool' && m.name === 'lookup_order');
      expect(lookup?.content).toContain('"status":"shipped"');
      env.assertScriptsDone();
    } finally {
      await env.close();
    }
  });

  it('has a workflow spec that is valid for the config (it names only configured agents)', () => {
    // Paths are relative to the project folder, where `npm test` runs.
    const spec = loadWorkflowSpec('workflows/order-review.yaml', validateConfig(config));
    expect(spec.name).toBe('order-review');
  });
});
