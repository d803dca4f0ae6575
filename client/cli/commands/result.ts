/** `baton result <id> [--wait]` and the shared failure formatting. */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import type { AgentRunResult } from '../../../core';
import { connect, type GlobalFlags } from '../context';
import { formatUsage } from '../format';
import { forTerminal } from '../terminal-text';

/** `<type>: <message>` of the failure that ended a run, as a person needs it. */
export function describeRunFailure(err: unknown): string {
  let cause: unknown = err instanceof WorkflowFailedError ? err.cause : err;
  while (cause instanceof TemporalFailure && !(cause instanceof ApplicationFailure) && cause.cause) cause = cause.cause;
  if (cause instanceof ApplicationFailure) return `${cause.type ?? 'Error'}: ${cause.message}`;
  return cause instanceof Error ? cause.message : String(cause);
}

export async function resultCommand(id: string, flags: { wait?: boolean; json?: boolean }, globals: GlobalFlags): Promise<number> {
  const { client } = await connect(globals);
  const handle = client.workflow.getHandle(id);
  const description = await handle.describe();
  if (description.status.name === 'RUNNING' && !flags.wait) {
    console.log(`${id} is still running; use --wait to wait for its result`);
    return 3;
  }
  try {
    const result = (await handle.result()) as AgentRunResult;
    if (flags.json) console.log(JSON.stringify(result, null, 2));
    else {
      // Model text is untrusted: escape sequences are stripped on a terminal (JSON already escapes them).
      console.log(result.structuredOutput !== undefined ? JSON.stringify(result.structuredOutput, null, 2) : forTerminal(result.output));
      console.error(`${result.agent} · ${result.turns} turns · ${formatUsage(result.usage)}`);
    }
    return 0;
  } catch (err) {
    console.error(`${id} ${description.status.name.toLowerCase()}: ${forTerminal(describeRunFailure(err), process.stderr)}`);
    return 1;
  }
}
