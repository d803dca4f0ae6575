// The tool examples: a tool package (./weather-tools), an MCP server from npm over stdio,
// on Baton's scripted model (offline). Run a worker, then an agent:
//   npx baton --config examples/tools/baton.config.ts worker
//   npx baton --config examples/tools/baton.config.ts run forecaster --input Oslo --wait
//   npx baton --config examples/tools/baton.config.ts run alerter --input Oslo   # then: baton pending / baton approve
import path from 'node:path';
import { defineConfig } from '../../config/define-config';
import { ScriptedModel } from '../../activities/providers/scripted';
import { alertSubscribers, forecast } from './weather-tools';

type Forecast = { city: string; days: Array<{ day: number; highC: number; rainMm: number }> };

// Stands in for an LLM: asks for a forecast, then has an MCP server add two numbers, then answers.
const model = ScriptedModel.respondWith(({ agent, messages }) => {
  const city = (messages[0] as { content: string }).content.trim();
  const results = messages.filter((m) => m.role === 'tool');
  if (agent.name === 'alerter') {
    return results.length ? { text: `Alert for ${city}: ${results[0]?.content}` } : { toolCalls: [{ name: 'alert_subscribers', arguments: { city, message: `Heavy rain expected in ${city}` } }] };
  }
  if (results.length === 0) return { toolCalls: [{ name: 'forecast', arguments: { city, days: 3 } }] };
  const report = JSON.parse(results[0]?.content ?? '{}') as Forecast;
  const [first, second] = report.days;
  if (results.length === 1) return { toolCalls: [{ name: 'everything__get-sum', arguments: { a: first?.highC ?? 0, b: second?.highC ?? 0 } }] };
  return { text: `${report.city}: highs ${report.days.map((d) => d.highC).join('/')} °C, rain ${report.days.map((d) => d.rainMm).join('/')} mm. MCP says: ${results[1]?.content}` };
});

export default defineConfig({
  temporal: { taskQueue: 'baton-tool-examples' },
  providers: { scripted: { type: 'scripted', model } },
  agents: {
    forecaster: { provider: 'scripted', model: 'scripted-weather', tools: ['forecast', 'everything__get-sum'] },
    alerter: { provider: 'scripted', model: 'scripted-weather', tools: ['alert_subscribers'] },
  },
  tools: [forecast, alertSubscribers({ outbox: process.env.WEATHER_OUTBOX ?? path.resolve('.baton/example-outbox.tsv') })],
  mcpServers: {
    // The reference "everything" server from npm, started as a child process of the worker.
    everything: { command: process.execPath, args: [path.join(__dirname, '../../node_modules/@modelcontextprotocol/server-everything/dist/index.js'), 'stdio'] },
  },
});
