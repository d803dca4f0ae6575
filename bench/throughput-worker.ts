/**
 * One worker process for the throughput and parked-memory rows: `baton` runs Baton's worker
 * on a zero-latency scripted model, `bare` the bare workflows doing the same activities.
 * `tsx bench/throughput-worker.ts <baton|bare> <address> <taskQueue>`; prints "ready".
 */
import path from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { z } from 'zod';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import { validateConfig } from '../config/define-config';
import { createBatonWorker } from '../workers/create-worker';
import * as bareActivities from './bare-activities';

const quiet = { trace: () => undefined, debug: () => undefined, info: () => undefined, log: () => undefined, warn: console.warn, error: console.error };

/** The Baton side: `runner` calls one tool then answers; `parked` asks for a high-risk tool that waits for approval. */
export function throughputConfig(taskQueue: string) {
  const noop = defineTool({ name: 'noop', description: 'Does nothing', input: z.object({ turn: z.number() }), execute: ({ turn }) => ({ ok: true, turn }) });
  const guarded = defineTool({ name: 'guarded', description: 'Needs approval', risk: 'high', input: z.object({ turn: z.number() }), execute: ({ turn }) => ({ ok: true, turn }) });
  const model = ScriptedModel.respondWith(({ agent, messages }) => {
    if (messages.some((m) => m.role === 'tool')) return { text: 'ok' };
    return { toolCalls: [{ name: agent.name === 'parked' ? 'guarded' : 'noop', arguments: { turn: 1 } }] };
  });
  return validateConfig({
    temporal: { taskQueue },
    providers: { scripted: { type: 'scripted', model } },
    agents: {
      runner: { provider: 'scripted', model: 'zero-latency', tools: ['noop'] },
      parked: { provider: 'scripted', model: 'zero-latency', tools: ['guarded'] },
    },
    tools: [noop, guarded],
  });
}

async function main(): Promise<void> {
  const [kind, address, taskQueue] = process.argv.slice(2) as [string, string, string];
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address });
  const worker = kind === 'baton'
    ? await createBatonWorker({ config: throughputConfig(taskQueue), connection })
    : await Worker.create({ connection, taskQueue, activities: bareActivities, workflowBundle: await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'bare-workflow.ts'), logger: quiet }) });
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => worker.shutdown());
  await worker.run();
  await connection.close();
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
