/**
 * `npm run record-histories`: runs each scenario on a throwaway dev server and saves
 * its history under test/fixtures/histories/, where the replay test checks that today's
 * workflow code still replays it deterministically. Re-record only on purpose (a change
 * that must break old histories needs a `patched()` instead).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { BatonClient } from '../client/baton-client';
import { loadConfig } from '../config/load-config';
import { loadWorkflowSpec } from '../config/load-spec';
import { decideApprovalUpdate, specStateQuery, stateQuery } from '../workflows';
import { createBatonWorker } from '../workers/create-worker';
import { startEphemeralServer } from './ephemeral-server';
import { unitScenarios } from './history-scenarios';

const outDir = path.join(__dirname, '..', 'test', 'fixtures', 'histories');
const examples = path.join(__dirname, '..', 'examples', 'patterns');

async function approveFirst(handle: WorkflowHandle, spec: boolean): Promise<void> {
  for (;;) {
    const state = spec ? await handle.query(specStateQuery) : await handle.query(stateQuery);
    const pending = state.pendingApprovals[0];
    if (pending) return void (await handle.executeUpdate(decideApprovalUpdate, { args: [{ approvalId: pending.id, approve: true, reason: 'recorded' }] }));
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const server = await startEphemeralServer();
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const save = async (name: string, handle: WorkflowHandle) => {
    const history = await handle.fetchHistory();
    writeFileSync(path.join(outDir, `${name}.json`), `${historyToJSON(history)}\n`);
    console.log(`recorded ${name}: ${history.events?.length} events`);
  };
  try {
    for (const scenario of unitScenarios()) {
      const worker = await createBatonWorker({ config: scenario.config, connection: nativeConnection });
      const baton = new BatonClient(client, scenario.config, { namespace: 'default' });
      await worker.runUntil(async () => {
        const handle = await baton.startAgent('agent', `scenario ${scenario.name}`, { workflowId: `history-${scenario.name}` });
        await handle.result();
        await save(scenario.name, handle);
      });
    }
    const config = await loadConfig(path.join(examples, 'baton.config.ts'));
    const worker = await createBatonWorker({ config, connection: nativeConnection });
    const baton = new BatonClient(client, config, { namespace: 'default' });
    await worker.runUntil(async () => {
      const handoff = await baton.startAgent('triage', 'Please refund invoice INV-1042', { workflowId: 'history-pattern-handoff-approval' });
      await approveFirst(handoff, false);
      await handoff.result();
      await save('pattern-handoff-approval', handoff);
      const supervisor = await baton.startAgent('editor', 'Owls', { workflowId: 'history-pattern-supervisor' });
      await supervisor.result();
      await save('pattern-supervisor', supervisor);
      for (const [file, input] of [['route.yaml', 'My invoice is wrong'], ['parallel.yaml', 'Durable execution'], ['orchestrator.yaml', 'Temporal'], ['loop.yaml', 'Explain sagas'], ['approval.yaml', 'Launch plan'], ['generated.yaml', 'Vector clocks']] as const) {
        const name = `pattern-${file.replace('.yaml', '')}`;
        const handle = await baton.startSpec(loadWorkflowSpec(path.join(examples, file), config), input, { workflowId: `history-${name}` });
        if (file === 'approval.yaml') await approveFirst(handle, true);
        await handle.result();
        await save(name, handle);
      }
      const session = await baton.startSession('chat', { workflowId: 'history-pattern-session-continued', maxTurnsPerRun: 3 });
      for (let i = 1; i <= 4; i++) await baton.sendMessage(session.workflowId, `hello ${i}`);
      const { runId } = await session.describe();
      await save('pattern-session-continued', client.workflow.getHandle(session.workflowId, (await firstRun(client, session.workflowId)) ?? runId));
    });
  } finally {
    await nativeConnection.close();
    await client.connection.close();
    await server.stop();
  }
}

/** The first run of a continue-as-new chain (the one that continued as new). */
async function firstRun(client: Client, workflowId: string): Promise<string | undefined> {
  const runs = [];
  for await (const run of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) runs.push(run);
  return runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime())[0]?.runId;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
