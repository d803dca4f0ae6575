/** `baton watch <id> [--json]`: follow a run live until it ends. */
import type { AgentRunResult, SpecRunResult } from '../../../core';
import { watchRun, type WatchEvent } from '../../watch';
import { connect, type GlobalFlags } from '../context';
import { formatUsage } from '../format';
import { WatchPrinter } from '../watch-printer';

/** Prints `events` until the run ends; returns the exit code (0 finished, 1 failed or stopped). */
export async function printWatch(events: AsyncIterable<WatchEvent>, json: boolean, out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout): Promise<number> {
  const printer = new WatchPrinter(out, json);
  let code = 1;
  try {
    for await (const event of events) {
      printer.print(event);
      if (event.type === 'finished') code = 0;
    }
  } finally {
    printer.close();
  }
  return code;
}

/** One line about a finished run's result, as `baton run --wait` prints it. */
export function resultLine(value: AgentRunResult | SpecRunResult): string {
  if ('agent' in value) return `${value.agent} finished in ${value.turns} turns${value.path.length > 1 ? ` · path ${value.path.join(' → ')}` : ''} · ${formatUsage(value.usage)}`;
  return `${value.steps.length} steps · ${formatUsage(value.usage)}`;
}

export async function watchCommand(id: string, flags: { json?: boolean }, globals: GlobalFlags): Promise<number> {
  const { client, settings } = await connect(globals);
  let result: unknown;
  const code = await printWatch(
    (async function* () {
      for await (const event of watchRun(client, settings.namespace, id)) {
        if (event.type === 'finished') result = event.result;
        yield event;
      }
    })(),
    Boolean(flags.json),
  );
  if (code === 0 && !flags.json && typeof result === 'object' && result !== null && Object.hasOwn(result, 'usage')) console.log(`✓ ${resultLine(result as AgentRunResult | SpecRunResult)}`);
  return code;
}
