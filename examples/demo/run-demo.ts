/**
 * `npm run demo`: starts the dev server if none runs, starts a worker, and runs a team:
 * triage hands the request to the trip planner, which uses tools over several turns; its
 * hotel booking is a high-risk tool call that waits for approval, which the demo grants
 * itself after printing the `baton approve` command a person would type. Prints the answer,
 * the run's path through the team and its Web UI link, stops the worker and leaves the
 * server running so the link keeps working.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { validateConfig } from '../../config/define-config';
import { createBatonWorker } from '../../workers/create-worker';
import { BatonClient } from '../../client/baton-client';
import { connectWorker, resolveConnectionSettings } from '../../client/connection';
import { formatProgress, formatUsage } from '../../client/cli/format';
import type { AgentRunResult, AgentRunState, PendingApproval } from '../../core';
import { decideApprovalUpdate, stateQuery } from '../../workflows';
import { demoConfig, demoProvider } from './config';

const root = path.resolve(__dirname, '../..');
/** Who the demo records as the approver (a person's `baton approve` records their user name). */
const demoApprover = 'npm run demo';

function explainProvider(provider: string): string {
  if (provider !== 'scripted') return `Model: ${provider} (real API calls; your key is read from the environment).`;
  return [
    'OFFLINE DEMO: no OPENAI_API_KEY or ANTHROPIC_API_KEY is set, so the model is Baton\'s SCRIPTED model:',
    'canned, deterministic replies computed from the conversation, no LLM involved. Everything else is real:',
    'a Temporal dev server, a Baton worker, and a durable activity for every model and tool call.',
  ].join('\n');
}

/** Prints what a person would do about a pending approval, then does it as the demo. */
async function approveAsDemo(handle: WorkflowHandle, pending: PendingApproval, log: (line: string) => void): Promise<void> {
  log(`\n  ⏸ ${pending.agent} wants to call ${pending.tool}(${JSON.stringify(pending.arguments)}): risk ${pending.risk}, so the run waits for a person.`);
  log('    A person would see it with `npx baton pending` and approve it with:');
  log(`      npx baton approve ${handle.workflowId} ${pending.id}`);
  log(`    (or reject it: npx baton approve ${handle.workflowId} ${pending.id} --reject --reason "too expensive")`);
  log('    The demo approves it itself now.');
  const record = await handle.executeUpdate(decideApprovalUpdate, { args: [{ approvalId: pending.id, approve: true, reason: 'approved by the demo', by: demoApprover }] });
  log(`  ✔ ${record.decision} ${record.id} by ${record.decidedBy ?? demoApprover}\n`);
}

/** Follows the run through its state query: a line per change of progress, and each approval it waits for. */
async function followRun(handle: WorkflowHandle, done: Promise<unknown>, log: (line: string) => void): Promise<void> {
  let last = '';
  let finished = false;
  const decided = new Set<string>();
  void done.finally(() => (finished = true)).catch(() => undefined);
  while (!finished) {
    let state: AgentRunState | undefined;
    try {
      state = await handle.query(stateQuery);
    } catch {
      // The query needs a worker; until one picks the run up there is nothing to show.
    }
    const line = state ? formatProgress(state) : '';
    if (line && line !== last) log(line);
    last = line || last;
    for (const pending of state?.pendingApprovals ?? []) {
      if (decided.has(pending.id)) continue;
      decided.add(pending.id);
      await approveAsDemo(handle, pending, log);
    }
    await Promise.race([done.catch(() => undefined), new Promise((r) => setTimeout(r, 250))]);
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const provider = demoProvider();
  const log = (line: string) => console.log(line);
  log(`${explainProvider(provider)}\n`);
  if (!process.env.TEMPORAL_ADDRESS) execFileSync(path.join(root, 'temporal-dev.sh'), ['start'], { stdio: 'inherit' });

  const config = validateConfig(demoConfig(provider), 'examples/demo/config.ts');
  const settings = resolveConnectionSettings({}, config.temporal);
  const connection = await connectWorker(settings);
  const worker = await createBatonWorker({ config, connection, namespace: settings.namespace });
  const baton = await BatonClient.connect(config);
  const question = 'A warm weekend away for two: Oslo or Lisbon? Tell me what to pack and book the hotel.';
  log(`The team: triage → trip-planner (tools: get_weather, convert_temperature, book_hotel [high risk: needs approval])`);

  const result = await worker.runUntil(async () => {
    const handle = await baton.startAgent('triage', question);
    const link = baton.uiUrl(handle.workflowId, handle.firstExecutionRunId);
    log(`\nStarted run ${handle.workflowId}\nWeb UI: ${link}\n\nQ: ${question}`);
    const done = handle.result() as Promise<AgentRunResult>;
    await followRun(handle, done, log);
    return { value: await done, link };
  });
  await connection.close();

  log(`\nA: ${result.value.output}\n`);
  log(`Path: ${result.value.path.join(' → ')} (finished by ${result.value.agent})`);
  log(`${result.value.turns} turns · ${formatUsage(result.value.usage)}`);
  log(`Web UI: ${result.link}`);
  log('\nThe worker has stopped. The Temporal dev server is still running so the link works;');
  log('stop it with ./temporal-dev.sh stop');
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
