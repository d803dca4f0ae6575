/**
 * The demo's config: one travel agent with two tools. It uses OpenAI or Anthropic when
 * OPENAI_API_KEY or ANTHROPIC_API_KEY is set, and Baton's scripted model otherwise.
 */
import { defineConfig } from '../../config/define-config';
import { convertTemperature, getWeather } from './tools';
import { demoScriptedModel } from './scripted-model';

export type DemoProvider = 'openai' | 'anthropic' | 'scripted';

/** Which provider the demo will use, from the environment. */
export function demoProvider(env: NodeJS.ProcessEnv = process.env): DemoProvider {
  if (env.OPENAI_API_KEY) return 'openai';
  if (env.ANTHROPIC_API_KEY) return 'anthropic';
  return 'scripted';
}

const models: Record<DemoProvider, string> = { openai: 'gpt-4o-mini', anthropic: 'claude-3-5-haiku-latest', scripted: 'scripted-demo' };

export function demoConfig(provider: DemoProvider = demoProvider()) {
  return defineConfig({
    temporal: { taskQueue: 'baton-demo' },
    // Only the provider in use is configured: a configured provider's API key must be set.
    providers: { [provider]: provider === 'scripted' ? { type: 'scripted', model: demoScriptedModel() } : { type: provider } },
    agents: {
      'travel-agent': {
        description: 'Compares the weather in two cities and says which to pack for.',
        provider,
        model: models[provider],
        instructions:
          'You help travellers pack. Look up the weather in Oslo and Lisbon with get_weather, convert the warmer ' +
          'temperature to Fahrenheit with convert_temperature, then answer in one or two sentences.',
        tools: ['get_weather', 'convert_temperature'],
        limits: { maxTurns: 6 },
      },
    },
    tools: [getWeather, convertTemperature],
  });
}
