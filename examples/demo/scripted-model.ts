/**
 * The offline demo's model: Baton's scripted provider, answering from the conversation so
 * far (no network, no LLM). Triage hands off; the trip planner asks for tools over four
 * turns and writes its answer from the tool results it received, so every step of the run
 * is real except the model.
 */
import type { Message, ModelRequest } from '../../core';
import type { ScriptReply } from '../../activities/providers/scripted';
import { respondingModel, type ScriptedModel } from '../../testing/scripted';

function toolResults(messages: Message[], name: string): Array<Record<string, unknown>> {
  return messages.filter((m) => m.role === 'tool' && m.name === name && !m.isError).map((m) => JSON.parse((m as { content: string }).content));
}

function tripPlanner({ messages }: ModelRequest): ScriptReply {
  const weather = toolResults(messages, 'get_weather');
  if (weather.length === 0) {
    return { toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }, { name: 'get_weather', arguments: { city: 'Lisbon' } }] };
  }
  const warmest = [...weather].sort((a, b) => Number(b.celsius) - Number(a.celsius))[0] as Record<string, unknown>;
  const converted = toolResults(messages, 'convert_temperature');
  if (converted.length === 0) return { toolCalls: [{ name: 'convert_temperature', arguments: { celsius: warmest.celsius } }] };
  const bookingReply = messages.find((m) => m.role === 'tool' && m.name === 'book_hotel');
  if (!bookingReply) return { toolCalls: [{ name: 'book_hotel', arguments: { city: warmest.city, nights: 2 } }] };
  const booking = toolResults(messages, 'book_hotel')[0];
  const lines = weather.map((w) => `${w.city}: ${w.celsius} °C, ${w.sky}`);
  // A rejected approval comes back as a tool error with the person's reason.
  const booked = booking?.booked ? `Booked 2 nights in ${booking.city} (€${booking.totalEur}, ref ${booking.reference}).` : `No hotel booked: ${booking?.error ?? (bookingReply as { content: string }).content}.`;
  return { text: `${lines.join('; ')}. Go to ${warmest.city} and pack for ${warmest.celsius} °C (${converted[0]?.fahrenheit} °F) and ${warmest.sky}. ${booked}` };
}

export function demoScriptedModel(): ScriptedModel {
  return respondingModel((request) => {
    if (request.agent.name === 'triage') return { toolCalls: [{ name: 'transfer_to_trip-planner', arguments: { reason: 'trip planning and a booking' } }] };
    if (request.agent.name === 'trip-planner') return tripPlanner(request);
    throw new Error(`the demo's scripted model has no script for agent "${request.agent.name}"`);
  });
}
