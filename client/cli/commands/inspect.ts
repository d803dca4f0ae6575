/** `baton inspect <id>`: the run as a tree, read from its history and its children's. */
import { inspectRun } from '../../inspect';
import { renderTree } from '../../inspect-render';
import { connect, UsageError, type GlobalFlags } from '../context';
import { forTerminal } from '../terminal-text';

export async function inspectCommand(id: string, flags: { runId?: string; json?: boolean; depth?: string }, globals: GlobalFlags): Promise<number> {
  const maxDepth = flags.depth === undefined ? 5 : Number(flags.depth);
  if (!Number.isInteger(maxDepth) || maxDepth < 0) throw new UsageError(`--depth must be a whole number, not "${flags.depth}"`);
  const { client, ui } = await connect(globals);
  const run = await inspectRun(client, id, { runId: flags.runId, maxDepth });
  if (flags.json) console.log(JSON.stringify(run, null, 2));
  // The tree carries model and tool text: stripped of escape sequences on a terminal, never in --json.
  else console.log(forTerminal(`${renderTree(run)}\nweb ui: ${ui(run.workflowId, run.runId)}`));
  return 0;
}
