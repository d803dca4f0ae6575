/**
 * `baton audit export`: reads runs' histories (one run, the runs it continued as new, and
 * their children; or every Baton run visibility finds), decodes them through the client's codecs, turns them into audit
 * records, redacts each and writes it as one hash-chained JSON line.
 */
import { isGrpcServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { BatonAgent, BatonPattern } from '../../core/search-attributes';
import { decodeHistory } from '../../codec/decode-history';
import { AuditChain } from './audit-chain';
import { AuditRedactor } from './audit-redact';
import { auditRecordsOf, type ChildRun } from './audit-records';
import type { AuditSettings } from './audit-settings';

type History = temporal.api.history.v1.IHistory;

/** Which runs to export. */
export interface AuditExportOptions {
  /** One run (its workflow id) and its children; otherwise every top-level Baton run. */
  workflowId?: string;
  /** Only runs started at or after this time (visibility's StartTime). */
  since?: Date;
  /** Only runs of this agent (the BatonAgent search attribute). */
  agent?: string;
}

const quote = (value: string) => JSON.stringify(value);
/** gRPC status NOT_FOUND. */
const grpcNotFound = 5;

/** The visibility query for the runs to export, oldest first once sorted. */
export function auditQuery(options: AuditExportOptions): string {
  const clauses = [`${BatonPattern.name} IS NOT NULL`];
  if (options.agent) clauses.push(`${BatonAgent.name} = ${quote(options.agent)}`);
  if (options.since) clauses.push(`StartTime >= ${quote(options.since.toISOString())}`);
  return clauses.join(' AND ');
}

/** A run's decoded history; a missing run is reported the way `status` does. */
async function historyOf(client: Client, run: ChildRun): Promise<History> {
  const raw = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory().catch((err: unknown) => {
    if (isGrpcServiceError(err) && err.code === grpcNotFound) throw new WorkflowNotFoundError(`no run with id ${run.workflowId}`, run.workflowId, run.runId);
    throw err;
  });
  return decodeHistory(client, raw);
}

/** The latest run of a workflow id and the runs it continued (continue-as-new), oldest first. */
async function continueAsNewChain(client: Client, workflowId: string): Promise<ChildRun[]> {
  const description = await client.workflow.getHandle(workflowId).describe();
  const chain: ChildRun[] = [{ workflowId, runId: description.runId }];
  for (;;) {
    const history = await historyOf(client, chain[0] as ChildRun);
    const previous = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) return chain;
    chain.unshift({ workflowId, runId: previous });
  }
}

/** The top-level runs to export, oldest first. */
async function selectRuns(client: Client, options: AuditExportOptions): Promise<ChildRun[]> {
  if (options.workflowId) return continueAsNewChain(client, options.workflowId);
  const runs: Array<ChildRun & { start: number }> = [];
  for await (const run of client.workflow.list({ query: auditQuery(options) })) {
    runs.push({ workflowId: run.workflowId, runId: run.runId, start: run.startTime.getTime() });
  }
  return runs.sort((a, b) => a.start - b.start).map(({ workflowId, runId }) => ({ workflowId, runId }));
}

/** Writes the chained, redacted records of the selected runs through `write`, one line per call. */
export async function exportAudit(client: Client, settings: AuditSettings, options: AuditExportOptions, write: (line: string) => void | Promise<void>): Promise<{ runs: number; records: number }> {
  const chain = new AuditChain();
  const redactor = new AuditRedactor(settings.redact);
  let runs = 0;
  let records = 0;
  const exportRun = async (run: ChildRun, parent?: ChildRun): Promise<void> => {
    const history = await historyOf(client, run);
    const { records: own, children } = auditRecordsOf(run.workflowId, run.runId, history, parent);
    runs++;
    for (const record of own) {
      await write(chain.line(redactor.redact(record)));
      records++;
    }
    for (const child of children) await exportRun(child, run);
  };
  for (const run of await selectRuns(client, options)) await exportRun(run);
  await write(chain.close());
  return { runs, records };
}
