/** Plain-text formatting for CLI output. */
import type { AgentRunState, SpecRunState, Usage } from '../../core';
import { servedByNote } from '../../core/served-by';

export function formatUsage(usage: Usage): string {
  const cost = usage.costUsd > 0 ? `, $${usage.costUsd.toFixed(4)}` : '';
  return `${usage.inputTokens} in / ${usage.outputTokens} out tokens${cost}, ${usage.modelCalls} model calls, ${usage.toolCalls} tool calls`;
}

/** One progress line per state change while `baton run --wait` waits. */
export function formatProgress(state: AgentRunState): string {
  const step = state.lastStep ? ` · last: ${state.lastStep.kind} ${state.lastStep.name}${servedByNote(state.lastStep)}${state.lastStep.isError ? ' (error)' : ''}` : '';
  return `  ${state.agent} · turn ${state.turn}/${state.maxTurns} · ${state.status.replace('_', ' ')}${step}`;
}

/** One progress line for a workflow-spec run: the step that changed last. */
export function formatSpecProgress(state: SpecRunState): string {
  const step = state.steps[state.steps.length - 1];
  const waiting = state.pendingApprovals.length ? ` · waiting for approval ${state.pendingApprovals.map((p) => p.id).join(', ')}` : '';
  return `  ${state.pattern} · ${state.status}${step ? ` · ${step.path} ${step.kind}${step.agent ? ` ${step.agent}` : ''} ${step.status}` : ''}${waiting}`;
}

export function formatDate(date: Date | undefined): string {
  return date ? date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-';
}

/** Left-aligned columns, for `baton list`. */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col] ?? 0)).join('  ').trimEnd()).join('\n');
}
