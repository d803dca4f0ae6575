/** `baton replay <id>` and `baton history export <id> --out <file>`. */
import { writeFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { replayRun } from '../../ops/replay';
import { connect, type GlobalFlags } from '../context';

export interface ReplayFlags {
  runId?: string;
  children?: boolean;
  workflows?: string;
}

/** The SDK logs each failed replay as a warning; the command reports it itself. */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // This process already has a Runtime (an embedding application, or a test): keep it.
  }
}

/** Exit 0 when every history replays cleanly, 1 otherwise. */
export async function replayCommand(id: string, flags: ReplayFlags, globals: GlobalFlags): Promise<number> {
  quietRuntime();
  const { client } = await connect(globals);
  const outcomes = await replayRun(client, id, { runId: flags.runId, children: flags.children, workflowsPath: flags.workflows });
  for (const o of outcomes) {
    if (o.ok) console.log(`${o.workflowId} (run ${o.runId}): replays cleanly`);
    else console.log(`${o.workflowId} (run ${o.runId}): does not replay${o.eventId ? ` — diverged at event ${o.eventId}` : ''}\n  ${o.error}`);
  }
  return outcomes.every((o) => o.ok) ? 0 : 1;
}

/** Saves a run's history as JSON (the format `Worker.runReplayHistory` and replay tests read). */
export async function historyExportCommand(id: string, flags: { runId?: string; out: string }, globals: GlobalFlags): Promise<number> {
  const { client } = await connect(globals);
  const history = await client.workflow.getHandle(id, flags.runId).fetchHistory();
  writeFileSync(flags.out, historyToJSON(history));
  console.log(`wrote ${history.events?.length ?? 0} events of ${id} to ${flags.out}`);
  return 0;
}
