/** Provider settings in the config file, and the providers built from them on a worker. */
import { z } from 'zod';
import { AnthropicProvider } from './anthropic';
import { OpenAIProvider, placeholderApiKey } from './openai';
import type { ScriptedModel } from './scripted';
import type { ModelProvider } from './provider';

function isModelProvider(value: unknown): value is ModelProvider {
  return typeof value === 'object' && value !== null && typeof (value as ModelProvider).complete === 'function' && typeof (value as ModelProvider).kind === 'string';
}

const PricesSchema = z.record(z.string(), z.object({ inputPerMillion: z.number().nonnegative(), outputPerMillion: z.number().nonnegative() }).strict());

/** Stream this provider's text to watchers as it is produced (an agent's own `stream` wins). */
const streamFlag = z.boolean().optional();

export const ProviderConfigSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('openai'), apiKeyEnv: z.string().default('OPENAI_API_KEY'), baseURL: z.string().url().optional(), organization: z.string().optional(), prices: PricesSchema.optional(), stream: streamFlag }).strict(),
  z.object({ type: z.literal('anthropic'), apiKeyEnv: z.string().default('ANTHROPIC_API_KEY'), baseURL: z.string().url().optional(), maxTokens: z.number().int().positive().optional(), prices: PricesSchema.optional(), stream: streamFlag }).strict(),
  z.object({ type: z.literal('openai-compatible'), baseURL: z.string().url(), apiKeyEnv: z.string().optional(), structuredOutput: z.boolean().default(false), prices: PricesSchema.optional(), stream: streamFlag }).strict(),
  // Duck-typed: a config loaded through tsx may hold a ScriptedModel from another module instance.
  // Prices too, so tests and the offline demo can show costs and hit cost budgets.
  z.object({ type: z.literal('scripted'), model: z.custom<ScriptedModel>(isModelProvider, 'expected a ScriptedModel (or any ModelProvider) instance'), prices: PricesSchema.optional(), stream: streamFlag }).strict(),
]);

export type ProviderConfig = z.output<typeof ProviderConfigSchema>;

/** A configured provider whose API key variable is not set: stops the worker at start. */
export class MissingApiKeyError extends Error {
  override readonly name = 'MissingApiKeyError';
  constructor(provider: string, variable: string) {
    super(`provider "${provider}" needs an API key: set ${variable} in the worker's environment`);
  }
}

function requireKey(name: string, variable: string, env: NodeJS.ProcessEnv): string {
  const key = env[variable];
  if (!key) throw new MissingApiKeyError(name, variable);
  return key;
}

/** Builds a provider; API keys are read from `env` here and nowhere else (the adapters register them for redaction). */
export function createProvider(name: string, config: ProviderConfig, env: NodeJS.ProcessEnv = process.env): ModelProvider {
  switch (config.type) {
    case 'openai':
      return new OpenAIProvider({ label: name, apiKey: requireKey(name, config.apiKeyEnv, env), apiKeyEnv: config.apiKeyEnv, baseURL: config.baseURL, organization: config.organization, structuredOutput: true });
    case 'anthropic':
      return new AnthropicProvider({ label: name, apiKey: requireKey(name, config.apiKeyEnv, env), apiKeyEnv: config.apiKeyEnv, baseURL: config.baseURL, defaultMaxTokens: config.maxTokens });
    case 'openai-compatible':
      // Local servers usually need no key; the SDK still wants a non-empty string.
      return new OpenAIProvider({ label: name, apiKey: (config.apiKeyEnv && env[config.apiKeyEnv]) || placeholderApiKey, apiKeyEnv: config.apiKeyEnv, baseURL: config.baseURL, structuredOutput: config.structuredOutput });
    case 'scripted':
      return config.model;
  }
}
