/**
 * `npm run demo`: starts the dev server if none runs, starts a worker, runs the travel
 * agent (tools over several turns), prints the result and the run's Web UI link, stops
 * the worker and leaves the server running so the link keeps working.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { validateConfig } from '../../config/define-config';
import { createBatonWorker } from '../../workers/create-worker';
import { BatonClient } from '../../client/baton-client';
import { connectWorker, resolveConnectionSettings } from '../../client/connection';
import { followProgress } from '../../client/cli/commands/run';
import { formatUsage } from '../../client/cli/format';
import type { AgentRunResult } from '../../core';
import { demoConfig, demoProvider } from './config';

const root = path.resolve(__dirname, '../..');

function explainProvider(provider: string): string {
  if (provider !== 'scripted') return `Model: ${provider} (real API calls; your key is read from the environment).`;
  return [
    'OFFLINE DEMO: no OPENAI_API_KEY or ANTHROPIC_API_KEY is set, so the model is Baton\'s SCRIPTED model:',
    'canned, deterministic replies computed from the conversation, no LLM involved. Everything else is real:',
    'a Temporal dev server, a Baton worker, and a durable activity for every model and tool call.',
  ].join('\n');
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const provider = demoProvider();
  console.log(`${explainProvider(provider)}\n`);
  if (!process.env.TEMPORAL_ADDRESS) execFileSync(path.join(root, 'temporal-dev.sh'), ['start'], { stdio: 'inherit' });

  const config = validateConfig(demoConfig(provider), 'examples/demo/config.ts');
  const settings = resolveConnectionSettings({}, config.temporal);
  const connection = await connectWorker(settings);
  const worker = await createBatonWorker({ config, connection, namespace: settings.namespace });
  const baton = await BatonClient.connect(config);
  const question = 'I am off to Oslo or Lisbon this weekend. What should I pack for?';

  const result = await worker.runUntil(async () => {
    const handle = await baton.startAgent('travel-agent', question);
    const link = baton.uiUrl(handle.workflowId, handle.firstExecutionRunId);
    console.log(`\nStarted run ${handle.workflowId}\nWeb UI: ${link}\n\nQ: ${question}`);
    const done = handle.result() as Promise<AgentRunResult>;
    await followProgress(handle, done, (line) => console.log(line));
    return { value: await done, link };
  });
  await connection.close();

  console.log(`\nA: ${result.value.output}\n`);
  console.log(`${result.value.turns} turns · ${formatUsage(result.value.usage)}`);
  console.log(`Web UI: ${result.link}`);
  console.log('\nThe worker has stopped. The Temporal dev server is still running so the link works;');
  console.log('stop it with ./temporal-dev.sh stop');
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
