/** Draws an inspected run (see ./inspect) as text: one line per step, box-drawing branches. */
import { clip, type RunNode, type StepNode, type ToolNode } from './inspect';

const duration = (ms: number | undefined) => (ms === undefined ? '' : ms < 1000 ? ` · ${Math.round(ms)}ms` : ` · ${(ms / 1000).toFixed(1)}s`);

function runLine(run: RunNode): string {
  const parts = [run.workflowId, run.type, run.status];
  let line = parts.join(' · ') + duration(run.durationMs);
  if (run.turns) line += ` · ${run.turns} model calls, ${run.usage.toolCalls} tool calls · ${run.usage.inputTokens} in / ${run.usage.outputTokens} out tokens`;
  if (run.agents.length > 1) line += ` · path ${run.agents.join(' → ')}`;
  if (run.continuedFrom) line += ` · continued from ${run.continuedFrom}`;
  return line;
}

interface RenderItem { line: string; children: RenderItem[] }

function stepLines(step: StepNode | ToolNode): RenderItem {
  switch (step.kind) {
    case 'model':
      return {
        line: `${step.label}${step.servedBy && !step.label.includes(` ${step.servedBy} `) ? ` · served by ${step.servedBy}` : ''}${step.status !== 'ok' ? ` · ${step.status}` : ''}${step.attempts > 1 ? ` · attempt ${step.attempts}` : ''}${duration(step.durationMs)}${step.inputTokens || step.outputTokens ? ` · ${step.inputTokens} in / ${step.outputTokens} out` : ''}${step.detail ? ` · ${step.detail}` : ''}`,
        children: step.calls.map(stepLines),
      };
    case 'tool': {
      const head = step.status === 'error' ? `error: ${step.detail ?? ''}` : step.status;
      const tail = step.status !== 'error' && step.detail ? ` · ${step.detail}` : '';
      return { line: `tool ${step.tool} ${step.arguments} · ${head}${step.attempts > 1 ? ` · attempt ${step.attempts}` : ''}${duration(step.durationMs)}${tail}`, children: [] };
    }
    case 'handoff': return { line: `hand-off ${step.from} → ${step.to}`, children: [] };
    case 'approval':
      return { line: `approval ${step.id}${step.tool ? ` ${step.tool}` : ''} · ${step.decision}${step.by ? ` by ${step.by}` : ''}${step.reason ? ` (${step.reason})` : ''}${step.error ? ` · error: ${step.error}` : ''}`, children: [] };
    case 'timer': return { line: `timer${step.timeoutMs !== undefined ? ` ${duration(step.timeoutMs).slice(3)}` : ''} · ${step.status}`, children: [] };
    case 'activity': return { line: `${step.label}${step.status !== 'ok' ? ` · ${step.status}` : ''}${duration(step.durationMs)}`, children: [] };
    case 'child':
      return step.run
        ? { line: `child ${runLine(step.run)}${step.run.problem ? ` · ${step.run.problem}` : ''}${step.summary ? ` · ${step.summary}` : ''}`, children: step.run.steps.map(stepLines) }
        : { line: `child ${step.workflowId} · ${step.type} · ${step.status}${step.summary ? ` · ${step.summary}` : ''}`, children: [] };
  }
}

function renderItems(items: RenderItem[], prefix: string, out: string[]): void {
  items.forEach((item, i) => {
    const last = i === items.length - 1;
    out.push(`${prefix}${last ? '└─ ' : '├─ '}${item.line}`);
    renderItems(item.children, `${prefix}${last ? '   ' : '│  '}`, out);
  });
}

/** The tree as text, one line per step, with box-drawing branches. */
export function renderTree(run: RunNode): string {
  const out = [runLine(run)];
  renderItems(run.steps.map(stepLines), '', out);
  if (run.problem) out.push(run.problem);
  if (run.error) out.push(`error: ${run.error}`);
  else if (run.output !== undefined) out.push(`output: ${clip(run.output.replace(/\s+/g, ' '), 200)}`);
  return out.join('\n');
}
