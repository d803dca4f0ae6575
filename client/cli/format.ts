/** Plain-text formatting for CLI output. */
import type { AgentRunState, Usage } from '../../core';
import { servedByNote } from '../../core/served-by';

export function formatUsage(usage: Usage): string {
  const cost = usage.costUsd > 0 ? `, $${usage.costUsd.toFixed(4)}` : '';
  return `${usage.inputTokens} in / ${usage.outputTokens} out tokens${cost}, ${usage.modelCalls} model calls, ${usage.toolCalls} tool calls`;
}

/** One progress line per state change (the demo prints them while its run goes on). */
export function formatProgress(state: AgentRunState): string {
  const step = state.lastStep ? ` · last: ${state.lastStep.kind} ${state.lastStep.name}${servedByNote(state.lastStep)}${state.lastStep.isError ? ' (error)' : ''}` : '';
  return `  ${state.agent} · turn ${state.turn}/${state.maxTurns} · ${state.status.replace('_', ' ')}${step}`;
}

export function formatDate(date: Date | undefined): string {
  return date ? date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-';
}

/** Left-aligned columns, for `baton list`. */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col] ?? 0)).join('  ').trimEnd()).join('\n');
}
