/**
 * Prints a run's watch events for a person: the running agent's name, then its text as it
 * streams, tool calls, hand-offs and approvals as they happen. On a terminal text is written
 * as it arrives (control sequences stripped: model output is untrusted); otherwise it is
 * written in whole lines. `--json` prints each event as one JSON line instead.
 */
import type { WatchEvent } from '../watch';
import { forTerminal, isTerminal } from './terminal-text';

const preview = (value: unknown, max = 120) => {
  const text = (typeof value === 'string' ? value : JSON.stringify(value) ?? '').replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
};

/** Turns events into output on `out`; keeps the state of the text line being written. */
export class WatchPrinter {
  /** Whose text the current line holds (`run/agent/turn`), if a text line is open. */
  private speaker: string | undefined;
  /** Text not yet written when output goes to whole lines. */
  private pending = '';
  private readonly live: boolean;

  constructor(private readonly out: NodeJS.WritableStream & { isTTY?: boolean }, private readonly json = false) {
    this.live = isTerminal(out);
  }

  /** Prints one event. */
  print(event: WatchEvent): void {
    if (this.json) {
      this.out.write(`${JSON.stringify(event)}\n`);
      return;
    }
    if (event.type === 'text') return this.text(event);
    this.endText();
    const line = this.describe(event);
    if (line !== undefined) this.out.write(`${forTerminal(line, this.out)}\n`);
  }

  /** Ends an open text line (call when the watch ends). */
  close(): void {
    this.endText();
  }

  private text(event: Extract<WatchEvent, { type: 'text' }>): void {
    const speaker = `${event.run.runId}/${event.agent}/${event.turn}`;
    if (this.speaker !== speaker) {
      this.endText();
      this.speaker = speaker;
      this.write(`${event.agent}: `);
    }
    this.write(event.text);
  }

  private write(text: string): void {
    if (this.live) {
      this.out.write(forTerminal(text, this.out));
      return;
    }
    this.pending += text;
    const end = this.pending.lastIndexOf('\n');
    if (end < 0) return;
    this.out.write(this.pending.slice(0, end + 1));
    this.pending = this.pending.slice(end + 1);
  }

  private endText(): void {
    if (this.speaker === undefined) return;
    this.speaker = undefined;
    if (this.live) this.out.write('\n');
    else {
      this.out.write(`${this.pending}\n`);
      this.pending = '';
    }
  }

  private describe(event: Exclude<WatchEvent, { type: 'text' }>): string | undefined {
    switch (event.type) {
      case 'agent-turn':
        return `▸ ${event.agent} · turn ${event.turn}`;
      case 'stream-restarted':
        return `  ↻ ${event.agent}'s answer restarted (${event.reason === 'failover' ? 'failover to another provider' : `attempt ${event.attempt}`})`;
      case 'tool-call':
        return `  → ${event.tool} ${preview(event.arguments)}`;
      case 'tool-result':
        return `  ← ${event.tool}${event.isError ? ' (error)' : ''}: ${preview(event.content)}`;
      case 'handoff':
        return `  ⇢ hand-off ${event.from} → ${event.to}`;
      case 'child-run':
        return `  ↳ child run ${event.child.workflowId} (${event.workflowType})`;
      case 'approval-waiting':
        return `  ⏸ ${event.approval.tool} ${preview(event.approval.arguments)} waits for approval (risk ${event.approval.risk}): baton approve ${event.run.workflowId} ${event.approval.id}`;
      case 'finished':
        return undefined;
      case 'failed':
        return `✗ run ${event.status}: ${event.error}`;
    }
  }
}
