import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { z } from 'zod';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import { replayRun } from '../client/ops/replay';
import { resolveWorkflowSpec } from '../config/load-spec';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv, getTestEnv } from './helpers/temporal';
import { captureCli } from './helpers/cli';

afterAll(closeTestEnv);

const changed = path.join(__dirname, 'fixtures/replay/changed-workflows.ts');

/** Runs the CLI in this process against the test server; its exit code and all it printed. */
async function baton(...args: string[]): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await captureCli('--address', inject('temporalAddress'), ...args);
  return { code, out: [stdout, stderr].filter(Boolean).join('\n') };
}

describe('baton replay and history export', () => {
  it('replays a recorded run cleanly, names the event a changed workflow diverges at, and exports the history', async () => {
    const lookup = defineTool({ name: 'lookup', description: 'Looks up a key', input: z.object({ key: z.string() }), execute: ({ key }) => key.toUpperCase() });
    const model = new ScriptedModel([
      { reply: { toolCalls: [{ name: 'lookup', arguments: { key: 'a' } }] } },
      { reply: { text: 'A' } },
      { reply: { text: 'child answer' } },
    ]);
    const t = await startTestBaton({ models: { scripted: model }, agents: { looker: { provider: 'scripted', model: 's', tools: ['lookup'] }, helper: { provider: 'scripted', model: 's' } }, tools: [lookup] });
    const { agentId, specId } = await t.run(async () => {
      const agent = await t.client.startAgent('looker', 'find a');
      await agent.result();
      const spec = await t.client.startSpec(resolveWorkflowSpec({ name: 'one-step', steps: { kind: 'agent', agent: 'helper' } }, t.config), 'hi');
      await spec.result();
      return { agentId: agent.workflowId, specId: spec.workflowId };
    });
    model.assertDone();

    const clean = await baton('replay', agentId);
    expect(clean.out).toContain(`${agentId} (run `);
    expect(clean.out).toContain('replays cleanly');
    expect(clean.code).toBe(0);

    // The spec run and its child agent run, both replayed.
    const env = await getTestEnv();
    const withChildren = await replayRun(env.client, specId, { children: true });
    expect(withChildren.map((o) => [o.workflowId, o.ok])).toEqual([[specId, true], [`${specId}/root`, true]]);

    const broken = await baton('replay', agentId, '--workflows', changed);
    expect(broken.code).toBe(1);
    expect(broken.out).toContain('does not replay');
    // Event 5 is the model call's ActivityTaskScheduled, where the changed code starts a timer.
    expect(broken.out).toContain('diverged at event 5');
    expect(broken.out).toContain('[TMPRL1100] Nondeterminism error');

    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'baton-history-')), 'run.json');
    const exported = await baton('history', 'export', agentId, '--out', out);
    expect(exported.code).toBe(0);
    const history = historyFromJSON(JSON.parse(readFileSync(out, 'utf8')));
    expect(exported.out).toContain(`wrote ${history.events?.length} events of ${agentId}`);
    expect(history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name).toBe('agentWorkflow');
  }, 120_000);
});
