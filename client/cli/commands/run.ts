/** `baton run <agent> --input <text|@file> [--wait]`; with --wait the run is shown live (see ./watch.ts). */
import { readFile } from 'node:fs/promises';
import type { AgentRunResult, RunBudget, SpecRunResult, WorkflowSpec } from '../../../core';
import { loadWorkflowSpec } from '../../../config/load-spec';
import type { BatonConfig } from '../../../config/define-config';
import { BatonClient } from '../../baton-client';
import { configFor, UsageError, type GlobalFlags } from '../context';
import { forTerminal } from '../terminal-text';
import { describeRunFailure } from './result';
import { activeTracing, withoutSpans, withSpan } from '../../tracing';
import { printWatch, resultLine } from './watch';
import type { WatchEvent } from '../../watch';

export interface RunFlags {
  spec?: string;
  input?: string;
  wait?: boolean;
  id?: string;
  taskQueue?: string;
  maxTokens?: string;
  maxCost?: string;
}

/** `--max-tokens` and `--max-cost` as a run-wide budget; a value that is not a positive number is a usage error. */
export function budgetFlags(flags: RunFlags): RunBudget | undefined {
  const positive = (value: string | undefined, flag: string, integer: boolean) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!(n > 0) || (integer && !Number.isInteger(n))) throw new UsageError(`${flag} takes a ${integer ? 'whole ' : ''}number above 0 (got "${value}")`);
    return n;
  };
  const maxTotalTokens = positive(flags.maxTokens, '--max-tokens', true);
  const maxCostUsd = positive(flags.maxCost, '--max-cost', false);
  if (maxTotalTokens === undefined && maxCostUsd === undefined) return undefined;
  return { ...(maxTotalTokens !== undefined ? { maxTotalTokens } : {}), ...(maxCostUsd !== undefined ? { maxCostUsd } : {}) };
}

/** `--input @file` reads the file; anything else is the text itself. */
export async function readInput(value: string | undefined): Promise<string> {
  if (value === undefined) throw new UsageError('missing --input <text|@file>');
  if (!value.startsWith('@')) return value;
  try {
    return await readFile(value.slice(1), 'utf8');
  } catch {
    throw new UsageError(`cannot read input file ${value.slice(1)}`);
  }
}

export async function runCommand(agent: string | undefined, flags: RunFlags, globals: GlobalFlags): Promise<number> {
  if (agent && flags.spec) throw new UsageError('give an agent name or --spec <file>, not both');
  if (!agent && !flags.spec) throw new UsageError('nothing to run: give an agent name (baton run <agent>) or --spec <file>');
  const input = await readInput(flags.input);
  budgetFlags(flags);
  const config = (await configFor(globals, true)) as BatonConfig;
  // The spec is checked before connecting, so a bad file is reported even with no server.
  const spec = flags.spec ? loadWorkflowSpec(flags.spec, config) : undefined;
  const baton = await BatonClient.connect(config, globals);
  try {
    // With tracing on, this span is the root of the run's trace, across every worker it touches.
    return await withSpan('baton run', spec ? { 'baton.spec': spec.name } : { 'gen_ai.agent.name': agent as string }, () => startRun(baton, agent, spec, input, flags));
  } finally {
    await activeTracing()?.shutdown();
  }
}

/** The watch without its failure event: `run --wait` reports a failure itself, once. */
async function* withoutFailure(events: AsyncIterable<WatchEvent>): AsyncGenerator<WatchEvent> {
  for await (const event of events) if (event.type !== 'failed') yield event;
}

async function startRun(baton: BatonClient, agent: string | undefined, spec: WorkflowSpec | undefined, input: string, flags: RunFlags): Promise<number> {
  const budget = budgetFlags(flags);
  const options = { workflowId: flags.id, taskQueue: flags.taskQueue, ...(budget ? { budget } : {}) };
  const handle = spec ? await baton.startSpec(spec, input, options) : await baton.startAgent(agent as string, input, options);
  console.log(`Started ${handle.workflowId}`);
  console.log(`Web UI: ${baton.uiUrl(handle.workflowId, handle.firstExecutionRunId)}`);
  if (!flags.wait) return 0;
  const result = handle.result() as Promise<AgentRunResult | SpecRunResult>;
  // The run live on stderr (agents' text as it streams, tool calls, hand-offs); the result on stdout.
  console.error(`${spec ? spec.name : agent} · ${forTerminal(handle.workflowId, process.stderr)}`);
  await withoutSpans(() => printWatch(withoutFailure(baton.watch(handle.workflowId)), false, process.stderr)).catch(() => undefined);
  try {
    const value = await result;
    console.log(`\n${forTerminal(value.output)}\n`);
    console.log(resultLine(value));
    return 0;
  } catch (err) {
    console.error(`run failed: ${forTerminal(describeRunFailure(err), process.stderr)}`);
    return 1;
  }
}
