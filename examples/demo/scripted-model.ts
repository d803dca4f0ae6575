/**
 * The offline demo's model: Baton's scripted provider, answering from the conversation
 * so far (no network, no LLM). It asks for tools over three turns and writes its answer
 * from the tool results it received, so every step of the run is real except the model.
 */
import { ScriptedModel } from '../../activities/providers/scripted';
import type { Message } from '../../core';

function toolResults(messages: Message[], name: string): Array<Record<string, unknown>> {
  return messages.filter((m) => m.role === 'tool' && m.name === name && !m.isError).map((m) => JSON.parse((m as { content: string }).content));
}

export function demoScriptedModel(): ScriptedModel {
  return ScriptedModel.respondWith(({ messages }) => {
    const weather = toolResults(messages, 'get_weather');
    const converted = toolResults(messages, 'convert_temperature');
    if (weather.length === 0) {
      return { toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }, { name: 'get_weather', arguments: { city: 'Lisbon' } }] };
    }
    const warmest = [...weather].sort((a, b) => Number(b.celsius) - Number(a.celsius))[0] as Record<string, unknown>;
    if (converted.length === 0) {
      return { toolCalls: [{ name: 'convert_temperature', arguments: { celsius: warmest.celsius } }] };
    }
    const lines = weather.map((w) => `${w.city}: ${w.celsius} °C, ${w.sky}`);
    return {
      text: `${lines.join('; ')}. Pack for ${warmest.city}: ${warmest.celsius} °C (${converted[0]?.fahrenheit} °F) and ${warmest.sky}.`,
    };
  });
}
