/**
 * Where a run's time goes, read from its history's server timestamps: per activity, the
 * dispatch (workflow task completed → activity started), the execution in the worker
 * (started → completed) and the return (activity completed → next workflow task started),
 * and per workflow task the worker's processing (started → completed). `BENCH_PHASES=1`
 * prints the medians for bare and Baton side by side, so an overhead ratio can be split
 * into worker time and server time.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { percentile } from './step-clock';

const { EventType } = temporal.api.enums.v1;
type Event = temporal.api.history.v1.IHistoryEvent;

export type Phases = Map<string, number[]>;

const ms = (e: Event): number => {
  const t = e.eventTime;
  return Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
};

/** When the client called start and when it had the result, on the wall clock the server stamps events with (both on one machine). */
export interface ClientWindow {
  calledAt: number;
  resultAt: number;
}

/** Now on the wall clock, to the microsecond (Date.now() has milliseconds only). */
export const wallClock = (): number => performance.timeOrigin + performance.now();

/**
 * Adds the phase durations of one workflow's history to `into` (names prefixed with `prefix`);
 * returns the ids of its children. With the client's `window`, also the start call's and the
 * result's share of the time the client measured.
 */
export async function collectPhases(client: Client, workflowId: string, into: Phases, prefix = '', window?: ClientWindow): Promise<string[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const children: string[] = [];
  const add = (name: string, value: number) => {
    const phase = name.startsWith('#') ? name : `${prefix}${name}`;
    const list = into.get(phase) ?? [];
    list.push(value);
    into.set(phase, list);
  };
  const events = history.events ?? [];
  let lastWftCompleted: number | undefined;
  let pendingReturn: number | undefined;
  const scheduledKind = new Map<string, string>();
  for (const e of events) {
    switch (e.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
        if (lastWftCompleted === undefined && events[0]) add('dispatch: run started → first workflow task started', ms(e) - ms(events[0]));
        if (pendingReturn !== undefined) add('return: activity or child completed → workflow task started', ms(e) - pendingReturn);
        pendingReturn = undefined;
        add('#wft-started', ms(e));
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: {
        const started = into.get('#wft-started')?.pop();
        if (started !== undefined) add(lastWftCompleted === undefined ? 'worker: first workflow task (the run starts)' : 'worker: workflow task', ms(e) - started);
        lastWftCompleted = ms(e);
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        scheduledKind.set(String(e.eventId), e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?');
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        const kind = scheduledKind.get(String(e.activityTaskStartedEventAttributes?.scheduledEventId)) ?? '?';
        if (lastWftCompleted !== undefined) add(`dispatch: workflow task completed → ${kind} started`, ms(e) - lastWftCompleted);
        add(`#started-${String(e.activityTaskStartedEventAttributes?.scheduledEventId)}`, ms(e));
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: {
        const scheduled = String(e.activityTaskCompletedEventAttributes?.scheduledEventId);
        const started = into.get(`#started-${scheduled}`)?.pop();
        into.delete(`#started-${scheduled}`);
        if (started !== undefined) add(`worker: ${scheduledKind.get(scheduled) ?? '?'}`, ms(e) - started);
        pendingReturn = ms(e);
        break;
      }
      case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        if (lastWftCompleted !== undefined) add('#child-initiated', ms(e));
        break;
      case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED: {
        const id = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
        if (id) children.push(id);
        const initiated = into.get('#child-initiated')?.shift();
        if (initiated !== undefined) add('dispatch: child start initiated → child started', ms(e) - initiated);
        add('#child-started', ms(e));
        break;
      }
      case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED: {
        const started = into.get('#child-started')?.shift();
        if (started !== undefined) add('child run: started → completed', ms(e) - started);
        pendingReturn = ms(e);
        break;
      }
      default:
    }
  }
  const first = events[0];
  const last = events[events.length - 1];
  if (first && last) add('run: started → closed (server)', ms(last) - ms(first));
  if (first && last && window) {
    add('client: start called → run started', ms(first) - window.calledAt);
    add('client: run closed → result received', window.resultAt - ms(last));
  }
  for (const key of ['#wft-started', '#child-initiated', '#child-started']) into.delete(key);
  return children;
}

/**
 * Prints the median of each phase, bare beside Baton (and, given `payload`, the bare workflow
 * carrying Baton's payloads between them). Activity names differ, so rows are matched by their role.
 */
export function printPhases(bare: Phases, baton: Phases, roles: Record<string, string>, payload?: Phases): void {
  const byRole = (phases: Phases) => {
    const out = new Map<string, number[]>();
    for (const [phase, values] of phases) {
      if (phase.startsWith('#')) continue;
      let name = phase;
      for (const [activity, role] of Object.entries(roles)) name = name.replace(activity, role);
      out.set(name, [...(out.get(name) ?? []), ...values]);
    }
    return out;
  };
  const b = byRole(bare);
  const p = payload && byRole(payload);
  const t = byRole(baton);
  const median = (phases: Map<string, number[]>, phase: string) => percentile(phases.get(phase) ?? [], 50);
  if (p) {
    console.log("\n| phase (server timestamps) | bare median | bare with Baton's payloads | Baton median | Baton − bare | Baton − payloads |");
    console.log('|---|---|---|---|---|---|');
  } else {
    console.log('\n| phase (server timestamps) | bare median | Baton median | Baton − bare |');
    console.log('|---|---|---|---|');
  }
  for (const phase of new Set([...b.keys(), ...(p?.keys() ?? []), ...t.keys()])) {
    const x = median(b, phase);
    const y = median(t, phase);
    if (p) {
      const z = median(p, phase);
      console.log(`| ${phase} | ${x.toFixed(2)} ms | ${z.toFixed(2)} ms | ${y.toFixed(2)} ms | ${(y - x).toFixed(2)} ms | ${(y - z).toFixed(2)} ms |`);
    } else console.log(`| ${phase} | ${x.toFixed(2)} ms | ${y.toFixed(2)} ms | ${(y - x).toFixed(2)} ms |`);
  }
}
