/**
 * `npm run record-histories`: runs each scenario on a throwaway dev server and saves
 * its history under test/fixtures/histories/, where the replay test checks that today's
 * workflow code still replays it deterministically. Re-record only on purpose (a change
 * that must break old histories needs a `patched()` instead).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { NativeConnection } from '@temporalio/worker';
import { z } from 'zod';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import { BatonClient } from '../client/baton-client';
import { validateConfig } from '../config/define-config';
import { createBatonWorker } from '../workers/create-worker';
import { startEphemeralServer } from './ephemeral-server';

const outDir = path.join(__dirname, '..', 'test', 'fixtures', 'histories');

const lookup = defineTool({ name: 'lookup', description: 'Looks up a fact', input: z.object({ key: z.string() }), execute: ({ key }) => ({ key, value: key.length }) });

/** Each scenario: an agent, a scripted model, an input. */
const scenarios = {
  'agent-tools': {
    agent: { provider: 'scripted', model: 's', tools: ['lookup'] },
    model: () => new ScriptedModel([
      { reply: { toolCalls: [{ name: 'lookup', arguments: { key: 'alpha' } }, { name: 'lookup', arguments: { key: 'be' } }] } },
      { reply: { toolCalls: [{ name: 'lookup', arguments: { nope: 1 } }] } },
      { reply: { text: 'alpha=5, be=2' } },
    ]),
  },
  'agent-output-schema': {
    agent: { provider: 'scripted', model: 's', outputSchema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] } },
    model: () => new ScriptedModel([{ reply: { text: 'oops' } }, { reply: { text: '{"n": 1}' } }]),
  },
};

async function main(): Promise<void> {
  const server = await startEphemeralServer();
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  try {
    for (const [name, scenario] of Object.entries(scenarios)) {
      const config = validateConfig({
        temporal: { taskQueue: `record-${name}` },
        providers: { scripted: { type: 'scripted', model: scenario.model() } },
        agents: { agent: scenario.agent },
        tools: [lookup],
      });
      const worker = await createBatonWorker({ config, connection: nativeConnection });
      const baton = new BatonClient(client, config, { namespace: 'default' });
      const history = await worker.runUntil(async () => {
        const handle = await baton.startAgent('agent', `scenario ${name}`, { workflowId: `history-${name}` });
        await handle.result();
        return handle.fetchHistory();
      });
      writeFileSync(path.join(outDir, `${name}.json`), `${historyToJSON(history)}\n`);
      console.log(`recorded ${name}: ${history.events?.length} events`);
    }
  } finally {
    await nativeConnection.close();
    await client.connection.close();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
