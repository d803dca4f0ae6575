/**
 * The demo's config: a small team. Triage reads the request and hands it to the trip planner,
 * which checks the weather, converts a temperature and books a hotel (a high-risk tool that
 * waits for approval). It uses OpenAI or Anthropic when OPENAI_API_KEY or ANTHROPIC_API_KEY
 * is set, and Baton's scripted model otherwise.
 */
import { defineConfig } from '../../config/define-config';
import { bookHotel, convertTemperature, getWeather } from './tools';
import { demoScriptedModel } from './scripted-model';

export type DemoProvider = 'openai' | 'anthropic' | 'scripted';

/** Which provider the demo will use, from the environment. */
export function demoProvider(env: NodeJS.ProcessEnv = process.env): DemoProvider {
  if (env.OPENAI_API_KEY) return 'openai';
  if (env.ANTHROPIC_API_KEY) return 'anthropic';
  return 'scripted';
}

const models: Record<DemoProvider, string> = { openai: 'gpt-4o-mini', anthropic: 'claude-3-5-haiku-latest', scripted: 'scripted-demo' };

/** The agents the demo's run passes through, in order (the answer's `path`). */
export const demoPath = ['triage', 'trip-planner'];

export function demoConfig(provider: DemoProvider = demoProvider()) {
  const model = models[provider];
  return defineConfig({
    temporal: { taskQueue: 'baton-demo' },
    // Only the provider in use is configured: a configured provider's API key must be set.
    providers: { [provider]: provider === 'scripted' ? { type: 'scripted', model: demoScriptedModel() } : { type: provider } },
    agents: {
      triage: {
        description: 'Reads a traveller\'s request and passes travel planning to the trip planner.',
        provider,
        model,
        instructions: 'You are the front desk of a travel service. Hand any request about planning or booking a trip to the trip-planner agent; do not answer it yourself.',
        handoffs: ['trip-planner'],
        limits: { maxTurns: 3 },
      },
      'trip-planner': {
        description: 'Compares destinations by weather, says what to pack and books the hotel.',
        provider,
        model,
        instructions:
          'You plan weekend trips. Look up the weather in Oslo and Lisbon with get_weather, convert the warmer ' +
          'temperature to Fahrenheit with convert_temperature, book 2 nights in the warmer city with book_hotel, ' +
          'then answer in two sentences: where to go, what to pack, and the booking reference.',
        tools: ['get_weather', 'convert_temperature', 'book_hotel'],
        limits: { maxTurns: 8 },
      },
    },
    tools: [getWeather, convertTemperature, bookHotel],
  });
}
