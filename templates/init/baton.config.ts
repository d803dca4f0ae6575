// Your team: providers, agents and tools. `baton worker` and `baton run` read this file.
import { defineConfig } from 'baton';
import { lookupOrder } from './tools/lookup-order.js';

export default defineConfig({
  // The Temporal server comes from TEMPORAL_ADDRESS (default 127.0.0.1:7233: `npm run dev`).
  temporal: { taskQueue: 'support' },
  providers: {
    // The key comes from OPENAI_API_KEY. For a local model (Ollama, vLLM, LM Studio):
    // local: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:11434/v1' },
    openai: { type: 'openai' },
  },
  agents: {
    triage: {
      provider: 'openai',
      model: 'gpt-4o-mini',
      instructions: 'You greet customers and answer general questions. Hand any question about a specific order to the orders agent.',
      handoffs: ['orders'],
    },
    orders: {
      provider: 'openai',
      model: 'gpt-4o-mini',
      instructions: 'You answer questions about orders. Look the order up before you answer, and say what you found.',
      tools: ['lookup_order'],
      limits: { maxTurns: 6 },
    },
  },
  tools: [lookupOrder],
});
