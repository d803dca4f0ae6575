/**
 * Replay tests for a project's runs: save the history of a run a test made, keep it with the
 * tests, and replay every saved history against today's workflow code, so a change that
 * would break runs in flight (non-determinism) fails in CI instead of in production.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { replayBundle, replayHistory, type ReplayOutcome } from '../client/ops/replay';
import { quietTemporalLogs } from './temporal';

/** One replayed history: ok, or the error and the event where the code diverged. */
export type { ReplayOutcome };

/** One replay failure per line, naming the file and the event where the code diverged. */
export class ReplayMismatchError extends Error {
  override readonly name = 'ReplayMismatchError';
  constructor(readonly failures: Array<ReplayOutcome & { file: string }>) {
    super(`${failures.length} saved ${failures.length === 1 ? 'history does' : 'histories do'} not replay:\n${failures.map((f) => `  - ${f.file}${f.eventId ? ` (event ${f.eventId})` : ''}: ${f.error}`).join('\n')}`);
  }
}

/**
 * Saves a run's history as JSON (the format `temporal workflow show --output json` writes) in
 * `dir`, named after its workflow id (`<id>.json`, URI-encoded): a replay must use the run's
 * own id, because Baton derives its child runs' ids from it. Returns the file.
 */
export async function saveHistory(client: Client, workflowId: string, dir: string, runId?: string): Promise<string> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${encodeURIComponent(workflowId)}.json`);
  writeFileSync(file, `${historyToJSON(history)}\n`);
  return file;
}

/** The workflow id a saved history ran under, from its file name (as {@link saveHistory} names it). */
export function workflowIdFromFile(file: string): string {
  return decodeURIComponent(path.basename(file, '.json'));
}

/** What to replay against and how to read the saved files. */
export interface ReplayHistoriesOptions {
  /** Your own workflows file, for workflows you wrote around Baton's (default: Baton's workflows). */
  workflowsPath?: string;
  /** Decodes encrypted payloads: pass your client's data converter when the config encrypts. */
  dataConverter?: DataConverter;
  /** The workflow id each file's run had (default: its file name, see {@link workflowIdFromFile}). */
  workflowIdOf?: (file: string) => string;
}

/** The `.json` history files at `source`: one file, or a folder and its subfolders. */
function historyFiles(source: string): string[] {
  if (!statSync(source).isDirectory()) return [source];
  return readdirSync(source, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => path.join(source, name));
}

/**
 * Replays every saved history at `source` (a file or a folder) and reports each outcome;
 * throws ReplayMismatchError naming each that fails, and an Error when there are none.
 */
export async function replaySavedHistories(source: string, options: ReplayHistoriesOptions = {}): Promise<Array<ReplayOutcome & { file: string }>> {
  quietTemporalLogs();
  const files = historyFiles(source);
  if (!files.length) throw new Error(`no saved histories (*.json) in ${source}`);
  const bundle = await replayBundle(options.workflowsPath);
  const outcomes: Array<ReplayOutcome & { file: string }> = [];
  for (const file of files) {
    const history = historyFromJSON(JSON.parse(readFileSync(file, 'utf8')));
    const workflowId = (options.workflowIdOf ?? workflowIdFromFile)(file);
    outcomes.push({ file, ...(await replayHistory(bundle, workflowId, '', history, options.dataConverter)) });
  }
  const failures = outcomes.filter((o) => !o.ok);
  if (failures.length) throw new ReplayMismatchError(failures);
  return outcomes;
}
