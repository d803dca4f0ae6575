import { spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniqueTaskQueue, uniqueWorkflowId } from './helpers/temporal';
import { startCliWorker } from './helpers/cli';

const root = path.join(__dirname, '..');
const config = path.join(__dirname, 'fixtures/cli/config.ts');
const queue = uniqueTaskQueue('cli');
let worker: ChildProcess;

/** Runs the real `baton` CLI in a child process. */
function baton(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'client/cli/main.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
const connected = (...args: string[]) => baton('--config', config, '--address', inject('temporalAddress'), ...args);

beforeAll(async () => {
  worker = await startCliWorker(config, queue);
});
afterAll(() => void worker?.kill('SIGTERM'));

describe('baton CLI', () => {
  it('prints help for every command', () => {
    for (const command of ['worker', 'run', 'status', 'result', 'list', 'cancel', 'pending', 'approve']) {
      const { code, stdout } = baton(command, '--help');
      expect(code, command).toBe(0);
      expect(stdout, command).toContain(`Usage: baton ${command}`);
    }
  });

  it('reports wrong usage in one line with exit code 2', () => {
    const missing = baton('run');
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe('baton: nothing to run: give an agent name (baton run <agent>) or --spec <file>');
    const unknown = baton('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
    const noInput = connected('run', 'echoer');
    expect(noInput.code).toBe(2);
    expect(noInput.stderr.trim()).toBe('baton: missing --input <text|@file>');
    const badStatus = connected('list', '--status', 'done');
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr.trim()).toBe('baton: --status must be one of waiting_approval, running, completed, failed, cancelled, canceled, terminated, timed_out, continued_as_new (got "done")');
  });

  it('names every bad config field before starting anything', () => {
    const { code, stderr } = baton('--config', path.join(__dirname, 'fixtures/cli/bad.config.ts'), 'run', 'writer', '--input', 'x');
    expect(code).toBe(2);
    expect(stderr).toContain('agents.bad name!: invalid name: agent names are letters');
    const refs = baton('--config', path.join(__dirname, 'fixtures/cli/bad-refs.config.ts'), 'run', 'writer', '--input', 'x');
    expect(refs.code).toBe(2);
    expect(refs.stderr).toContain('agents.writer.provider: unknown provider "nowhere"; configured providers: local');
    expect(refs.stderr).toContain('agents.writer.tools[0]: unknown tool "missing"; defined tools: none');
  });

  it('says in one line when the server is unreachable', () => {
    const { code, stderr } = baton('--address', '127.0.0.1:1', 'list');
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('baton: cannot reach the Temporal server at 127.0.0.1:1 (start one with ./temporal-dev.sh start, or set TEMPORAL_ADDRESS)');
  });

  it('runs an agent with --wait, then shows its status, result and listing', () => {
    const id = uniqueWorkflowId('cli-run');
    const run = connected('run', 'echoer', '--input', 'hello', '--wait', '--id', id, '-q', queue);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Started ${id}`);
    expect(run.stdout).toMatch(new RegExp(`Web UI: http://localhost:8233/namespaces/default/workflows/${id}/[0-9a-f-]+/history`));
    expect(run.stdout).toContain('The tool said HELLO');
    expect(run.stdout).toContain('echoer finished in 2 turns');
    expect(run.stderr).toContain('echoer · turn');

    const status = connected('status', id);
    expect(status.stdout).toMatch(/status\s+completed/);
    expect(status.stdout).toMatch(/turns\s+2/);
    expect(connected('result', id).stdout.trim()).toBe('The tool said HELLO');
    const list = connected('list', '--agent', 'echoer', '--status', 'completed');
    expect(list.stdout).toContain(id);
  });

  it('reads --input from a file', () => {
    const run = connected('run', 'echoer', '--input', `@${path.join(__dirname, 'fixtures/cli/input.txt')}`, '--wait', '-q', queue);
    expect(run.stdout).toContain('The tool said FROM A FILE');
  });

  it('cancels a run, aborting its in-flight model call', async () => {
    const id = uniqueWorkflowId('cli-cancel');
    expect(connected('run', 'staller', '--input', 'wait', '--id', id, '-q', queue).code).toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    const running = connected('result', id);
    expect(running.code).toBe(3);
    const cancel = connected('cancel', id);
    expect(cancel.stdout.trim()).toBe(`cancellation requested for ${id}`);
    const result = connected('result', id, '--wait');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${id} cancelled`);
    const status = connected('status', id).stdout;
    expect(status).toMatch(/status\s+cancelled/);
    expect(status).toMatch(/agent\s+staller\n/);
  });

  it('lists a call waiting for approval and rejects it with a reason the model sees', async () => {
    const id = uniqueWorkflowId('cli-approve');
    expect(connected('run', 'payer', '--input', 'pay', '--id', id, '-q', queue).code).toBe(0);
    let pending = '';
    for (let i = 0; i < 30 && !pending.includes(id); i++) {
      pending = connected('pending').stdout;
      if (!pending.includes(id)) await new Promise((r) => setTimeout(r, 500));
    }
    expect(pending).toMatch(new RegExp(`${id}\\s+approval-1\\s+payer\\s+pay\\s+high\\s+\\{"amount":5\\}`));
    expect(connected('list', '--status', 'waiting_approval').stdout).toMatch(new RegExp(`${id}\\s+payer\\s+agent\\s+waiting_approval`));
    expect(connected('status', id).stdout).toMatch(/status\s+waiting_approval/);
    const rejected = connected('approve', id, '--reject', '--reason', 'not today', '--as', 'ann');
    expect(rejected.stdout.trim()).toBe(`rejected approval-1: pay({"amount":5}) in ${id} by ann`);
    expect(connected('result', id, '--wait').stdout.trim()).toBe('payment: The call to pay was rejected by a reviewer: not today.');
    const again = connected('approve', id, 'approval-1');
    expect(again.code).toBe(2);
    expect(again.stderr.trim()).toBe(`baton: ${id} is completed; it has nothing left to approve`);
  });

  it('lists a spec run\'s tool-plan step waiting for approval and approves it as a named person', async () => {
    const id = uniqueWorkflowId('cli-plan');
    expect(connected('run', '--spec', path.join(__dirname, 'fixtures/cli/pay-plan.yaml'), '--input', 'x', '--id', id, '-q', queue).code).toBe(0);
    let pending = '';
    for (let i = 0; i < 30 && !pending.includes(id); i++) {
      pending = connected('pending').stdout;
      if (!pending.includes(id)) await new Promise((r) => setTimeout(r, 500));
    }
    expect(pending).toMatch(new RegExp(`${id}\\s+approval-1\\s+pay-plan\\s+pay\\s+high\\s+\\{"amount":9\\}`));
    // The status of a spec run comes from its own state query (specState), not the agent's.
    expect(connected('status', id).stdout).toMatch(/\nsteps\s+0\/1 completed \(waiting approval\)\nusage\s+/);
    const approved = connected('approve', id, '--as', 'ann');
    expect(approved.stdout.trim()).toBe(`approved approval-1: pay({"amount":9}) in ${id} by ann`);
    expect(connected('result', id, '--wait').stdout).toContain('paid 9');
  });

  it('runs a workflow spec with --spec, and names the bad paths of an invalid one', () => {
    const run = connected('run', '--spec', path.join(__dirname, 'fixtures/cli/flow.yaml'), '--input', 'hi', '--wait', '-q', queue);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('The tool said AGAIN: THE TOOL SAID HI');
    expect(run.stdout).toContain('2 steps · ');
    expect(run.stderr).toContain('double-echo · ');
    const bad = connected('run', '--spec', path.join(__dirname, 'fixtures/cli/bad-flow.yaml'), '--input', 'hi');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('steps.steps[1].branches: Too small');
    expect(bad.stderr).toContain('steps.steps[2].evaluator: Invalid input');
  });
});
