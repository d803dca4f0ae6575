import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ScriptedModel } from '../activities/providers/scripted';
import { InputTooLargeError } from '../client/baton-client';
import { startTestBaton } from './helpers/baton';
import { specFor } from './helpers/spec';
import { closeTestEnv, uniqueWorkflowId } from './helpers/temporal';

afterAll(closeTestEnv);

const tenMegabytes = 'x'.repeat(10 * 1024 * 1024);
const limitText = "over Baton's limit of 1.5 MiB for a run's input or a session message (temporal.maxInputBytes; the Temporal server refuses payloads over 2 MiB)";

describe('run inputs over the payload limit', () => {
  it('are refused by the client before anything starts, naming the limit and the setting', async () => {
    const model = ScriptedModel.respondWith(() => ({ text: 'ok' }));
    const baton = await startTestBaton({ models: { scripted: model }, agents: { helper: { provider: 'scripted', model: 's' } } });
    const id = uniqueWorkflowId('too-big');
    const agent = await baton.client.startAgent('helper', tenMegabytes, { workflowId: id }).catch((e: unknown) => e);
    expect(agent).toBeInstanceOf(InputTooLargeError);
    expect((agent as Error).message).toBe(`the input of agent helper is 10.0 MiB, ${limitText}. Pass a file path or URL in the input and give the agent a tool that reads it, instead of the content itself.`);
    await expect(baton.client.temporal.workflow.getHandle(id).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);

    const spec = await baton.client.startSpec(specFor(baton, 'flow', { kind: 'agent', agent: 'helper' }), tenMegabytes).catch((e: unknown) => e);
    expect((spec as Error).message).toMatch(/^the input of workflow spec flow is 10\.0 MiB, over Baton's limit/);

    const session = await baton.run(async () => {
      const handle = await baton.client.startSession('helper');
      const refused = await baton.client.sendMessage(handle.workflowId, tenMegabytes).catch((e: unknown) => e);
      const reply = await baton.client.sendMessage(handle.workflowId, 'still there?');
      await handle.terminate();
      return { refused, reply };
    });
    expect((session.refused as Error).message).toMatch(/^a session message is 10\.0 MiB, over Baton's limit/);
    expect(session.reply.reply).toBe('ok');

    // The limit is a setting: below it, the same client starts the run.
    const raised = await startTestBaton({ models: { scripted: model }, agents: { helper: { provider: 'scripted', model: 's' } }, temporal: { maxInputBytes: 100 } });
    const small = await raised.run(() => raised.client.startAgent('helper', 'y'.repeat(200)).catch((e: unknown) => e));
    expect((small as Error).message).toMatch(/over Baton's limit of 100 B for a run's input/);
  });

  it('is one clear line from `baton run --input @file`', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'baton-input-'));
    const file = path.join(dir, 'big.txt');
    writeFileSync(file, tenMegabytes);
    const root = path.join(__dirname, '..');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'client/cli/main.ts', '--config', path.join(__dirname, 'fixtures/cli/config.ts'), '--address', inject('temporalAddress'), 'run', 'echoer', '--input', `@${file}`], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(`baton: the input of agent echoer is 10.0 MiB, ${limitText}. Pass a file path or URL in the input and give the agent a tool that reads it, instead of the content itself.`);
  });
});
